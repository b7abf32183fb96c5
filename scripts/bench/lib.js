/**
 * What the benches against the built server share: building the app once, a database of their
 * own (embedded or on an external PostgreSQL), and starting and stopping the server.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DATABASES = (process.env.BENCH_DATABASES ?? 'embedded,postgres').split(',').map((s) => s.trim()).filter(Boolean);

// The app reads these from its environment; the bench's own shell must not leak them in.
const APP_VARIABLES = /^(PORT|HOST|ORIGIN|DATA_DIR|DATABASE_URL|SMTP_URL|MAIL_FROM|DEMO_DATA|BODY_SIZE_LIMIT|KOMMUNENNETZ_ROOT|TEST_DATABASE_URL|KN_.*|NODE_ENV)$/;
export function appEnv(vars) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!APP_VARIABLES.test(k)) env[k] = v;
	for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
	return env;
}

export const log = (msg) => console.log(`[bench] ${msg}`);

/**
 * Builds the app into .test-build/<name>-<pid> (or uses BENCH_BUILD_DIR).
 * @returns {{ dir: string, remove: () => void }} the folder with index.js, and what removes the build afterwards
 */
export function build(name) {
	if (process.env.BENCH_BUILD_DIR) return { dir: path.resolve(root, process.env.BENCH_BUILD_DIR), remove: () => {} };
	const buildRun = path.join(root, '.test-build', `${name}-${process.pid}`);
	fs.mkdirSync(buildRun, { recursive: true });
	fs.writeFileSync(path.join(root, '.test-build', '.gitignore'), '*\n');
	const out = path.join(buildRun, 'app');
	const remove = () => fs.rmSync(buildRun, { recursive: true, force: true });
	log('Baue die Anwendung …');
	const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
		cwd: root,
		env: { ...process.env, NODE_ENV: 'production', KN_BUILD_DIR: out, KN_SVELTEKIT_DIR: path.join(buildRun, 'kit') },
		stdio: 'inherit'
	});
	if (r.status !== 0) throw new Error('Build fehlgeschlagen');
	return { dir: out, remove };
}

/**
 * A database of the bench's own: `embedded` gets a fresh DATA_DIR; anything else a fresh database
 * on PG_URL (and a DATA_DIR for the app's files).
 * @param {string} kind `embedded` or `postgres`
 * @param {string} prefix distinguishes the benches' folders and databases, e.g. `kn-bench-members`
 * @returns {Promise<{ vars: Record<string, string>, cleanup: () => Promise<void> }>}
 */
export async function prepareDatabase(kind, prefix) {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
	if (kind === 'embedded') return { vars: { DATA_DIR: dataDir }, cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
	const name = `${prefix.replaceAll('-', '_')}_${process.pid}_${Date.now().toString(36)}`;
	const admin = new pg.Client({ connectionString: PG_URL });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const u = new URL(PG_URL);
	u.pathname = `/${name}`;
	return {
		vars: { DATABASE_URL: u.toString(), DATA_DIR: dataDir },
		cleanup: async () => {
			fs.rmSync(dataDir, { recursive: true, force: true });
			const a = new pg.Client({ connectionString: PG_URL });
			await a.connect();
			await a.query(`drop database if exists ${name} with (force)`);
			await a.end();
		}
	};
}

/** Starts the built server on 127.0.0.1:`port` and waits until /healthz answers. */
export async function startApp(buildDir, port, vars) {
	const url = `http://127.0.0.1:${port}`;
	const child = spawn(process.execPath, [path.join(buildDir, 'index.js')], {
		cwd: root,
		env: appEnv({ NODE_ENV: 'production', KOMMUNENNETZ_ROOT: root, PORT: String(port), HOST: '127.0.0.1', ORIGIN: url, DEMO_DATA: '0', ...vars }),
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	for (let i = 0; i < 600; i++) {
		if (child.exitCode !== null) throw new Error(`Server beendet:\n${output}`);
		try {
			const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (res.ok) return { url, child, output: () => output };
		} catch {
			/* not yet */
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	child.kill('SIGKILL');
	throw new Error(`Server nicht bereit:\n${output}`);
}

/** SIGTERM, and SIGKILL if the server has not exited after 20 s. */
export async function stopApp(app) {
	if (app.child.exitCode !== null) return;
	const exited = new Promise((r) => app.child.once('exit', r));
	app.child.kill('SIGTERM');
	await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
	if (app.child.exitCode === null) app.child.kill('SIGKILL');
}
