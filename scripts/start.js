#!/usr/bin/env node
/**
 * `npm start`: builds the app when the build is missing or older than the sources, then
 * starts the production server (adapter-node). Database start, migrations and demo data run
 * inside the server (src/hooks.server.ts → src/lib/server/runtime.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
process.env.KOMMUNENNETZ_ROOT = root;

function newest(p) {
	let st;
	try {
		st = fs.statSync(p);
	} catch {
		return 0;
	}
	if (!st.isDirectory()) return st.mtimeMs;
	let max = st.mtimeMs;
	for (const e of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, e)));
	return max;
}

// Check the configuration before anything else: adapter-node itself would fail on a bad ORIGIN
// with a stack trace. The same validation runs again inside the server.
{
	const { register } = await import('tsx/esm/api');
	const unregister = register();
	const { readConfig, ConfigError } = await import(pathToFileURL(path.join(root, 'src/lib/server/config.ts')).href);
	try {
		readConfig();
	} catch (err) {
		if (!(err instanceof ConfigError)) throw err;
		console.error(err.message);
		process.exit(2);
	}
	await unregister();
}

const stamp = path.join(root, 'build', 'index.js');
const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const sources = Math.max(...['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package-lock.json'].map((p) => newest(path.join(root, p))));
if (built < sources) {
	console.log('[kommunennetz] Die Anwendung wird gebaut …');
	const r = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	if (r.status !== 0) {
		console.error('[kommunennetz] Der Build ist fehlgeschlagen.');
		process.exit(1);
	}
}
// adapter-node reads PORT and HOST; our defaults are port 3000 on all interfaces.
process.env.PORT ||= '3000';
// Event documentation accepts files up to 20 MB (slides, photos); adapter-node's default limit
// for request bodies is 512 KB.
process.env.BODY_SIZE_LIMIT ||= '25M';
await import(pathToFileURL(path.join(root, 'build', 'index.js')).href);
