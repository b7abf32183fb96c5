/**
 * A sending run in a process of its own, for the kill-and-resume test and the benchmark:
 * `node --import tsx sender-process.ts` with DATABASE_URL, SMTP_URL, ORIGIN, MAIL_FROM and
 * INFOMAIL_ID in the environment. Runs one sending run, prints its report as JSON and exits.
 * Whoever started it may kill it at any moment.
 */
import { readConfig, setConfig } from '../../config';
import { openDatabase } from '../../db';
import { runSender } from '../sending';

const cfg = readConfig();
setConfig(cfg);
const database = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, poolSize: 4 });
const report = await runSender(database, Number(process.env.INFOMAIL_ID));
console.log(JSON.stringify({ report, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
await database.close();
