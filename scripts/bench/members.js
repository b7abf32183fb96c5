#!/usr/bin/env node
/**
 * `npm run bench` (members): the directory and the members API with every Gemeinde and Kreis
 * of NRW and the five Bezirksregierungen as members (432), against the built server, on the
 * embedded PostgreSQL server and on an external one. Measures the time from request to full
 * response on 127.0.0.1 (≈ server time) of GET /mitglieder (map + table of all 432) and
 * GET /api/v1/members (default page and all 432), sequentially (one connection) and under
 * concurrency. Targets (median of the sequential requests): /mitglieder < 100 ms, API list < 50 ms;
 * p95 and p99 are reported too (on a shared machine they show its other load).
 *
 * Environment (all optional):
 *   BENCH_DATABASES   embedded,postgres (default both)
 *   BENCH_PG_URL      server for the external run (default postgres://postgres@127.0.0.1:5432/postgres);
 *                     a database of its own is created there and dropped afterwards
 *   BENCH_REQUESTS    requests per measurement (default 300)
 *   BENCH_PORT        port of the app (default 5410)
 *   BENCH_BUILD_DIR   reuse an existing build (folder with index.js) instead of building
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PORT = Number(process.env.BENCH_PORT ?? 5410);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASES = (process.env.BENCH_DATABASES ?? 'embedded,postgres').split(',').map((s) => s.trim()).filter(Boolean);

const APP_VARIABLES = /^(PORT|HOST|ORIGIN|DATA_DIR|DATABASE_URL|SMTP_URL|MAIL_FROM|DEMO_DATA|BODY_SIZE_LIMIT|KOMMUNENNETZ_ROOT|TEST_DATABASE_URL|KN_.*|NODE_ENV)$/;
function appEnv(vars) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) if (!APP_VARIABLES.test(k)) env[k] = v;
	for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
	return env;
}
const log = (msg) => console.log(`[bench] ${msg}`);

let buildRun;
function build() {
	if (process.env.BENCH_BUILD_DIR) return path.resolve(root, process.env.BENCH_BUILD_DIR);
	buildRun = path.join(root, '.test-build', `bench-members-${process.pid}`);
	fs.mkdirSync(buildRun, { recursive: true });
	fs.writeFileSync(path.join(root, '.test-build', '.gitignore'), '*\n');
	const out = path.join(buildRun, 'app');
	log('Baue die Anwendung …');
	const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'error'], {
		cwd: root,
		env: { ...process.env, NODE_ENV: 'production', KN_BUILD_DIR: out, KN_SVELTEKIT_DIR: path.join(buildRun, 'kit') },
		stdio: 'inherit'
	});
	if (r.status !== 0) throw new Error('Build fehlgeschlagen');
	return out;
}

function seed(vars) {
	const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/bench/members-seed.ts')], {
		cwd: root,
		env: appEnv({ KOMMUNENNETZ_ROOT: root, DEMO_DATA: '0', ...vars }),
		encoding: 'utf8',
		timeout: 600_000
	});
	if (r.status !== 0) throw new Error(`Befüllen fehlgeschlagen:\n${r.stdout}\n${r.stderr}`);
	return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function startApp(buildDir, vars) {
	const url = `http://127.0.0.1:${PORT}`;
	const child = spawn(process.execPath, [path.join(buildDir, 'index.js')], {
		cwd: root,
		env: appEnv({ NODE_ENV: 'production', KOMMUNENNETZ_ROOT: root, PORT: String(PORT), HOST: '127.0.0.1', ORIGIN: url, DEMO_DATA: '0', ...vars }),
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	for (let i = 0; i < 600; i++) {
		if (child.exitCode !== null) throw new Error(`Server beendet:\n${output}`);
		try {
			const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (res.ok) return { url, child };
		} catch {
			/* not yet */
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	child.kill('SIGKILL');
	throw new Error(`Server nicht bereit:\n${output}`);
}

async function stopApp(app) {
	if (app.child.exitCode !== null) return;
	const exited = new Promise((r) => app.child.once('exit', r));
	app.child.kill('SIGTERM');
	await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
	if (app.child.exitCode === null) app.child.kill('SIGKILL');
}

/** Sequential requests: each one's time from sending to the last byte. */
async function sequential(url, n) {
	const times = [];
	let bytes = 0;
	for (let i = 0; i < n; i++) {
		const t = process.hrtime.bigint();
		const res = await fetch(url);
		const body = await res.arrayBuffer();
		times.push(Number(process.hrtime.bigint() - t) / 1e6);
		if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
		bytes = body.byteLength;
	}
	times.sort((a, b) => a - b);
	const pct = (p) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
	return { p50: pct(50), p95: pct(95), p99: pct(99), mean: times.reduce((a, b) => a + b, 0) / times.length, bytes };
}

async function concurrent(url, connections, amount) {
	const r = await autocannon({ url, connections, amount, timeout: 30 });
	return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function run(kind, buildDir) {
	let vars;
	let cleanup;
	if (kind === 'embedded') {
		const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bench-members-'));
		vars = { DATA_DIR: dataDir };
		cleanup = async () => fs.rmSync(dataDir, { recursive: true, force: true });
	} else {
		const name = `kn_bench_members_${process.pid}_${Date.now().toString(36)}`;
		const admin = new pg.Client({ connectionString: PG_URL });
		await admin.connect();
		await admin.query(`create database ${name}`);
		await admin.end();
		const u = new URL(PG_URL);
		u.pathname = `/${name}`;
		vars = { DATABASE_URL: u.toString(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bench-members-')) };
		cleanup = async () => {
			fs.rmSync(vars.DATA_DIR, { recursive: true, force: true });
			const a = new pg.Client({ connectionString: PG_URL });
			await a.connect();
			await a.query(`drop database if exists ${name} with (force)`);
			await a.end();
		};
	}
	try {
		log(`${kind}: 432 Mitglieder anlegen …`);
		const seeded = seed(vars);
		log(`${kind}: ${seeded.members} Mitglieder in ${seeded.seconds.toFixed(1)} s angelegt.`);
		const app = await startApp(buildDir, vars);
		try {
			const targets = [
				['GET /mitglieder (Karte + Tabelle, 432)', `${app.url}/mitglieder`, 100],
				['GET /mitglieder?rb=059 (gefiltert)', `${app.url}/mitglieder?rb=059&sortierung=beitritt`, 100],
				['GET /api/v1/members (Standard: 100)', `${app.url}/api/v1/members`, 50],
				['GET /api/v1/members?limit=1000 (alle 432)', `${app.url}/api/v1/members?limit=1000`, 50]
			];
			const rows = [];
			for (const [label, url, target] of targets) {
				const check = await (await fetch(url)).text();
				if (url.includes('/api/')) {
					const total = JSON.parse(check).total;
					if (total !== 432) throw new Error(`${label}: total ${total}, erwartet 432`);
				}
				await sequential(url, 20); // warm-up
				const s = await sequential(url, REQUESTS);
				const c = await concurrent(url, 10, REQUESTS * 2);
				rows.push({ label, target, ...s, rps: c.rps, cp50: c.p50, cp99: c.p99, non2xx: c.non2xx + c.errors });
				log(`${kind}: ${label}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms (Ziel < ${target} ms) · ${Math.round(s.bytes / 1024)} KB · 10 gleichzeitig: ${Math.round(c.rps)}/s, p99 ${c.p99} ms, Fehler ${c.non2xx}`);
			}
			return { kind, rows };
		} finally {
			await stopApp(app);
		}
	} finally {
		await cleanup();
	}
}

const buildDir = build();
const results = [];
try {
	for (const kind of DATABASES) results.push(await run(kind, buildDir));
} finally {
	if (buildRun) fs.rmSync(buildRun, { recursive: true, force: true });
}
console.log('\n| Datenbank | Anfrage | p50 | p95 | p99 | Ziel | Größe | 10 gleichzeitig: Anfragen/s, p99 |');
console.log('|---|---|---|---|---|---|---|---|');
let ok = true;
for (const r of results)
	for (const x of r.rows) {
		const pass = x.p50 < x.target && x.non2xx === 0;
		ok &&= pass;
		console.log(`| ${r.kind === 'embedded' ? 'eingebettet' : 'PostgreSQL 15'} | ${x.label} | ${x.p50.toFixed(1)} ms | ${x.p95.toFixed(1)} ms | ${x.p99.toFixed(1)} ms | < ${x.target} ms ${pass ? '✓' : '✗'} | ${Math.round(x.bytes / 1024)} KB | ${Math.round(x.rps)}/s, ${x.cp99} ms |`);
	}
process.exitCode = ok ? 0 : 1;
