#!/usr/bin/env node
/**
 * `npm run bench:foundation`: what a fresh installation costs and how the base serves.
 *   - time to healthy: first start on an empty database (embedded: includes creating the
 *     cluster; migrations, 432 areas, demo data) and a restart on the same data;
 *   - resident memory of the server process after start and after load;
 *   - /healthz, GET /api/v1/areas?limit=1000 and the page /gebiete under concurrent load
 *     (autocannon; bounded by BENCH_SECONDS, default 8 s per path).
 * On both databases (BENCH_DATABASES=embedded,postgres).
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import { build, DATABASES, log, prepareDatabase, startApp, stopApp } from './lib.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PORT = Number(process.env.BENCH_PORT ?? 5391);

function rssMb(pid) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024);
	} catch {
		return NaN;
	}
}

async function timedStart(buildDir, vars) {
	const t0 = performance.now();
	const app = await startApp(buildDir, PORT, { ...vars, DEMO_DATA: '1' });
	return { app, ms: Math.round(performance.now() - t0) };
}

async function load(url, path) {
	const r = await autocannon({ url: url + path, connections: CONNECTIONS, duration: SECONDS });
	return { path, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

const out = build('bench-foundation');
const results = [];
try {
	for (const kind of DATABASES) {
		const db = await prepareDatabase(kind, 'kn-bench-foundation');
		try {
			const first = await timedStart(out.dir, db.vars);
			const rssIdle = rssMb(first.app.child.pid);
			const loads = [];
			for (const path of ['/healthz', '/api/v1/areas?limit=1000', '/gebiete']) loads.push(await load(first.app.url, path));
			const rssLoaded = rssMb(first.app.child.pid);
			await stopApp(first.app);
			const again = await timedStart(out.dir, db.vars);
			await stopApp(again.app);
			results.push({ kind, firstStartMs: first.ms, restartMs: again.ms, rssIdle, rssLoaded, loads });
			log(`${kind}: erster Start ${first.ms} ms, Neustart ${again.ms} ms, RSS ${rssIdle} → ${rssLoaded} MB`);
			for (const l of loads) log(`  ${l.path}: ${l.rps} req/s, p50 ${l.p50} ms, p99 ${l.p99} ms, non-2xx ${l.non2xx}, errors ${l.errors}`);
		} finally {
			await db.cleanup();
		}
	}
} finally {
	out.remove();
}
console.log(JSON.stringify(results, null, 2));
const bad = results.flatMap((r) => r.loads).filter((l) => l.non2xx > 0 || l.errors > 0);
if (bad.length) {
	console.error('Fehlerhafte Antworten unter Last:', bad);
	process.exit(1);
}
