import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setConfig } from '../config';
import { useTestDatabase } from '../testing';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/smtp';
import { startWorker, type Worker } from '../jobs';
import { enqueueMail, mailJobHandlers } from '.';
import { outboxMails } from './schema';
import { renderMail } from './templates';

const t = useTestDatabase();
let smtp: TestSmtpServer;
let worker: Worker;

beforeAll(async () => {
	smtp = await startTestSmtpServer();
	setConfig({ ...t.config, smtpUrl: smtp.url });
	worker = startWorker({ pool: t.database.pool, handlers: mailJobHandlers(() => t.database.db) }, false);
});
afterAll(async () => {
	await worker?.stop();
	await smtp?.stop();
});

describe('mail attachments', () => {
	it('stores attachments in the outbox and sends them unchanged over SMTP', async () => {
		const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nSUMMARY:Kongress – Grüße\r\nEND:VCALENDAR\r\n';
		const binary = Buffer.from([0, 1, 2, 250, 255]);
		const id = await t.database.db.transaction((tx) =>
			enqueueMail(tx, {
				...renderMail({ subject: 'Mit Anhang', paragraphs: ['Siehe Anhang.'] }),
				to: 'anhang@example.org',
				template: 'test_attachment',
				attachments: [
					{ filename: 'termin.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics },
					{ filename: 'daten.bin', contentType: 'application/octet-stream', content: binary }
				]
			})
		);
		const [row] = await t.database.db.select().from(outboxMails).where(eq(outboxMails.id, id));
		expect(row.attachments).toHaveLength(2);
		expect(Buffer.from(row.attachments![0].content, 'base64').toString('utf8')).toBe(ics);

		await worker.drain();
		const [received] = await smtp.waitForMessages(1);
		const files = received.parsed.attachments;
		expect(files.map((f) => f.filename)).toEqual(['termin.ics', 'daten.bin']);
		expect(files[0].contentType).toBe('text/calendar');
		expect(files[0].content.toString('utf8')).toBe(ics);
		expect(Buffer.compare(files[1].content, binary)).toBe(0);
	});

	it('leaves mails without attachments as before (null column, no attachment parts)', async () => {
		smtp.clear();
		const id = await t.database.db.transaction((tx) =>
			enqueueMail(tx, { ...renderMail({ subject: 'Ohne Anhang', paragraphs: ['x'] }), to: 'ohne@example.org', template: 'test_attachment' })
		);
		const [row] = await t.database.db.select().from(outboxMails).where(eq(outboxMails.id, id));
		expect(row.attachments).toBeNull();
		await worker.drain();
		const [received] = await smtp.waitForMessages(1);
		expect(received.parsed.attachments).toHaveLength(0);
	});
});
