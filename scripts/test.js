#!/usr/bin/env node
/**
 * `npm test`: every test, in three runs —
 *   1. server tests against a fresh embedded PostgreSQL server,
 *   2. the same against TEST_DATABASE_URL (the machine's PostgreSQL server) when it is set,
 *   3. browser tests (built app, Debian's Chromium, axe-core).
 * Ends with one line "N passed, M failed" and a non-zero exit code on any failure.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules/vitest/vitest.mjs');
const extra = process.argv.slice(2);
const runs = [{ label: 'Server-Tests, eingebettete Datenbank', project: 'server', env: { TEST_DATABASE_URL: '' } }];
if (process.env.TEST_DATABASE_URL) {
	runs.push({ label: `Server-Tests, PostgreSQL-Server (${process.env.TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')})`, project: 'server', env: {} });
}
if (!process.env.SKIP_BROWSER_TESTS || process.env.CI) runs.push({ label: 'Browser-Tests', project: 'browser', env: {} });

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = false;
for (const run of runs) {
	console.log(`\n=== ${run.label} ===`);
	const report = path.join(os.tmpdir(), `kn-vitest-${process.pid}-${run.project}-${Date.now()}.json`);
	const env = { ...process.env, ...run.env };
	if (env.TEST_DATABASE_URL === '') delete env.TEST_DATABASE_URL;
	const r = spawnSync(process.execPath, [vitest, 'run', '--project', run.project, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra], { stdio: 'inherit', env, cwd: root });
	try {
		const json = JSON.parse(fs.readFileSync(report, 'utf8'));
		passed += json.numPassedTests;
		failed += json.numFailedTests;
		skipped += json.numPendingTests + json.numTodoTests;
		if (r.status !== 0 && json.numFailedTests === 0) broken = true; // e.g. a failing setup or suite
		fs.rmSync(report, { force: true });
	} catch {
		broken = true;
	}
	if (r.status !== 0) broken = true;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken ? 1 : 0);
