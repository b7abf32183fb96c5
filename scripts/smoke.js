#!/usr/bin/env node
/**
 * Smoke test on Node 24 (the next LTS line): installs `node@24` from the npm registry into a
 * temporary folder, builds the app with that binary into a folder of its own, starts the
 * production server with an embedded database in a temporary DATA_DIR, checks /healthz, /,
 * /api/v1/openapi.json and a login, stops it with SIGTERM and expects a clean exit.
 *
 *   node scripts/smoke.js                 # Node 24 from the npm registry
 *   node scripts/smoke.js --node <path>   # another Node binary (e.g. one already installed)
 *
 * Exit code 0 when everything worked, 1 otherwise.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COORDINATOR = { email: 'koordination@kommunennetz.example', password: 'Demo-Koordination-2026' };
const t0 = Date.now();
const cleanups = [];

function step(msg) {
	console.log(`[smoke ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${msg}`);
}
class SmokeError extends Error {}
function check(ok, msg) {
	if (!ok) throw new SmokeError(msg);
	step(`ok: ${msg}`);
}

function nodeBinary() {
	const i = process.argv.indexOf('--node');
	if (i > 0) return path.resolve(process.argv[i + 1]);
	const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smoke-node-'));
	cleanups.push(() => fs.rmSync(prefix, { recursive: true, force: true }));
	step(`npm install --prefix ${prefix} node@24 …`);
	const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
	const r = spawnSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'node@24'], { stdio: 'inherit', cwd: prefix });
	if (r.status !== 0) throw new SmokeError('npm install node@24 ist fehlgeschlagen');
	const bin = path.join(prefix, 'node_modules', 'node', 'bin', 'node');
	if (!fs.existsSync(bin)) throw new SmokeError(`Das Paket node@24 enthält keine Datei ${bin}`);
	return bin;
}

function canListen(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

async function freePort() {
	const [from, to] = (process.env.E2E_PORTS ?? '5300-5399').split('-').map(Number);
	const start = Math.floor(Math.random() * (to - from + 1));
	for (let i = 0; i <= to - from; i++) {
		const port = from + ((start + i) % (to - from + 1));
		if (await canListen(port)) return port;
	}
	throw new SmokeError(`Kein freier Port zwischen ${from} und ${to}`);
}

/** Environment for the app: ours, without variables that would change what is tested. */
function appEnv(vars) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (!/^(PORT|HOST|ORIGIN|DATA_DIR|DATABASE_URL|SMTP_URL|DEMO_DATA|ADDRESS_HEADER|XFF_DEPTH|TEST_DATABASE_URL|KN_.*|NODE_ENV|KOMMUNENNETZ_ROOT)$/.test(k)) env[k] = v;
	}
	return { ...env, ...vars };
}

function postgresRunningFor(dataDir) {
	const pgdata = path.join(dataDir, 'postgres');
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (path.basename(args[0]) === 'postgres' && args.includes(pgdata)) return Number(entry);
		} catch {
			/* process gone */
		}
	}
	return undefined;
}

async function main() {
	const node = nodeBinary();
	const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
	check(/^v\d+\./.test(version), `Node-Binary ${node} läuft (${version})`);
	if (!process.argv.includes('--node')) check(version.startsWith('v24.'), 'es ist Node 24');

	// Inside the checkout: the server bundle resolves its dependencies from node_modules.
	const work = path.join(root, '.test-build', `smoke-${process.pid}`);
	fs.mkdirSync(path.dirname(work), { recursive: true });
	cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
	const buildDir = path.join(work, 'app');
	step(`vite build mit ${version} nach ${path.relative(root, buildDir)} …`);
	const b = spawnSync(node, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
		cwd: root,
		stdio: 'inherit',
		env: { ...process.env, NODE_ENV: 'production', KN_BUILD_DIR: buildDir, KN_SVELTEKIT_DIR: path.join(work, 'kit') }
	});
	check(b.status === 0 && fs.existsSync(path.join(buildDir, 'index.js')), 'Build erfolgreich');

	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-smoke-data-'));
	cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	step(`Server starten: ${base}, DATA_DIR=${dataDir}`);
	const child = spawn(node, [path.join(buildDir, 'index.js')], {
		cwd: root,
		env: appEnv({ NODE_ENV: 'production', KOMMUNENNETZ_ROOT: root, PORT: String(port), HOST: '127.0.0.1', ORIGIN: base, DATA_DIR: dataDir }),
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	let exit;
	exited.then((e) => (exit = e));
	cleanups.unshift(async () => {
		if (!exit) {
			child.kill('SIGKILL');
			await exited;
		}
		const pid = postgresRunningFor(dataDir);
		if (pid) process.kill(pid, 'SIGTERM');
	});

	try {
		const until = Date.now() + 120_000;
		let health;
		while (Date.now() < until && !exit) {
			try {
				const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
				if (res.status === 200) {
					health = await res.json();
					break;
				}
			} catch {
				/* not listening yet */
			}
			await new Promise((r) => setTimeout(r, 250));
		}
		check(health?.status === 'ok' && health?.database === 'embedded', `/healthz: ${JSON.stringify(health)}`);

		const home = await fetch(`${base}/`);
		const html = await home.text();
		check(home.status === 200 && /<html[^>]+lang="de"/.test(html), `/ antwortet 200 mit einer deutschen Seite`);
		check(/frame-ancestors 'none'/.test(home.headers.get('content-security-policy') ?? ''), '/ hat die Content-Security-Policy');

		const api = await fetch(`${base}/api/v1/openapi.json`);
		const doc = await api.json();
		check(api.status === 200 && /^3\.1/.test(doc.openapi) && Object.keys(doc.paths ?? {}).length > 0, `/api/v1/openapi.json: OpenAPI ${doc.openapi}, ${Object.keys(doc.paths ?? {}).length} Pfade`);

		const login = await fetch(`${base}/anmelden`, {
			method: 'POST',
			redirect: 'manual',
			headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', origin: base },
			body: new URLSearchParams(COORDINATOR).toString()
		});
		const cookie = login.headers.getSetCookie().find((c) => /^kn_session=[^;]+/.test(c));
		check(login.status === 303 && !!cookie, `Anmeldung: ${login.status}, Sitzungs-Cookie ${cookie ? 'gesetzt' : 'fehlt'}`);
		const konto = await fetch(`${base}/konto`, { headers: { cookie: cookie.split(';')[0] }, redirect: 'manual' });
		check(konto.status === 200, `/konto mit der Sitzung: ${konto.status}`);

		const pgPid = postgresRunningFor(dataDir);
		check(!!pgPid, `eingebettetes PostgreSQL läuft (PID ${pgPid})`);
		const tStop = Date.now();
		child.kill('SIGTERM');
		const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 20_000))]);
		check(result && result.code === 0, `SIGTERM: Ende mit Code ${result?.code ?? 'keiner (läuft noch)'} nach ${Date.now() - tStop} ms`);
		let gone = false;
		for (let i = 0; i < 50 && !gone; i++) {
			gone = !postgresRunningFor(dataDir);
			if (!gone) await new Promise((r) => setTimeout(r, 200));
		}
		check(gone, 'eingebettetes PostgreSQL ist beendet');
		check(!/^\s+at .+:\d+/m.test(output), 'keine Stack-Ausgabe im Log');
	} catch (err) {
		console.error(`\n--- Ausgabe des Servers ---\n${output}\n---`);
		throw err;
	}
}

let failed = false;
try {
	await main();
	step('Smoke-Test bestanden.');
} catch (err) {
	failed = true;
	console.error(`[smoke] FEHLGESCHLAGEN: ${err instanceof SmokeError ? err.message : err.stack}`);
} finally {
	for (const c of cleanups) {
		try {
			await c();
		} catch {
			/* best effort */
		}
	}
}
process.exit(failed ? 1 : 0);
