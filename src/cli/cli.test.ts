import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../lib/server/testing';
import { main } from './main';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const saved = { ...process.env };

beforeAll(async () => {
	database = await createTestDatabase();
	process.env.DATABASE_URL = database.url;
});
afterAll(async () => {
	process.env = saved;
	await database.drop();
});

async function run(...argv: string[]) {
	const out: string[] = [];
	const err: string[] = [];
	const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
	return { code, out: out.join('\n'), err: err.join('\n'), lastLine: out.at(-1) ?? '' };
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
	const c = new pg.Client({ connectionString: database.url });
	await c.connect();
	try {
		return (await c.query<T>(sql, params)).rows;
	} finally {
		await c.end();
	}
}

describe('kommunennetz CLI', () => {
	it('prints help with exit code 0 and rejects unknown commands with 2', async () => {
		const help = await run('--help');
		expect(help.code).toBe(0);
		expect(help.out).toContain('user create');
		const cmdHelp = await run('token', 'create', '--help');
		expect(cmdHelp.code).toBe(0);
		expect(cmdHelp.out).toContain('--email');
		const bad = await run('user', 'delete');
		expect(bad.code).toBe(2);
		expect(bad.err).toContain('Unbekannter Befehl');
	});

	it('creates a user with a role and area and records it in the audit log', async () => {
		const r = await run('user', 'create', '--email', 'Kontakt@Essen.example', '--name', 'Erika Essen', '--role', 'member_contact', '--ags', '05113000', '--password', 'ein-langes-passwort');
		expect(r.code, r.err).toBe(0);
		expect(r.out).toContain('Kontakt@Essen.example');
		const [user] = await query<{ role: string; area_ags: string; status: string }>('select role, area_ags, status from users where lower(email) = $1', ['kontakt@essen.example']);
		expect(user).toEqual({ role: 'member_contact', area_ags: '05113000', status: 'active' });
		const audit = await query('select * from audit_log where action = $1', ['user.created']);
		expect(audit).toHaveLength(1);
		expect(audit[0].actor_label).toBe('Kommandozeile');
	});

	it('explains bad input in German with exit code 2 and creates nothing', async () => {
		const missing = await run('user', 'create', '--email', 'x@example.org');
		expect(missing.code).toBe(2);
		expect(missing.err).toMatch(/Es fehlt: --name, --role/);
		const role = await run('user', 'create', '--email', 'y@example.org', '--name', 'Yvonne', '--role', 'admin');
		expect(role.code).toBe(2);
		expect(role.err).toContain('role');
		const ags = await run('user', 'create', '--email', 'z@example.org', '--name', 'Zoe Z', '--role', 'member_contact', '--ags', '05999999');
		expect(ags.code).toBe(2);
		expect(ags.err).toContain('05999999');
		const dup = await run('user', 'create', '--email', 'KONTAKT@essen.example', '--name', 'Doppelt', '--role', 'partner');
		expect(dup.code).toBe(1);
		expect(dup.err).toContain('bereits');
		const [{ n }] = await query<{ n: number }>('select count(*)::int as n from users');
		expect(n).toBe(1);
	});

	it('creates an API token and prints it as the last line', async () => {
		const r = await run('token', 'create', '--email', 'kontakt@essen.example');
		expect(r.code, r.err).toBe(0);
		expect(r.lastLine).toMatch(/^knt_[\w-]{40,}$/);
		const [row] = await query<{ token_hash: string }>('select token_hash from api_tokens');
		expect(row.token_hash).not.toContain(r.lastLine); // stored hashed only
		const unknown = await run('token', 'create', '--email', 'niemand@example.org');
		expect(unknown.code).toBe(2);
	});

	it('migrates idempotently and loads demo data once', async () => {
		expect((await run('migrate')).code).toBe(0);
		expect((await run('demo-data')).code).toBe(0);
		expect((await run('demo-data')).code).toBe(0);
		const [{ n }] = await query<{ n: number }>("select count(*)::int as n from users where email = 'koordination@kommunennetz.example'");
		expect(n).toBe(1);
	});
});
