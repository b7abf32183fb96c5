/**
 * A small pool of nodemailer SMTP connections for bulk sending. Why not the transport's
 * `pool: true`: the sender must decide *when the end of the message goes out*. The final
 * `.` of the DATA phase is what makes the server accept a mail; the sender holds it back until
 * the database knows the mail is being handed over (see sending.ts). nodemailer's
 * SMTPConnection takes the message as a stream and writes the final dot only when that stream
 * ends, so the pool hands out connections and the caller ends the stream when it may.
 */
import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';

export interface SmtpTarget {
	host: string;
	port: number;
	secure: boolean;
	auth?: { user: string; pass: string };
}

/** `smtp://user:pass@host:port` or `smtps://…` → connection options. */
export function parseSmtpUrl(url: string): SmtpTarget {
	const u = new URL(url);
	const secure = u.protocol === 'smtps:';
	return {
		host: u.hostname,
		port: u.port ? Number(u.port) : secure ? 465 : 587,
		secure,
		auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined
	};
}

export interface SmtpResult {
	ok: boolean;
	/** SMTP reply code when the server answered with an error. */
	responseCode?: number;
	error?: string;
	/** The error came from the connection, not from a reply (server down, timeout). */
	network?: boolean;
}

/** One message under way: write the body, then `release()` lets the final dot go. */
export interface PendingSend {
	/**
	 * True once the server took the envelope, said "go ahead" (354) and the whole body has been
	 * passed on to the socket, so that only the final dot is missing; false when the envelope
	 * was refused or the connection failed before.
	 */
	ready: Promise<boolean>;
	/** Lets the end of the message go out; the server accepts or refuses it after that. */
	release(): void;
	/** Drops the connection without ending the message: the server discards it. */
	abort(): void;
	result: Promise<SmtpResult>;
}

interface Conn {
	c: SMTPConnection;
	broken: boolean;
	sent: number;
}

/** After so many messages a connection is closed and a fresh one opened. */
const MESSAGES_PER_CONNECTION = 2000;

export class SmtpPool {
	private idle: Conn[] = [];
	private open = 0;
	private waiting: ((c: Conn | Error) => void)[] = [];
	private closed = false;

	constructor(
		private target: SmtpTarget,
		private max: number,
		private timeouts = { connection: 20_000, greeting: 20_000, socket: 60_000 }
	) {}

	private async connect(): Promise<Conn> {
		const c = new SMTPConnection({
			host: this.target.host,
			port: this.target.port,
			secure: this.target.secure,
			connectionTimeout: this.timeouts.connection,
			greetingTimeout: this.timeouts.greeting,
			socketTimeout: this.timeouts.socket,
			logger: false
		});
		const conn: Conn = { c, broken: false, sent: 0 };
		// Errors after the connection is up reach the send callback; the listener keeps an
		// 'error' event from crashing the process and marks the connection unusable.
		c.on('error', () => (conn.broken = true));
		c.on('end', () => (conn.broken = true));
		await new Promise<void>((resolve, reject) => {
			c.once('error', reject);
			c.connect(() => {
				c.removeListener('error', reject);
				resolve();
			});
		});
		if (this.target.auth) {
			await new Promise<void>((resolve, reject) => c.login(this.target.auth!, (err) => (err ? reject(err) : resolve())));
		}
		return conn;
	}

	private async acquire(): Promise<Conn> {
		if (this.closed) throw new Error('Der SMTP-Pool ist geschlossen.');
		for (;;) {
			const c = this.idle.pop();
			if (!c) break;
			if (!c.broken) return c;
			this.discard(c);
		}
		if (this.open < this.max) {
			this.open++;
			try {
				return await this.connect();
			} catch (e) {
				this.open--;
				this.wake();
				throw e;
			}
		}
		const got = await new Promise<Conn | Error>((resolve) => this.waiting.push(resolve));
		if (got instanceof Error) throw got;
		return got;
	}

	private wake() {
		const w = this.waiting.shift();
		if (!w) return;
		this.acquire().then(w, (e: Error) => w(e));
	}

	private releaseConn(c: Conn, reuse: boolean) {
		if (reuse && !c.broken && !this.closed && c.sent < MESSAGES_PER_CONNECTION) {
			const w = this.waiting.shift();
			if (w) w(c);
			else this.idle.push(c);
			return;
		}
		this.discard(c);
		this.wake();
	}

	private discard(c: Conn) {
		this.open--;
		c.broken = true;
		try {
			c.c.close();
		} catch {
			/* already gone */
		}
	}

	/**
	 * Starts a message: MAIL FROM, RCPT TO, DATA and the body go out at once; the final dot
	 * only after `release()`.
	 */
	async start(envelope: { from: string; to: string }, raw: Buffer): Promise<PendingSend> {
		let conn: Conn;
		try {
			conn = await this.acquire();
		} catch (e) {
			const err = e as Error & { responseCode?: number };
			const result = Promise.resolve<SmtpResult>({ ok: false, error: err.message, responseCode: err.responseCode, network: !err.responseCode });
			return { ready: Promise.resolve(false), release() {}, abort() {}, result };
		}
		const body = new PassThrough();
		// SMTPConnection pipes the body only after the envelope was accepted. Once every byte has
		// left the PassThrough it went synchronously through the DataStream into the socket, and
		// ending the body then only adds the terminating dot.
		const flowing = new Promise<boolean>((resolve) => {
			let seen = 0;
			const onData = (chunk: Buffer) => {
				seen += chunk.length;
				if (seen >= raw.length) {
					body.off('data', onData);
					resolve(true);
				}
			};
			body.once('resume', () => body.on('data', onData));
		});
		conn.sent++;
		const result = new Promise<SmtpResult>((resolve) => {
			conn.c.send({ from: envelope.from, to: [envelope.to] }, body, (err) => {
				if (!err) {
					this.releaseConn(conn, true);
					return resolve({ ok: true });
				}
				const e = err as Error & { responseCode?: number };
				// After a refused mail the session state is unclear; a fresh connection is cheap.
				this.releaseConn(conn, false);
				resolve({ ok: false, error: e.message, responseCode: e.responseCode, network: !e.responseCode });
			});
		});
		body.write(raw);
		return {
			ready: Promise.race([flowing, result.then(() => false)]),
			release: () => body.end(),
			abort: () => {
				conn.broken = true;
				try {
					conn.c.close();
				} catch {
					/* already gone */
				}
			},
			result
		};
	}

	close(): void {
		this.closed = true;
		for (const c of this.idle) this.discard(c);
		this.idle = [];
		for (const w of this.waiting) w(new Error('Der SMTP-Pool ist geschlossen.'));
		this.waiting = [];
	}
}
