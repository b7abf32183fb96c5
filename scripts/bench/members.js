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
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { appEnv, build, DATABASES, log, prepareDatabase, root, startApp, stopApp } from './lib.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);
const PORT = Number(process.env.BENCH_PORT ?? 5410);

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
	const { vars, cleanup } = await prepareDatabase(kind, 'kn-bench-members');
	try {
		log(`${kind}: 432 Mitglieder anlegen …`);
		const seeded = seed(vars);
		log(`${kind}: ${seeded.members} Mitglieder in ${seeded.seconds.toFixed(1)} s angelegt.`);
		const app = await startApp(buildDir, PORT, vars);
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

const built = build('bench-members');
const results = [];
try {
	for (const kind of DATABASES) results.push(await run(kind, built.dir));
} finally {
	built.remove();
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
