/**
 * The database connection: the embedded PostgreSQL server by default, an external server with
 * DATABASE_URL. One pool per process; domain code gets it through `db()`.
 */
import path from 'node:path';
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import * as schema from './schema';
import { startEmbedded, type EmbeddedServer } from './embedded';
import { appRoot } from '../config';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle; commands take it so that their audit record commits with them. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
	db: Db;
	pool: pg.Pool;
	/** `embedded` for the private server, `postgres` for DATABASE_URL. */
	kind: 'embedded' | 'postgres';
	url: string;
	close(): Promise<void>;
}

// DATE columns as plain strings: no time-zone shifts for calendar dates.
pg.types.setTypeParser(1082, (v) => v);
// BIGINT counts fit into numbers here.
pg.types.setTypeParser(20, (v) => Number(v));

// Kept on globalThis: the dev server re-evaluates modules on change, and a reloaded module
// must find the connection that the start-up hook opened.
const holder = ((globalThis as { __kommunennetzDb?: { current?: Database } }).__kommunennetzDb ??= {});

export function db(): Db {
	if (!holder.current) throw new Error('Die Datenbank ist noch nicht verbunden.');
	return holder.current.db;
}
export function database(): Database {
	if (!holder.current) throw new Error('Die Datenbank ist noch nicht verbunden.');
	return holder.current;
}
export function isConnected(): boolean {
	return holder.current !== undefined;
}

export interface OpenOptions {
	/** External server; when absent the embedded server in `dataDir` is used. */
	databaseUrl?: string;
	dataDir: string;
	poolSize?: number;
	log?: (msg: string) => void;
}

/** Opens (and for embedded, starts) the database and makes it the process-wide one. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
	let embedded: EmbeddedServer | undefined;
	let url = opts.databaseUrl;
	if (!url) {
		embedded = await startEmbedded(opts.dataDir, opts.log);
		url = embedded.url;
	}
	const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10, application_name: 'kommunennetz' });
	// An idle client losing its server must not crash the process; the next query reports it.
	pool.on('error', (err) => opts.log?.(`Datenbankverbindung getrennt: ${err.message}`));
	try {
		const c = await pool.connect();
		c.release();
	} catch (err) {
		await pool.end().catch(() => undefined);
		await embedded?.stop();
		throw new Error(`Keine Verbindung zur Datenbank (${redact(url)}): ${(err as Error).message}`);
	}
	const handle: Database = {
		db: drizzle(pool, { schema }),
		pool,
		kind: embedded ? 'embedded' : 'postgres',
		url,
		async close() {
			if (holder.current === handle) holder.current = undefined;
			await pool.end().catch(() => undefined);
			await embedded?.stop();
		}
	};
	holder.current = handle;
	return handle;
}

export function redact(url: string): string {
	return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Any arbitrary 64-bit key shared by every process of this app. */
const MIGRATION_LOCK = 4_711_202_612;

/**
 * Applies the migrations in `drizzle/` under an advisory lock, so that several app processes
 * starting at once against one server migrate exactly once.
 */
export async function migrateDatabase(handle: Database = database()): Promise<void> {
	const client = await handle.pool.connect();
	try {
		await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
		try {
			await migrate(drizzle(client, { schema }), { migrationsFolder: path.join(appRoot(), 'drizzle') });
		} finally {
			await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
		}
	} finally {
		client.release();
	}
}

export { schema };
