/**
 * The platform's life cycle in one process: configuration, database (embedded or external),
 * migrations, reference data, demo data, background worker; and the orderly shutdown.
 * Used by the web server (hooks.server.ts) and, without the worker, by the CLI.
 */
import { config, type Config } from './config';
import { rootMessage } from './errors';
import { openDatabase, migrateDatabase, type Database } from './db';
import { loadAreas } from './areas';
import { startWorker, type Worker } from './jobs';
import { jobHandlers } from './jobs/handlers';
import { loadDemoDataIfEmpty } from './demo';
import { scheduleRetention } from './retention';

export type Log = (msg: string) => void;
const defaultLog: Log = (msg) => console.log(`[kommunennetz] ${msg}`);

interface RuntimeState {
	state?: { db: Database; worker?: Worker };
	starting?: Promise<Database>;
	ready: boolean;
}
// On globalThis for the same reason as the connection in db/index.ts (dev server reloads).
const rt = ((globalThis as { __kommunennetzRuntime?: RuntimeState }).__kommunennetzRuntime ??= { ready: false });

export function isReady(): boolean {
	return rt.ready;
}

export interface StartOptions {
	config?: Config;
	/** Start the background worker (the web server does, the CLI does not). */
	worker?: boolean;
	/** Load demo data into an empty database according to DEMO_DATA. */
	demo?: boolean;
	log?: Log;
}

/** Brings the database up to date and returns it; idempotent within one process. */
export function startPlatform(opts: StartOptions = {}): Promise<Database> {
	if (rt.state) return Promise.resolve(rt.state.db);
	rt.starting ??= start(opts).finally(() => (rt.starting = undefined));
	return rt.starting;
}

async function start(opts: StartOptions): Promise<Database> {
	const log = opts.log ?? defaultLog;
	const cfg = opts.config ?? config();
	const t0 = Date.now();
	const db = await openDatabase({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir, log, poolSize: 20 });
	try {
		await migrateDatabase(db);
		const loaded = await loadAreas(db.db);
		if (loaded) log(`${loaded} amtliche Gebiete geladen.`);
		if (opts.demo) await loadDemoDataIfEmpty(db.db, cfg, log);
	} catch (err) {
		await db.close();
		throw new Error(rootMessage(err));
	}
	let worker: Worker | undefined;
	if (opts.worker) await scheduleRetention(db.db);
	if (opts.worker) worker = startWorker({ pool: db.pool, handlers: jobHandlers(), log });
	rt.state = { db, worker };
	rt.ready = true;
	log(`Datenbank bereit (${db.kind === 'embedded' ? 'eingebettet' : 'PostgreSQL-Server'}) nach ${Date.now() - t0} ms.`);
	return db;
}

export async function stopPlatform(log: Log = defaultLog): Promise<void> {
	rt.ready = false;
	// A shutdown during start-up waits for it, so the embedded server is not left behind.
	await rt.starting?.catch(() => undefined);
	const s = rt.state;
	rt.state = undefined;
	if (!s) return;
	await s.worker?.stop();
	await s.db.close();
	log('Beendet.');
}
