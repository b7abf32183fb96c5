#!/usr/bin/env node
/**
 * `npm test`: every test, in three runs —
 *   1. server tests against a fresh embedded PostgreSQL server,
 *   2. the same against TEST_DATABASE_URL (the machine's PostgreSQL server) when it is set,
 *   3. browser tests (built app, Debian's Chromium, axe-core).
 * Ends with one line "N passed, M failed" and a non-zero exit code on any failure.
 *
 * SKIP_BROWSER_TESTS=1 leaves out run 3 on a developer machine; with CI=true it is ignored,
 * and a missing Chromium or a skipped browser test fails the run.
 * Arguments are passed to vitest (e.g. `npm test -- accounts`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const extra = process.argv.slice(2);
const ci = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const t0 = Date.now();

const runs = [{ label: 'Server-Tests, eingebettete Datenbank', project: 'server', env: { TEST_DATABASE_URL: '' } }];
if (process.env.TEST_DATABASE_URL) {
	runs.push({ label: `Server-Tests, PostgreSQL-Server (${process.env.TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')})`, project: 'server', env: {} });
}
if (!process.env.SKIP_BROWSER_TESTS || ci) runs.push({ label: 'Browser-Tests', project: 'browser', env: {}, browser: true });
else console.log('Hinweis: SKIP_BROWSER_TESTS ist gesetzt, die Browser-Tests laufen nicht.');

// A fresh clone has no .svelte-kit/ yet; tsconfig.json (read by vite/vitest) extends it.
const sync = spawnSync(process.execPath, [path.join(root, 'node_modules/@sveltejs/kit/svelte-kit.js'), 'sync'], { stdio: 'inherit', cwd: root });
if (sync.status !== 0) {
	console.error('FEHLER: svelte-kit sync ist fehlgeschlagen.');
	console.log('0 passed, 1 failed');
	process.exit(1);
}

let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

for (const run of runs) {
	console.log(`\n=== ${run.label} ===`);
	const t = Date.now();
	if (run.browser) {
		const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
		if (!fs.existsSync(chromium)) {
			const msg = `${run.label}: Chromium fehlt (${chromium}). Installieren: apt-get install -y chromium (oder CHROMIUM_PATH setzen).`;
			console.error(`\nFEHLER: ${msg}${ci ? '' : ' Lokal lassen sich die Browser-Tests mit SKIP_BROWSER_TESTS=1 auslassen.'}`);
			problems.push(msg);
			failed++;
			continue;
		}
	}
	const report = path.join(os.tmpdir(), `kn-vitest-${process.pid}-${run.project}-${Date.now()}.json`);
	const env = { ...process.env, ...run.env };
	if (env.TEST_DATABASE_URL === '') delete env.TEST_DATABASE_URL;
	const r = spawnSync(process.execPath, [vitest, 'run', '--project', run.project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...(extra.length ? ['--passWithNoTests'] : []), ...extra], { stdio: 'inherit', env, cwd: root });
	let json;
	try {
		json = JSON.parse(fs.readFileSync(report, 'utf8'));
		fs.rmSync(report, { force: true });
	} catch {
		json = undefined;
	}
	if (!json) {
		// No report: vitest itself or a global setup failed before any test ran.
		problems.push(`${run.label}: Lauf abgebrochen (Exit-Code ${r.status ?? r.signal}), siehe Ausgabe oben.`);
		failed++;
		continue;
	}
	passed += json.numPassedTests;
	failed += json.numFailedTests;
	const runSkipped = json.numPendingTests + json.numTodoTests;
	skipped += runSkipped;
	if (r.status !== 0 && json.numFailedTests === 0) {
		// E.g. a failing global setup or teardown, or a file that could not be loaded.
		problems.push(`${run.label}: Lauf fehlgeschlagen ohne einzelnen fehlgeschlagenen Test (Setup, Teardown oder Ladefehler), siehe Ausgabe oben.`);
		failed++;
	}
	if (run.browser && ci && runSkipped > 0) {
		problems.push(`${run.label}: ${runSkipped} übersprungene Browser-Tests; in CI muss jeder laufen.`);
		failed++;
	}
	console.log(`--- ${run.label}: ${json.numPassedTests} bestanden, ${json.numFailedTests} fehlgeschlagen, ${runSkipped} übersprungen (${Math.round((Date.now() - t) / 1000)} s)`);
}

if (problems.length) console.error(`\n${problems.map((p) => `FEHLER: ${p}`).join('\n')}`);
console.log(`\nGesamtdauer ${Math.round((Date.now() - t0) / 1000)} s`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
