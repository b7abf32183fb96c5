/**
 * The server as a process: killed, stopped, misconfigured, started twice at once, and the CLI
 * next to it. Every test starts its own server processes from the shared build, each with a
 * data folder (or database) of its own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { appEnv, eventually, isRunning, postgresProcessesFor, runCli, startApp, type AppProcess } from './support/server';

const { root, buildDir, postgresServerUrl } = inject('e2e');

const started: AppProcess[] = [];
const folders: string[] = [];

function dataDir(): string {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-e2e-proc-'));
	folders.push(dir);
	return dir;
}

async function start(opts: { dataDir?: string; databaseUrl?: string }): Promise<AppProcess> {
	const app = await startApp({ root, buildDir, ...opts });
	started.push(app);
	return app;
}

afterAll(async () => {
	for (const app of started) await app.stop('SIGTERM', 20_000).catch(() => app.child.kill('SIGKILL'));
	// Anything still running on our folders (after a failed test) is stopped, then removed.
	for (const dir of folders) {
		for (const pid of postgresProcessesFor(dir)) {
			try {
				process.kill(pid, 'SIGTERM');
			} catch {
				/* gone */
			}
		}
		await eventually(() => postgresProcessesFor(dir).length === 0, 15_000);
		fs.rmSync(dir, { recursive: true, force: true });
	}
}, 60_000);

function expectNoStackTrace(text: string) {
	expect(text, 'keine Stack-Ausgabe').not.toMatch(/^\s+at .+[:(]\d+/m);
	expect(text).not.toMatch(/node:internal|file:\/\//);
}

/** The embedded server's postmaster PID from postmaster.pid, or undefined. */
function postmasterPid(dir: string): number | undefined {
	try {
		return Number(fs.readFileSync(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]) || undefined;
	} catch {
		return undefined;
	}
}

async function me(app: AppProcess, token: string) {
	const res = await fetch(`${app.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
	return { status: res.status, body: (await res.json()) as { email?: string } };
}

function lastLine(s: string): string {
	return s.trim().split('\n').at(-1)!.trim();
}

describe('embedded database', () => {
	it('SIGKILL: the next start on the same data folder is healthy, keeps the data and uses one PostgreSQL', async () => {
		const dir = dataDir();
		const first = await start({ dataDir: dir });
		const created = runCli(root, ['user', 'create', '--email', 'vor-dem-kill@example.org', '--name', 'Vor dem Kill', '--role', 'coordinator', '--password', 'Vor-dem-Kill-2026'], { DATA_DIR: dir });
		expect(created.status, created.stderr).toBe(0);
		const pidBefore = postmasterPid(dir);
		expect(pidBefore).toBeTruthy();

		first.child.kill('SIGKILL');
		expect((await first.exited).signal).toBe('SIGKILL');

		const second = await start({ dataDir: dir });
		expect(postgresProcessesFor(dir).length, 'genau ein PostgreSQL auf dem Datenordner').toBe(1);
		const token = runCli(root, ['token', 'create', '--email', 'vor-dem-kill@example.org'], { DATA_DIR: dir });
		expect(token.status, token.stderr).toBe(0);
		const res = await me(second, lastLine(token.stdout));
		expect(res.status).toBe(200);
		expect(res.body.email).toBe('vor-dem-kill@example.org');
		const health = await (await fetch(`${second.url}/healthz`)).json();
		expect(health).toEqual({ status: 'ok', database: 'embedded' });

		// The server left behind by the killed process is stopped with the last process.
		const exit = await second.stop('SIGTERM', 20_000);
		expect(exit.code, second.output()).toBe(0);
		expect(await eventually(() => postgresProcessesFor(dir).length === 0, 10_000), 'kein PostgreSQL bleibt zurück').toBe(true);
	}, 180_000);

	it('SIGKILL while the database is being created: the next start creates it anew, no manual step', async () => {
		const dir = dataDir();
		const first = await startApp({ root, buildDir, dataDir: dir, waitHealthy: false });
		started.push(first);
		// Kill as soon as initdb has begun writing the cluster (wherever it writes it).
		const begun = await eventually(
			() => fs.readdirSync(dir).some((e) => e.startsWith('postgres') && fs.existsSync(path.join(dir, e, 'PG_VERSION'))),
			30_000,
			10
		);
		expect(begun, first.output()).toBe(true);
		first.child.kill('SIGKILL');
		await first.exited;

		const second = await start({ dataDir: dir });
		const res = await fetch(`${second.url}/api/v1/areas/05113000`);
		expect(res.status).toBe(200);
		expect((await second.stop('SIGTERM', 15_000)).code, second.output()).toBe(0);
		expect(await eventually(() => postgresProcessesFor(dir).length === 0, 10_000)).toBe(true);
		// Only the data folder's own content remains, no half-made leftovers.
		expect(fs.readdirSync(dir).filter((e) => e.startsWith('postgres.'))).toEqual([]);
	}, 180_000);

	it('two processes started at once on a fresh data folder share one new PostgreSQL', async () => {
		const dir = dataDir();
		const [a, b] = await Promise.all([start({ dataDir: dir }), start({ dataDir: dir })]);
		expect(postgresProcessesFor(dir).length, 'genau ein PostgreSQL').toBe(1);
		for (const app of [a, b]) expect((await fetch(`${app.url}/api/v1/areas/05113000`)).status).toBe(200);
		const token = runCli(root, ['token', 'create', '--email', 'koordination@kommunennetz.example'], { DATA_DIR: dir });
		expect(token.status, token.stderr).toBe(0);
		for (const app of [a, b]) expect((await me(app, lastLine(token.stdout))).status).toBe(200);
		expect((await a.stop('SIGTERM', 15_000)).code, a.output()).toBe(0);
		expect(postgresProcessesFor(dir).length, 'läuft für den zweiten Prozess weiter').toBe(1);
		expect((await fetch(`${b.url}/api/v1/areas/05113000`)).status).toBe(200);
		expect((await b.stop('SIGTERM', 15_000)).code, b.output()).toBe(0);
		expect(await eventually(() => postgresProcessesFor(dir).length === 0, 10_000), 'der letzte Prozess stoppt PostgreSQL').toBe(true);
	}, 180_000);

	it('SIGTERM: the process exits 0 within seconds and stops its PostgreSQL', async () => {
		const dir = dataDir();
		const app = await start({ dataDir: dir });
		const pid = postmasterPid(dir);
		expect(pid).toBeTruthy();
		const t0 = Date.now();
		const exit = await app.stop('SIGTERM', 15_000);
		const took = Date.now() - t0;
		expect(exit, app.output()).toEqual({ code: 0, signal: null });
		expect(took, 'Dauer bis zum Ende in ms').toBeLessThan(10_000);
		expect(postgresProcessesFor(dir)).toEqual([]);
		expect(isRunning(pid!), 'der Postmaster läuft nicht mehr').toBe(false);
		expect(fs.existsSync(path.join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
		expectNoStackTrace(app.stderr());
	}, 120_000);

	it('SIGTERM during the start (database still coming up) also ends cleanly', async () => {
		const dir = dataDir();
		const app = await startApp({ root, buildDir, dataDir: dir, waitHealthy: false });
		started.push(app);
		// Wait until the process listens, then stop it while initdb/migrations are running.
		await eventually(async () => {
			try {
				await fetch(`${app.url}/healthz`);
				return true;
			} catch {
				return false;
			}
		}, 20_000, 50);
		const exit = await app.stop('SIGTERM', 30_000);
		expect(exit.code, app.output()).toBe(0);
		expect(await eventually(() => postgresProcessesFor(dir).length === 0, 10_000), 'kein PostgreSQL bleibt zurück').toBe(true);
	}, 120_000);
});

describe('invalid configuration', () => {
	const cases: [string, string, string][] = [
		['PORT', 'abc', 'PORT'],
		['DATABASE_URL', 'mysql://x', 'DATABASE_URL'],
		['ORIGIN', 'notaurl', 'ORIGIN']
	];
	for (const [name, value, mentioned] of cases) {
		it(`npm start with ${name}=${value} exits 2 with a German message and no stack trace`, () => {
			const r = spawnSync(process.execPath, [path.join(root, 'scripts/start.js')], {
				cwd: root,
				env: appEnv({ [name]: value, DATA_DIR: path.join(os.tmpdir(), 'kn-e2e-never-created') }),
				encoding: 'utf8',
				timeout: 60_000
			});
			expect(r.status, r.stderr).toBe(2);
			expect(r.stderr).toContain(mentioned);
			expect(r.stderr).toMatch(/Ungültige Konfiguration|muss/);
			expectNoStackTrace(r.stderr);
			expect(fs.existsSync(path.join(os.tmpdir(), 'kn-e2e-never-created'))).toBe(false);
		}, 90_000);
	}
	for (const [name, value, mentioned] of cases.filter(([n]) => n !== 'ORIGIN')) {
		it(`the built server with ${name}=${value} exits 2 with a German message and no stack trace`, () => {
			const r = spawnSync(process.execPath, [path.join(buildDir, 'index.js')], {
				cwd: root,
				env: appEnv({ KOMMUNENNETZ_ROOT: root, NODE_ENV: 'production', HOST: '127.0.0.1', [name]: value, DATA_DIR: path.join(os.tmpdir(), 'kn-e2e-never-created') }),
				encoding: 'utf8',
				timeout: 30_000
			});
			expect(r.status, r.stderr).toBe(2);
			expect(r.stderr).toContain(mentioned);
			expectNoStackTrace(r.stderr);
		}, 60_000);
	}
});

describe('two processes, one PostgreSQL server', () => {
	function databaseUrl(name: string): string {
		const u = new URL(postgresServerUrl);
		u.pathname = `/${name}`;
		return u.toString();
	}

	async function counts(url: string): Promise<{ users: number; distinctEmails: number; areas: number; migrations: number }> {
		const client = new pg.Client({ connectionString: url });
		await client.connect();
		try {
			const users = await client.query('select count(*)::int as n, count(distinct lower(email))::int as d from users');
			const areas = await client.query('select count(*)::int as n from areas');
			const migrations = await client.query('select count(*)::int as n from drizzle.__drizzle_migrations');
			return { users: users.rows[0].n, distinctEmails: users.rows[0].d, areas: areas.rows[0].n, migrations: migrations.rows[0].n };
		} finally {
			await client.end();
		}
	}

	it('start at the same time against a fresh database: both healthy, migrated and loaded once', async () => {
		const stamp = `${process.pid}_${Date.now().toString(36)}`;
		const name = `kn_e2e_two_${stamp}`;
		const reference = `kn_e2e_ref_${stamp}`;
		const admin = new pg.Client({ connectionString: databaseUrl('postgres') });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.query(`create database ${reference}`);
		try {
			const [a, b] = await Promise.all([start({ databaseUrl: databaseUrl(name) }), start({ databaseUrl: databaseUrl(name) })]);
			for (const app of [a, b]) {
				const health = await (await fetch(`${app.url}/healthz`)).json();
				expect(health).toEqual({ status: 'ok', database: 'postgres' });
				expect((await fetch(`${app.url}/api/v1/areas/05113000`)).status).toBe(200);
			}
			for (const app of [a, b]) {
				const exit = await app.stop('SIGTERM', 15_000);
				expect(exit.code, app.output()).toBe(0);
			}

			// What one load of the demo data gives: the CLI on a database of its own.
			const loaded = runCli(root, ['demo-data'], { DATABASE_URL: databaseUrl(reference) });
			expect(loaded.status, loaded.stderr).toBe(0);
			const once = await counts(databaseUrl(reference));
			expect(once.users).toBeGreaterThan(0);

			const journal = JSON.parse(fs.readFileSync(path.join(root, 'drizzle/meta/_journal.json'), 'utf8')) as { entries: unknown[] };
			const both = await counts(databaseUrl(name));
			expect(both.migrations, 'jede Migration genau einmal').toBe(journal.entries.length);
			expect(both.users, 'Demokonten genau einmal').toBe(once.users);
			expect(both.distinctEmails).toBe(both.users);
			expect(both.areas).toBe(432);
		} finally {
			await admin.query(`drop database if exists ${name} with (force)`);
			await admin.query(`drop database if exists ${reference} with (force)`);
			await admin.end();
		}
	}, 180_000);
});

describe('CLI next to the app', () => {
	it('user create and token create work while the app runs and while it does not; the token works for /api/v1/me', async () => {
		const dir = dataDir();
		const app = await start({ dataDir: dir });

		const created = runCli(root, ['user', 'create', '--email', 'cli-laufend@example.org', '--name', 'CLI Laufend', '--role', 'coordinator', '--password', 'Cli-Laufend-2026'], { DATA_DIR: dir });
		expect(created.status, created.stderr).toBe(0);
		expect(created.stdout).toContain('cli-laufend@example.org');
		const tokenRun = runCli(root, ['token', 'create', '--email', 'cli-laufend@example.org', '--name', 'E2E'], { DATA_DIR: dir });
		expect(tokenRun.status, tokenRun.stderr).toBe(0);
		const token = lastLine(tokenRun.stdout);
		expect(token).not.toMatch(/\s/);
		const res = await me(app, token);
		expect(res.status).toBe(200);
		expect(res.body.email).toBe('cli-laufend@example.org');
		// The CLI did not take the shared database down with it.
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
		expect(postgresProcessesFor(dir).length).toBe(1);

		expect((await app.stop('SIGTERM', 15_000)).code).toBe(0);
		expect(await eventually(() => postgresProcessesFor(dir).length === 0, 10_000)).toBe(true);

		const offline = runCli(root, ['user', 'create', '--email', 'cli-ohne-app@example.org', '--name', 'CLI ohne App', '--role', 'coordinator', '--password', 'Cli-Ohne-App-2026'], { DATA_DIR: dir });
		expect(offline.status, offline.stderr).toBe(0);
		const offlineToken = runCli(root, ['token', 'create', '--email', 'cli-ohne-app@example.org'], { DATA_DIR: dir });
		expect(offlineToken.status, offlineToken.stderr).toBe(0);
		expect(postgresProcessesFor(dir), 'die CLI stoppt den Server, den sie selbst gestartet hat').toEqual([]);

		const again = await start({ dataDir: dir });
		const res2 = await me(again, lastLine(offlineToken.stdout));
		expect(res2.status).toBe(200);
		expect(res2.body.email).toBe('cli-ohne-app@example.org');
		expect((await me(again, token)).status, 'der erste Token gilt weiter').toBe(200);
		expect((await again.stop('SIGTERM', 15_000)).code).toBe(0);
	}, 240_000);

	it('--help exits 0; wrong usage exits 2 with German text', () => {
		const help = runCli(root, ['--help'], {});
		expect(help.status).toBe(0);
		expect(help.stdout).toMatch(/Aufruf/);
		const cmdHelp = runCli(root, ['user', 'create', '--help'], {});
		expect(cmdHelp.status).toBe(0);
		expect(cmdHelp.stdout).toMatch(/--email/);

		const missing = runCli(root, ['user', 'create', '--email', 'x@example.org'], { DATA_DIR: path.join(os.tmpdir(), 'kn-e2e-never-created') });
		expect(missing.status).toBe(2);
		expect(missing.stderr).toMatch(/Es fehlt|fehlt/);
		expectNoStackTrace(missing.stderr);
		const unknown = runCli(root, ['gibtsnicht'], {});
		expect(unknown.status).toBe(2);
		expect(unknown.stderr).toMatch(/Unbekannter Befehl/);
		const badOption = runCli(root, ['token', 'create', '--mail', 'x@example.org'], {});
		expect(badOption.status).toBe(2);
		expect(badOption.stderr).toMatch(/Unbekannte Option|Es fehlt/);
	}, 60_000);
});
