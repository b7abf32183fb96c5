/**
 * Starting and stopping the built app (`node <build>/index.js`) as a child process, for the
 * global setup and for the process tests, which need servers of their own.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Our share of ports on the shared development machine; override with E2E_PORTS=from-to. */
const [PORT_FROM, PORT_TO] = (process.env.E2E_PORTS ?? '5300-5399').split('-').map(Number);

function canListen(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.unref();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

const handedOut = new Set<number>();

/** A port in our range that nobody listens on; random start so parallel runs rarely collide. */
export async function freePort(): Promise<number> {
	const span = PORT_TO - PORT_FROM + 1;
	const start = Math.floor(Math.random() * span);
	for (let i = 0; i < span; i++) {
		const port = PORT_FROM + ((start + i) % span);
		if (handedOut.has(port)) continue;
		if (await canListen(port)) {
			handedOut.add(port);
			return port;
		}
	}
	throw new Error(`Kein freier Port zwischen ${PORT_FROM} und ${PORT_TO}.`);
}

/** Variables of the outer environment that must not leak into an app started by a test. */
const APP_VARIABLES = /^(PORT|HOST|ORIGIN|DATA_DIR|DATABASE_URL|SMTP_URL|MAIL_FROM|DEMO_DATA|ADDRESS_HEADER|XFF_DEPTH|PROTOCOL_HEADER|HOST_HEADER|PORT_HEADER|BODY_SIZE_LIMIT|SHUTDOWN_TIMEOUT|IDLE_TIMEOUT|SOCKET_PATH|KOMMUNENNETZ_ROOT|TEST_DATABASE_URL|VITEST.*|KN_.*|NODE_ENV)$/;

/** A clean environment for a child process of the app or its CLI. */
export function appEnv(vars: Record<string, string | undefined>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) if (!APP_VARIABLES.test(k)) env[k] = v;
	for (const [k, v] of Object.entries(vars)) if (v !== undefined) env[k] = v;
	return env;
}

export interface Exit {
	code: number | null;
	signal: NodeJS.Signals | null;
}

export interface AppProcess {
	url: string;
	port: number;
	child: ChildProcess;
	/** Everything the process wrote to stdout and stderr so far. */
	output(): string;
	stderr(): string;
	exited: Promise<Exit>;
	/** Sends the signal and waits for the exit; rejects when the process outlives `timeoutMs`. */
	stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<Exit>;
}

export interface StartOptions {
	root: string;
	buildDir: string;
	/** Embedded database folder; ignored when databaseUrl is set. */
	dataDir?: string;
	databaseUrl?: string;
	smtpUrl?: string;
	port?: number;
	/** Further variables, e.g. ADDRESS_HEADER. */
	env?: Record<string, string | undefined>;
	/** Wait for /healthz 200 (default true). */
	waitHealthy?: boolean;
	timeoutMs?: number;
}

export async function startApp(opts: StartOptions): Promise<AppProcess> {
	const port = opts.port ?? (await freePort());
	const url = `http://127.0.0.1:${port}`;
	const env = appEnv({
		NODE_ENV: 'production',
		KOMMUNENNETZ_ROOT: opts.root,
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: url,
		DATA_DIR: opts.dataDir,
		DATABASE_URL: opts.databaseUrl,
		SMTP_URL: opts.smtpUrl,
		MAIL_FROM: 'Kommunennetz E2E <netzwerk@kommunennetz.example>',
		...opts.env
	});
	const child = spawn(process.execPath, [path.join(opts.buildDir, 'index.js')], { cwd: opts.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let out = '';
	let err = '';
	child.stdout!.on('data', (d) => (out += d));
	child.stderr!.on('data', (d) => {
		out += d;
		err += d;
	});
	const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	let exit: Exit | undefined;
	void exited.then((e) => (exit = e));

	const app: AppProcess = {
		url,
		port,
		child,
		output: () => out,
		stderr: () => err,
		exited,
		async stop(signal = 'SIGTERM', timeoutMs = 15_000) {
			if (exit) return exit;
			child.kill(signal);
			let timer: NodeJS.Timeout | undefined;
			const timeout = new Promise<never>((_, reject) => {
				timer = setTimeout(() => {
					child.kill('SIGKILL');
					reject(new Error(`Der Server (PID ${child.pid}) lief ${timeoutMs} ms nach ${signal} noch.\n${out}`));
				}, timeoutMs);
			});
			try {
				return await Promise.race([exited, timeout]);
			} finally {
				clearTimeout(timer);
			}
		}
	};
	if (opts.waitHealthy !== false) await waitHealthy(app, opts.timeoutMs ?? 120_000, () => exit);
	return app;
}

async function waitHealthy(app: AppProcess, timeoutMs: number, exit: () => Exit | undefined): Promise<void> {
	const until = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < until) {
		const e = exit();
		if (e) throw new Error(`Der Server endete beim Start (Code ${e.code}, Signal ${e.signal}):\n${app.output()}`);
		try {
			const res = await fetch(`${app.url}/healthz`, { signal: AbortSignal.timeout(2000) });
			last = `${res.status} ${await res.text()}`;
			if (res.status === 200) return;
		} catch (err) {
			last = (err as Error).message;
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	app.child.kill('SIGKILL');
	throw new Error(`Der Server wurde in ${timeoutMs} ms nicht bereit (zuletzt: ${last}):\n${app.output()}`);
}

/** Runs the CLI (`bin/kommunennetz.js`) synchronously against a data folder or database. */
export function runCli(root: string, args: string[], vars: Record<string, string | undefined>, timeoutMs = 60_000) {
	const r = spawnSync(process.execPath, [path.join(root, 'bin/kommunennetz.js'), ...args], {
		cwd: root,
		env: appEnv({ NODE_ENV: 'production', ...vars }),
		encoding: 'utf8',
		timeout: timeoutMs
	});
	return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * PIDs of PostgreSQL postmasters whose command line names the given data folder. A backend
 * that was just forked still carries the postmaster's command line for a moment; processes
 * whose parent is in the list are therefore left out.
 */
export function postgresProcessesFor(dataDir: string): number[] {
	const pgdata = path.join(path.resolve(dataDir), 'postgres');
	const found = new Map<number, number>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		let cmd: string;
		let stat: string;
		try {
			cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue;
		}
		const args = cmd.split('\0');
		if (path.basename(args[0] ?? '') !== 'postgres' || !args.includes(pgdata)) continue;
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		if (fields[0] === 'Z') continue;
		found.set(Number(entry), Number(fields[1]));
	}
	return [...found].filter(([, ppid]) => !found.has(ppid)).map(([pid]) => pid);
}

/**
 * Whether a process runs. A zombie (exited, not yet reaped — e.g. a postmaster reparented to
 * an init that does not reap) counts as gone, although `kill(pid, 0)` still succeeds.
 */
export function isRunning(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** Waits until `check` returns true or the time is up; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<boolean> {
	const until = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return true;
		if (Date.now() > until) return false;
		await new Promise((r) => setTimeout(r, stepMs));
	}
}
