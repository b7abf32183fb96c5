/**
 * Helpers for `server` tests: a database of their own per test file (copied from the
 * prepared template), the configuration, and a real SMTP server in the same process.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { readConfig, setConfig, type Config } from '../config';
import { openDatabase, type Database } from '../db';

function withDatabase(url: string, name: string): string {
	const u = new URL(url);
	u.pathname = `/${name}`;
	return u.toString();
}

/** Creates a fresh database from the template. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
	const { serverUrl, template } = inject('testDatabase');
	const name = `${template.replace('template_', '')}_${randomBytes(4).toString('hex')}`;
	const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
	await admin.connect();
	// Copying from a template needs it to be free of other sessions; retry briefly when busy.
	for (let i = 0; ; i++) {
		try {
			await admin.query(`create database ${name} template ${template}`);
			break;
		} catch (e) {
			if (i > 50 || (e as { code?: string }).code !== '55006') throw e;
			await new Promise((r) => setTimeout(r, 100));
		}
	}
	await admin.end();
	return {
		url: withDatabase(serverUrl, name),
		name,
		async drop() {
			const a = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
			await a.connect();
			await a.query(`drop database if exists ${name} with (force)`);
			await a.end();
		}
	};
}

export interface TestContext {
	database: Database;
	config: Config;
}

/**
 * Registers beforeAll/afterAll hooks that give the test file its own database, opened as the
 * process-wide one (so domain functions using `db()` work), and a test configuration.
 */
export function useTestDatabase(overrides: Partial<Config> = {}): TestContext {
	const ctx = {} as TestContext;
	let dropper: (() => Promise<void>) | undefined;
	beforeAll(async () => {
		const created = await createTestDatabase();
		dropper = created.drop;
		ctx.config = { ...readConfig({ ORIGIN: 'http://127.0.0.1:3999', MAIL_FROM: 'Kommunennetz Test <test@kommunennetz.example>' }), databaseUrl: created.url, ...overrides };
		setConfig(ctx.config);
		ctx.database = await openDatabase({ databaseUrl: created.url, dataDir: '', poolSize: 5 });
	});
	afterAll(async () => {
		await ctx.database?.close();
		await dropper?.();
	});
	return ctx;
}
