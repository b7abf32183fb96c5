/**
 * Helper process of `npm run bench:infomail`: opens the database (starting the embedded
 * server, which stays up while this process lives), prepares N confirmed subscribers, and
 * answers commands on stdin, one per line, with one JSON line each:
 *   create <rate>  → a new Infomail to all subscribers, sending started (recipients fixed): {"id"}
 *   stats <id>     → {"status", "recipients", "sent", "pending", "sending", "resumed", …}
 *   recipients <id> → {"emails": [...], "messageIds": [...]}
 */
import readline from 'node:readline';
import { cliActor } from '../../audit';
import { readConfig, setConfig } from '../../config';
import { migrateDatabase, openDatabase } from '../../db';
import { createInfomail, infomailProgress, sendInfomail } from '..';

const cfg = readConfig();
setConfig(cfg);
const n = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const database = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, poolSize: 4 });
await migrateDatabase(database);
await database.pool.query(
	`insert into infomail_subscribers (email, name, status, token_hash, confirmed_at)
	 select 'empfaenger' || g || '@bench.example', 'Person ' || g, 'confirmed', md5('bench' || g), now() from generate_series(1, $1) g
	 on conflict do nothing`,
	[n]
);
const coordinator = { label: 'Benchmark', role: 'coordinator' as const };
const para = 'Das Kommunen-Netzwerk lädt zu Austausch und Weiterbildung ein. **Anmeldungen** sind ab sofort möglich; Einzelheiten stehen auf der [Seite der Veranstaltung](/veranstaltungen).';
const content = {
	subject: 'Infomail Benchmark',
	intro: `Liebe Kolleginnen und Kollegen,\n\n${para}`,
	sections: (['bund', 'land', 'kommune', 'netzwerk'] as const).map((level) => ({
		level,
		items: [1, 2].map((i) => ({ title: `Beitrag ${i} (${level})`, text: `${para}\n\n- erster Punkt\n- zweiter Punkt`, link: 'https://www.example.org/mehr' }))
	})),
	audiences: ['subscribers']
};
console.log(JSON.stringify({ ready: true, kind: database.kind }));
void cliActor;

const rl = readline.createInterface({ input: process.stdin });
for await (const line of rl) {
	const [cmd, arg] = line.trim().split(/\s+/);
	try {
		if (cmd === 'create') {
			const id = await createInfomail(database.db, coordinator, content);
			await sendInfomail(database.db, coordinator, { id, rate: Number(arg) || 10_000 });
			console.log(JSON.stringify({ id }));
		} else if (cmd === 'stats') {
			console.log(JSON.stringify(await infomailProgress(database.db, Number(arg))));
		} else if (cmd === 'recipients') {
			const r = await database.pool.query(`select email, message_id from infomail_recipients where infomail_id = $1`, [Number(arg)]);
			console.log(JSON.stringify({ emails: r.rows.map((x) => x.email), messageIds: r.rows.map((x) => x.message_id) }));
		} else if (cmd === 'quit') break;
	} catch (e) {
		console.log(JSON.stringify({ error: (e as Error).message }));
	}
}
await database.close();
