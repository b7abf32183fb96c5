/**
 * Browser tests run against the real production build:
 *   1. build the app into folders of this run (never racing `npm start` or a dev server),
 *   2. start a real SMTP server (and an HTTP endpoint for the tests to read the mails),
 *   3. start `node <build>/index.js` with a fresh embedded database (or a fresh database on
 *      E2E_DATABASE_URL's server) and wait for /healthz.
 * Tests get the addresses through `inject('e2e')`.
 *
 * E2E_BUILD_DIR=<folder> reuses an existing build (faster when iterating on tests);
 * E2E_KEEP_BUILD=1 keeps this run's build for that.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startMailServer, type MailServer } from './support/mail-server';
import { freePort, startApp, type AppProcess } from './support/server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface E2EContext {
	baseURL: string;
	/** HTTP endpoint of the SMTP test server (GET /messages?to=…). */
	mailURL: string;
	root: string;
	/** The build every test server runs from. */
	buildDir: string;
	/** Data folder of the main server (embedded database) or '' with a database URL. */
	dataDir: string;
	databaseKind: 'embedded' | 'postgres';
	/** Server for tests that need a PostgreSQL server of their own making (process tests). */
	postgresServerUrl: string;
}

declare module 'vitest' {
	export interface ProvidedContext {
		e2e: E2EContext;
	}
}

let mail: MailServer | undefined;
let app: AppProcess | undefined;
let runDir: string | undefined;
let dataDir: string | undefined;
let externalDb: { serverUrl: string; name: string } | undefined;

function pidAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** Build folders of earlier runs that were killed before their teardown. */
function removeStaleRuns(base: string): void {
	if (!fs.existsSync(base)) return;
	for (const entry of fs.readdirSync(base)) {
		const m = /^run-(\d+)$/.exec(entry);
		if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(base, entry), { recursive: true, force: true });
	}
}

function build(): string {
	if (process.env.E2E_BUILD_DIR) {
		const dir = path.resolve(root, process.env.E2E_BUILD_DIR);
		if (!fs.existsSync(path.join(dir, 'index.js'))) throw new Error(`E2E_BUILD_DIR=${dir} enthält keinen Build (index.js fehlt).`);
		return dir;
	}
	// Inside the checkout: the server bundle resolves its dependencies from node_modules.
	const base = path.join(root, '.test-build');
	fs.mkdirSync(base, { recursive: true });
	fs.writeFileSync(path.join(base, '.gitignore'), '*\n');
	removeStaleRuns(base);
	// run-<pid> is removed at teardown (or by a later run, once <pid> has ended);
	// E2E_KEEP_BUILD=1 builds into keep-<pid>, which stays for E2E_BUILD_DIR.
	runDir = path.join(base, `${process.env.E2E_KEEP_BUILD ? 'keep' : 'run'}-${process.pid}`);
	const buildDir = path.join(runDir, 'app');
	const t0 = Date.now();
	const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
		cwd: root,
		env: { ...process.env, NODE_ENV: 'production', KN_BUILD_DIR: buildDir, KN_SVELTEKIT_DIR: path.join(runDir, 'kit') },
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024
	});
	if (r.status !== 0) throw new Error(`Der Build für die Browser-Tests ist fehlgeschlagen:\n${r.stdout}\n${r.stderr}`);
	console.log(`[e2e] Build in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${path.relative(root, buildDir)}`);
	return buildDir;
}

function checkChromium(): void {
	const exe = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
	if (!fs.existsSync(exe)) {
		throw new Error(
			`Chromium fehlt (${exe}). Die Browser-Tests brauchen Debians Chromium: apt-get install -y chromium ` +
				`(oder CHROMIUM_PATH setzen). Lokal lassen sie sich mit SKIP_BROWSER_TESTS=1 npm test auslassen, in CI nie.`
		);
	}
}

function withDatabase(url: string, name: string): string {
	const u = new URL(url);
	u.pathname = `/${name}`;
	return u.toString();
}

export async function setup(project: TestProject) {
	checkChromium();
	const buildDir = build();
	mail = await startMailServer(await freePort());

	let databaseUrl: string | undefined;
	if (process.env.E2E_DATABASE_URL) {
		// A database of this run's own, so that throttling counters and users never carry over.
		externalDb = { serverUrl: process.env.E2E_DATABASE_URL, name: `kn_e2e_${process.pid}_${Date.now().toString(36)}` };
		const admin = new pg.Client({ connectionString: withDatabase(externalDb.serverUrl, 'postgres') });
		await admin.connect();
		await admin.query(`create database ${externalDb.name}`);
		await admin.end();
		databaseUrl = withDatabase(externalDb.serverUrl, externalDb.name);
	} else {
		dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-e2e-'));
	}

	app = await startApp({
		root,
		buildDir,
		dataDir,
		databaseUrl,
		smtpUrl: mail.smtp.url,
		// Every test context sends its own X-Forwarded-For, so that the per-address login
		// throttling of one test never locks out another (all requests come from 127.0.0.1).
		env: { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' }
	});
	console.log(`[e2e] Server: ${app.url} (${databaseUrl ? 'PostgreSQL-Server' : `eingebettet, ${dataDir}`}), Mail: ${mail.httpUrl}`);

	project.provide('e2e', {
		baseURL: app.url,
		mailURL: mail.httpUrl,
		root,
		buildDir,
		dataDir: dataDir ?? '',
		databaseKind: databaseUrl ? 'postgres' : 'embedded',
		postgresServerUrl: process.env.E2E_POSTGRES_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
	});
}

export async function teardown() {
	const problems: string[] = [];
	if (app) {
		try {
			const exit = await app.stop('SIGTERM', 20_000);
			if (exit.code !== 0) problems.push(`Der Server endete nach SIGTERM mit Code ${exit.code} (Signal ${exit.signal}).\n${app.output().slice(-4000)}`);
		} catch (err) {
			problems.push((err as Error).message);
		}
		if (process.env.E2E_SERVER_LOG) fs.writeFileSync(process.env.E2E_SERVER_LOG, app.output());
	}
	await mail?.close();
	if (externalDb) {
		const admin = new pg.Client({ connectionString: withDatabase(externalDb.serverUrl, 'postgres') });
		await admin.connect();
		await admin.query(`drop database if exists ${externalDb.name} with (force)`).catch(() => undefined);
		await admin.end();
	}
	if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
	if (runDir && !process.env.E2E_KEEP_BUILD) fs.rmSync(runDir, { recursive: true, force: true });
	else if (runDir) console.log(`[e2e] Build bleibt: E2E_BUILD_DIR=${path.relative(root, path.join(runDir, 'app'))}`);
	if (problems.length) throw new Error(problems.join('\n'));
}
