/**
 * Starts the PostgreSQL server the `server` tests run against, once per test run, and
 * prepares a template database (migrations and area data applied) from which every test file
 * creates its own database in milliseconds.
 *   TEST_DATABASE_URL set: that server (e.g. the machine's PostgreSQL);
 *   otherwise: a fresh embedded server in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded, type EmbeddedServer } from '../db/embedded';
import { openDatabase, migrateDatabase } from '../db';
import { loadAreas } from '../areas';

export const TEMPLATE = `kn_test_template_${process.pid}`;

function withDatabase(url: string, name: string): string {
	const u = new URL(url);
	u.pathname = `/${name}`;
	return u.toString();
}

let embedded: EmbeddedServer | undefined;
let tmp: string | undefined;

export async function setup(project: TestProject) {
	let serverUrl = process.env.TEST_DATABASE_URL;
	if (!serverUrl) {
		tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-test-'));
		embedded = await startEmbedded(tmp);
		serverUrl = embedded.url;
	}
	const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
	await admin.connect();
	await admin.query(`drop database if exists ${TEMPLATE}`);
	await admin.query(`create database ${TEMPLATE}`);
	await admin.end();
	const handle = await openDatabase({ databaseUrl: withDatabase(serverUrl, TEMPLATE), dataDir: '' });
	await migrateDatabase(handle);
	await loadAreas(handle.db);
	await handle.close();
	project.provide('testDatabase', { serverUrl, template: TEMPLATE, kind: embedded ? 'embedded' : 'postgres' });
}

export async function teardown() {
	const serverUrl = process.env.TEST_DATABASE_URL ?? embedded?.url;
	if (serverUrl) {
		const admin = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
		await admin.connect();
		const { rows } = await admin.query(`select datname from pg_database where datname like 'kn_test_%' and datname like $1`, [`%_${process.pid}%`]);
		for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`).catch(() => undefined);
		await admin.end();
	}
	await embedded?.stop();
	if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

declare module 'vitest' {
	export interface ProvidedContext {
		testDatabase: { serverUrl: string; template: string; kind: 'embedded' | 'postgres' };
	}
}
