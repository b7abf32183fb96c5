/**
 * A real SMTP server in the test process (smtp-server, plain SMTP on 127.0.0.1, no AUTH, no
 * TLS) that keeps every message it accepts, parsed with mailparser. Tests can make it answer
 * the next messages with a temporary (4xx) or permanent (5xx) error, and stop and start it to
 * simulate an SMTP server that is down. It listens on the same port again after `start()`, so
 * SMTP_URL stays valid.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
	/** Envelope sender and recipients as given in MAIL FROM / RCPT TO. */
	envelope: { from: string | null; to: string[] };
	parsed: ParsedMail;
	raw: Buffer;
}

export interface TestSmtpServer {
	port: number;
	/** `smtp://127.0.0.1:<port>` for config().smtpUrl. */
	url: string;
	/** Every message accepted so far, oldest first. */
	messages: ReceivedMail[];
	/** Answer the next `count` messages with this reply code (4xx temporary, 5xx permanent). */
	failNext(count: number, code: number, message?: string): void;
	/** Resolves once at least `n` messages have arrived in total; rejects after `timeoutMs`. */
	waitForMessages(n: number, timeoutMs?: number): Promise<ReceivedMail[]>;
	/** Stops listening and drops open connections: clients get "connection refused". */
	stop(): Promise<void>;
	/** Listens again on the same port. */
	start(): Promise<void>;
	/** Forgets the messages received so far. */
	clear(): void;
	isRunning(): boolean;
}

export async function startTestSmtpServer(): Promise<TestSmtpServer> {
	const messages: ReceivedMail[] = [];
	const failures: { code: number; message: string }[] = [];
	let waiters: { n: number; resolve: () => void }[] = [];
	let server: SMTPServer | undefined;
	let port = 0;

	function notify() {
		waiters = waiters.filter((w) => {
			if (messages.length >= w.n) {
				w.resolve();
				return false;
			}
			return true;
		});
	}

	function create(): SMTPServer {
		return new SMTPServer({
			secure: false,
			authOptional: true,
			disabledCommands: ['AUTH', 'STARTTLS'],
			logger: false,
			closeTimeout: 200,
			onData(stream, session, callback) {
				const chunks: Buffer[] = [];
				stream.on('data', (c: Buffer) => chunks.push(c));
				stream.on('error', (err) => callback(err));
				stream.on('end', () => {
					// The whole message is read before answering, as a real server does.
					const failure = failures.shift();
					if (failure) {
						const err = new Error(failure.message) as Error & { responseCode: number };
						err.responseCode = failure.code;
						return callback(err);
					}
					const raw = Buffer.concat(chunks);
					simpleParser(raw)
						.then((parsed) => {
							const from = session.envelope.mailFrom;
							messages.push({
								envelope: { from: from ? from.address : null, to: session.envelope.rcptTo.map((r) => r.address) },
								parsed,
								raw
							});
							notify();
							callback();
						})
						.catch((err: Error) => callback(err));
				});
			}
		});
	}

	async function listen(onPort: number): Promise<void> {
		const s = create();
		s.on('error', () => {
			/* a client dropping its connection is no test failure */
		});
		await new Promise<void>((resolve, reject) => {
			s.server.once('error', reject);
			s.listen(onPort, '127.0.0.1', () => {
				s.server.off('error', reject);
				resolve();
			});
		});
		server = s;
		port = (s.server.address() as AddressInfo).port;
	}

	await listen(0);

	return {
		get port() {
			return port;
		},
		get url() {
			return `smtp://127.0.0.1:${port}`;
		},
		messages,
		failNext(count, code, message) {
			for (let i = 0; i < count; i++) failures.push({ code, message: message ?? (code >= 500 ? 'Empfänger abgelehnt (Test)' : 'Bitte später erneut versuchen (Test)') });
		},
		waitForMessages(n, timeoutMs = 5000) {
			if (messages.length >= n) return Promise.resolve(messages);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => {
					waiters = waiters.filter((w) => w !== waiter);
					reject(new Error(`Nach ${timeoutMs} ms erst ${messages.length} von ${n} Mails angekommen.`));
				}, timeoutMs);
				const waiter = {
					n,
					resolve: () => {
						clearTimeout(timer);
						resolve(messages);
					}
				};
				waiters.push(waiter);
			});
		},
		async stop() {
			const s = server;
			server = undefined;
			if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
		},
		async start() {
			if (!server) await listen(port);
		},
		clear() {
			messages.length = 0;
		},
		isRunning() {
			return server !== undefined;
		}
	};
}
