/**
 * The SMTP test server (src/lib/server/testing/smtp.ts) runs in the global-setup process; the
 * test files run in other processes and read the received mails through this tiny HTTP
 * endpoint on 127.0.0.1:
 *   GET    /messages?to=<address>   → JSON array of mails (all when `to` is absent)
 *   DELETE /messages                → forget all mails
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AddressObject } from 'mailparser';
import { startTestSmtpServer, type TestSmtpServer } from '../../../src/lib/server/testing/smtp';

export interface ReceivedMail {
	/** Envelope recipients, lower case. */
	to: string[];
	from: string;
	subject: string;
	text: string;
	html: string;
	messageId: string | null;
}

export interface MailServer {
	smtp: TestSmtpServer;
	/** Base URL of the HTTP endpoint. */
	httpUrl: string;
	close(): Promise<void>;
}

function addressText(a: AddressObject | AddressObject[] | undefined): string {
	if (!a) return '';
	return (Array.isArray(a) ? a : [a]).map((x) => x.text).join(', ');
}

export async function startMailServer(httpPort: number): Promise<MailServer> {
	const smtp = await startTestSmtpServer();
	const web = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		if (url.pathname !== '/messages') {
			res.writeHead(404).end();
			return;
		}
		if (req.method === 'DELETE') {
			smtp.clear();
			res.writeHead(204).end();
			return;
		}
		const to = url.searchParams.get('to')?.toLowerCase();
		const list: ReceivedMail[] = smtp.messages
			.map((m) => ({
				to: m.envelope.to.map((a) => a.toLowerCase()),
				from: addressText(m.parsed.from),
				subject: m.parsed.subject ?? '',
				text: m.parsed.text ?? '',
				html: typeof m.parsed.html === 'string' ? m.parsed.html : '',
				messageId: m.parsed.messageId ?? null
			}))
			.filter((m) => !to || m.to.includes(to));
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(list));
	});
	await new Promise<void>((resolve, reject) => {
		web.once('error', reject);
		web.listen(httpPort, '127.0.0.1', () => resolve());
	});
	return {
		smtp,
		httpUrl: `http://127.0.0.1:${(web.address() as AddressInfo).port}`,
		async close() {
			await new Promise<void>((r) => web.close(() => r()));
			await smtp.stop();
		}
	};
}
