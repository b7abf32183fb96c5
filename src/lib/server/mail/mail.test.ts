import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setConfig } from '../config';
import { useTestDatabase } from '../testing';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/smtp';
import { startWorker, type Worker } from '../jobs';
import { cliActor, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import { DomainError } from '../errors';
import { enqueueMail, getOutboxMail, listOutbox, mailJobHandlers, outboxCounts, requeueMail, sendTestMail } from '.';
import { outboxMails } from './schema';
import { renderMail } from './templates';

const t = useTestDatabase();
let smtp: TestSmtpServer;
let worker: Worker;
const coordinator: Actor = { userId: 1, label: 'Kora Koordination <kora@example.org>', role: 'coordinator' };

beforeAll(async () => {
	smtp = await startTestSmtpServer();
	worker = startWorker({ pool: t.database.pool, handlers: mailJobHandlers(() => t.database.db) }, false);
});
afterAll(async () => {
	await worker?.stop();
	await smtp?.stop();
});
beforeEach(async () => {
	smtp.clear();
	await smtp.start();
	setConfig({ ...t.config, smtpUrl: smtp.url });
});

let counter = 0;
async function queue(overrides: { to?: string; subject?: string; toName?: string } = {}) {
	counter++;
	const rendered = renderMail({ subject: overrides.subject ?? `Testbetreff ${counter} – Grüße`, paragraphs: ['Ein Absatz mit Umlauten: äöüß.'] });
	const id = await t.database.db.transaction((tx) =>
		enqueueMail(tx, { ...rendered, to: overrides.to ?? `empfaenger${counter}@example.org`, toName: overrides.toName, template: 'test_template' })
	);
	return { id, subject: rendered.subject };
}

async function jobOf(mailId: number) {
	const r = await t.database.pool.query<{ id: number; status: string; attempts: number; last_error: string | null; due_in_seconds: number }>(
		`select id, status, attempts, last_error, extract(epoch from run_at - now())::float as due_in_seconds
		   from jobs where kind = 'mail.send' and payload->>'mailId' = $1::text order by id`,
		[mailId]
	);
	return r.rows;
}

async function makeDue(mailId: number) {
	await t.database.pool.query(`update jobs set run_at = now() where kind = 'mail.send' and payload->>'mailId' = $1::text`, [mailId]);
}

function receivedWith(messageId: string) {
	return smtp.messages.filter((m) => m.parsed.messageId === messageId);
}

describe('enqueueMail', () => {
	it('writes mail and job only when the transaction commits', async () => {
		const subject = 'Zurückgerollt';
		await expect(
			t.database.db.transaction(async (tx) => {
				await enqueueMail(tx, { ...renderMail({ subject, paragraphs: ['x'] }), to: 'a@example.org', template: 'test_template' });
				tx.rollback();
			})
		).rejects.toThrow();
		expect(await t.database.db.select().from(outboxMails).where(eq(outboxMails.subject, subject))).toHaveLength(0);
		const jobsBefore = await t.database.pool.query(`select count(*)::int as n from jobs where kind = 'mail.send'`);

		const { id } = await queue({ subject: 'Bestätigt' });
		const rows = await t.database.db.select().from(outboxMails).where(eq(outboxMails.subject, 'Bestätigt'));
		expect(rows).toHaveLength(1);
		expect(rows[0]).toMatchObject({ id, status: 'queued', attempts: 0 });
		expect(rows[0].messageId).toMatch(/^<[0-9a-f-]{36}@kommunennetz\.example>$/);
		expect(await jobOf(id)).toHaveLength(1);
		const jobsAfter = await t.database.pool.query(`select count(*)::int as n from jobs where kind = 'mail.send'`);
		expect(jobsAfter.rows[0].n).toBe(jobsBefore.rows[0].n + 1);
		await worker.drain();
	});
});

describe('mail.send over SMTP', () => {
	it('delivers the mail with sender, recipient, subject, both parts, Message-ID and Date', async () => {
		const { id, subject } = await queue({ to: 'frau.beispiel@stadt.example', toName: 'Frau Beispiel' });
		expect(await worker.drain()).toBe(1);
		const [received] = await smtp.waitForMessages(1);
		const mail = (await getOutboxMail(t.database.db, id))!;
		const p = received.parsed;
		expect(p.from?.value[0]).toMatchObject({ address: 'test@kommunennetz.example', name: 'Kommunennetz Test' });
		expect(p.to && !Array.isArray(p.to) ? p.to.value[0] : undefined).toMatchObject({ address: 'frau.beispiel@stadt.example', name: 'Frau Beispiel' });
		expect(received.envelope.to).toEqual(['frau.beispiel@stadt.example']);
		expect(p.subject).toBe(subject);
		expect(p.text).toContain('Ein Absatz mit Umlauten: äöüß.');
		expect(p.html).toContain('<html lang="de">');
		expect(p.messageId).toBe(mail.messageId);
		expect(p.date?.getTime()).toBe(Math.floor(mail.createdAt.getTime() / 1000) * 1000);
		expect(received.raw.toString()).toMatch(/^Date: /m);
		expect(mail).toMatchObject({ status: 'sent', attempts: 1, lastError: null });
		expect(mail.sentAt).toBeInstanceOf(Date);
		expect((await jobOf(id))[0]).toMatchObject({ status: 'done', attempts: 1 });
	});

	it('keeps the mail in the outbox (held) without SMTP_URL and sends nothing', async () => {
		setConfig({ ...t.config, smtpUrl: undefined });
		const { id } = await queue();
		await worker.drain();
		expect(await getOutboxMail(t.database.db, id)).toMatchObject({ status: 'held', attempts: 0 });
		expect((await jobOf(id))[0].status).toBe('done');
		expect(smtp.messages).toHaveLength(0);
	});

	it('retries with backoff while the SMTP server is down and delivers exactly once when it is back', async () => {
		await smtp.stop();
		const { id } = await queue();
		await worker.drain();
		let mail = (await getOutboxMail(t.database.db, id))!;
		expect(mail).toMatchObject({ status: 'queued', attempts: 1 });
		expect(mail.lastError).toMatch(/ECONNREFUSED|connect/i);
		let [job] = await jobOf(id);
		expect(job).toMatchObject({ status: 'pending', attempts: 1 });
		expect(job.due_in_seconds).toBeGreaterThan(5);

		// Due again while the server is still down: second failure, longer wait.
		await makeDue(id);
		await worker.drain();
		[job] = await jobOf(id);
		expect(job).toMatchObject({ status: 'pending', attempts: 2 });
		expect(job.due_in_seconds).toBeGreaterThan(15);

		await smtp.start();
		// Not due yet: nothing is sent before run_at.
		await worker.drain();
		expect(smtp.messages).toHaveLength(0);
		await makeDue(id);
		await worker.drain();
		await worker.drain();
		mail = (await getOutboxMail(t.database.db, id))!;
		expect(mail).toMatchObject({ status: 'sent', attempts: 3, lastError: null });
		expect(receivedWith(mail.messageId)).toHaveLength(1);
		expect((await jobOf(id))[0]).toMatchObject({ status: 'done', attempts: 3 });
	});

	it('retries after a temporary SMTP error (4xx)', async () => {
		smtp.failNext(1, 451, 'Greylisting, bitte später');
		const { id } = await queue();
		await worker.drain();
		const mail = (await getOutboxMail(t.database.db, id))!;
		expect(mail).toMatchObject({ status: 'queued', attempts: 1 });
		expect(mail.lastError).toContain('451');
		expect((await jobOf(id))[0]).toMatchObject({ status: 'pending', attempts: 1 });
		await makeDue(id);
		await worker.drain();
		expect(await getOutboxMail(t.database.db, id)).toMatchObject({ status: 'sent', attempts: 2 });
		expect(receivedWith(mail.messageId)).toHaveLength(1);
	});

	it('gives up on a permanent rejection (5xx) without retrying', async () => {
		smtp.failNext(1, 550, 'Postfach unbekannt');
		const { id } = await queue();
		await worker.drain();
		const mail = (await getOutboxMail(t.database.db, id))!;
		expect(mail).toMatchObject({ status: 'failed', attempts: 1 });
		expect(mail.lastError).toContain('Postfach unbekannt');
		expect((await jobOf(id))[0]).toMatchObject({ status: 'failed', attempts: 1 });
		await makeDue(id);
		await worker.drain();
		expect(smtp.messages).toHaveLength(0);
		expect((await jobOf(id))[0].attempts).toBe(1);
	});

	it('marks the mail failed when its job runs out of attempts', async () => {
		const { id } = await queue();
		await t.database.pool.query(`update jobs set max_attempts = 2 where kind = 'mail.send' and payload->>'mailId' = $1::text`, [id]);
		smtp.failNext(2, 421, 'Dienst nicht verfügbar');
		await worker.drain();
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('queued');
		await makeDue(id);
		await worker.drain();
		expect(await getOutboxMail(t.database.db, id)).toMatchObject({ status: 'failed', attempts: 2 });
		expect((await jobOf(id))[0]).toMatchObject({ status: 'failed', attempts: 2 });
		expect(smtp.messages).toHaveLength(0);
	});

	it('does not send a mail twice when its job runs again after success', async () => {
		const { id } = await queue();
		await worker.drain();
		expect(smtp.messages).toHaveLength(1);
		// E.g. the process died after marking the mail sent but before marking the job done.
		await t.database.pool.query(
			`update jobs set status = 'running', locked_by = 'toter-prozess', locked_until = now() - interval '1 second' where kind = 'mail.send' and payload->>'mailId' = $1::text`,
			[id]
		);
		expect(await worker.drain()).toBe(1);
		expect(smtp.messages).toHaveLength(1);
	});

	it('sends again with the same Message-ID when the process died between SMTP and marking it sent', async () => {
		const { id } = await queue();
		await worker.drain();
		const mail = (await getOutboxMail(t.database.db, id))!;
		// The SMTP server had accepted the mail, but neither the outbox row nor the job were updated.
		await t.database.pool.query(`update outbox_mails set status = 'queued', sent_at = null where id = $1`, [id]);
		await t.database.pool.query(
			`update jobs set status = 'running', locked_by = 'toter-prozess', locked_until = now() - interval '1 second' where kind = 'mail.send' and payload->>'mailId' = $1::text`,
			[id]
		);
		await worker.drain();
		// At-least-once: a duplicate, recognisable by its unchanged Message-ID.
		const copies = receivedWith(mail.messageId);
		expect(copies).toHaveLength(2);
		expect(copies[0].parsed.messageId).toBe(copies[1].parsed.messageId);
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('sent');
	});

	it('delivers many mails with two workers exactly once each', async () => {
		const ids: number[] = [];
		for (let i = 0; i < 30; i++) ids.push((await queue()).id);
		const second = startWorker({ pool: t.database.pool, handlers: mailJobHandlers(() => t.database.db) }, false);
		await Promise.all([worker.drain(), second.drain()]);
		await second.stop();
		await smtp.waitForMessages(30);
		const rows = await t.database.pool.query(`select message_id from outbox_mails where id = any($1) and status = 'sent'`, [ids]);
		expect(rows.rows).toHaveLength(30);
		for (const r of rows.rows) expect(receivedWith(r.message_id)).toHaveLength(1);
		expect(smtp.messages).toHaveLength(30);
	});

	it('rejects a job with a broken payload without retrying', async () => {
		const r = await t.database.pool.query(`insert into jobs (kind, payload) values ('mail.send', '{"mailId": "abc"}') returning id`);
		await worker.drain();
		const row = await t.database.pool.query(`select status, attempts, last_error from jobs where id = $1`, [r.rows[0].id]);
		expect(row.rows[0]).toMatchObject({ status: 'failed', attempts: 1 });
		expect(row.rows[0].last_error).toContain('Ungültige Mail-Nummer');
	});
});

describe('requeueMail', () => {
	it('puts a failed mail back into the queue, writes the audit entry and then delivers it', async () => {
		smtp.failNext(1, 550, 'Abgelehnt');
		const { id } = await queue();
		await worker.drain();
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('failed');

		await requeueMail(t.database.db, coordinator, { id });
		expect(await getOutboxMail(t.database.db, id)).toMatchObject({ status: 'queued', lastError: null });
		const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.objectId, String(id)));
		expect(audit).toEqual([
			expect.objectContaining({ action: 'mail.requeued', objectType: 'mail', actorLabel: coordinator.label, changes: { status: ['failed', 'queued'] } })
		]);
		const jobs = await jobOf(id);
		expect(jobs.map((j) => j.status)).toEqual(['failed', 'pending']);

		await worker.drain();
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('sent');
		expect(smtp.messages).toHaveLength(1);
	});

	it('sends a held mail once SMTP is configured', async () => {
		setConfig({ ...t.config, smtpUrl: undefined });
		const { id } = await queue();
		await worker.drain();
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('held');
		setConfig({ ...t.config, smtpUrl: smtp.url });
		await requeueMail(t.database.db, coordinator, { id: String(id) });
		await worker.drain();
		expect((await getOutboxMail(t.database.db, id))!.status).toBe('sent');
	});

	it('refuses queued or sent mails, unknown ids and non-coordinators', async () => {
		const { id } = await queue();
		await expect(requeueMail(t.database.db, coordinator, { id })).rejects.toMatchObject({ kind: 'conflict' });
		await worker.drain();
		await expect(requeueMail(t.database.db, coordinator, { id })).rejects.toMatchObject({ kind: 'conflict', message: expect.stringContaining('gesendet') });
		await expect(requeueMail(t.database.db, coordinator, { id: 999999 })).rejects.toMatchObject({ kind: 'not_found' });
		await expect(requeueMail(t.database.db, coordinator, { id: 'abc' })).rejects.toThrow();
		const partner: Actor = { userId: 2, label: 'Partner', role: 'partner' };
		await expect(requeueMail(t.database.db, partner, { id })).rejects.toBeInstanceOf(DomainError);
		await expect(requeueMail(t.database.db, cliActor, { id })).rejects.toMatchObject({ kind: 'forbidden' });
	});
});

describe('sendTestMail', () => {
	it('queues a test mail with its audit entry, which the worker delivers', async () => {
		const id = await sendTestMail(t.database.db, coordinator, { to: '  pruefung@stadt.example ' });
		const mail = (await getOutboxMail(t.database.db, id))!;
		expect(mail).toMatchObject({ toAddress: 'pruefung@stadt.example', template: 'test', status: 'queued' });
		const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'mail.test_sent'));
		expect(entry).toMatchObject({ objectType: 'mail', objectId: String(id), changes: { to: 'pruefung@stadt.example' } });
		await worker.drain();
		const [received] = await smtp.waitForMessages(1);
		expect(received.parsed.subject).toBe('Testmail der Plattform Kommunennetz');
		expect(received.parsed.text).toContain('Kora Koordination');
	});

	it('validates the address and requires a coordinator', async () => {
		await expect(sendTestMail(t.database.db, coordinator, { to: 'keine-adresse' })).rejects.toThrow(/gültige E-Mail-Adresse/);
		await expect(sendTestMail(t.database.db, { label: 'Partner', role: 'partner', userId: 5 }, { to: 'a@example.org' })).rejects.toMatchObject({
			kind: 'forbidden'
		});
	});
});

describe('outbox queries', () => {
	it('filters by status and free text, pages and counts per status', async () => {
		await t.database.pool.query(`delete from jobs where kind = 'mail.send'`);
		await t.database.pool.query(`delete from outbox_mails`);
		setConfig({ ...t.config, smtpUrl: undefined });
		for (let i = 0; i < 5; i++) await queue({ to: `liste${i}@kreis.example`, subject: `Einladung 100%_sicher ${i}` });
		await queue({ to: 'anders@stadt.example', subject: 'Etwas anderes' });
		await worker.drain(); // all held
		const { id: queuedId } = await queue({ to: 'wartet@stadt.example' });

		expect(await outboxCounts(t.database.db)).toEqual({ queued: 1, sent: 0, held: 6, failed: 0 });
		const held = await listOutbox(t.database.db, { status: 'held', limit: 4 });
		expect(held.total).toBe(6);
		expect(held.items).toHaveLength(4);
		const page2 = await listOutbox(t.database.db, { status: 'held', limit: 4, offset: 4 });
		expect(page2.items).toHaveLength(2);
		expect(new Set([...held.items, ...page2.items].map((m) => m.id)).size).toBe(6);
		expect((await listOutbox(t.database.db, { status: 'queued' })).items.map((m) => m.id)).toEqual([queuedId]);
		expect((await listOutbox(t.database.db, { q: 'KREIS.example' })).total).toBe(5);
		// LIKE wildcards and the escape character are searched for literally.
		expect((await listOutbox(t.database.db, { q: '100%_' })).total).toBe(5);
		expect((await listOutbox(t.database.db, { q: '%' })).total).toBe(5);
		expect((await listOutbox(t.database.db, { q: '\\' })).total).toBe(0);
		expect((await listOutbox(t.database.db, { q: 'test_template' })).total).toBe(7);
		expect(await getOutboxMail(t.database.db, 0)).toBeUndefined();
	});
});
