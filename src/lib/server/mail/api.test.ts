import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setConfig } from '../config';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/smtp';
import { createApiToken, createUser } from '../accounts';
import { cliActor } from '../audit';
import { auditLog } from '../audit/schema';
import { startWorker, type Worker } from '../jobs';
import { enqueueMail, mailJobHandlers } from '.';
import { renderMail } from './templates';

const t = useTestDatabase();
let coordinator: string;
let partner: string;
let smtp: TestSmtpServer;
let worker: Worker;
let heldId: number;
let sentId: number;

beforeAll(async () => {
	const conn = t.database.db;
	const c = await createUser(conn, cliActor, { email: 'koordination@example.org', name: 'Kora Koordination', role: 'coordinator', password: 'geheimes-passwort-123' });
	coordinator = (await createApiToken(conn, cliActor, { userId: c.id, name: 'Test' })).token;
	const p = await createUser(conn, cliActor, { email: 'partner@example.org', name: 'Paul Partner', role: 'partner', password: 'geheimes-passwort-123' });
	partner = (await createApiToken(conn, cliActor, { userId: p.id, name: 'Test' })).token;
	smtp = await startTestSmtpServer();
	worker = startWorker({ pool: t.database.pool, handlers: mailJobHandlers(() => t.database.db) }, false);
	// Whatever the accounts commands above queued is sent first, so that the ids below are clear.
	setConfig({ ...t.config, smtpUrl: smtp.url });
	await worker.drain();
	const mail = (subject: string) => ({ ...renderMail({ subject, paragraphs: ['Text'] }), to: 'empfang@stadt.example', template: 'api_test' });
	sentId = await enqueueMail(conn, mail('Schon gesendet'));
	await worker.drain();
	setConfig({ ...t.config, smtpUrl: undefined });
	heldId = await enqueueMail(conn, mail('Zurückgehalten <b>fett</b>'));
	await worker.drain();
});
afterAll(async () => {
	await worker?.stop();
	await smtp?.stop();
});

describe('outbox API', () => {
	it('is for coordinators only', async () => {
		for (const [method, path, body] of [
			['GET', '/outbox', undefined],
			['GET', `/outbox/${heldId}`, undefined],
			['POST', `/outbox/${heldId}/requeue`, undefined],
			['POST', '/outbox/test', { email: 'a@example.org' }]
		] as const) {
			expect((await api(method, path, { body })).status, `${method} ${path}`).toBe(401);
			expect((await api(method, path, { body, token: partner })).status, `${method} ${path}`).toBe(403);
		}
	});

	it('lists mails with status filter, search and paging', async () => {
		const all = await api('GET', '/outbox?q=empfang@stadt&limit=1', { token: coordinator });
		expect(all.status).toBe(200);
		expect(all.body.total).toBe(2);
		expect(all.body.items).toHaveLength(1);
		expect(all.body.items[0]).toMatchObject({ id: heldId, status: 'held', to_address: 'empfang@stadt.example', template: 'api_test', attempts: 0, sent_at: null });
		const sent = await api('GET', '/outbox?status=sent&q=api_test', { token: coordinator });
		expect(sent.body.items.map((m: { id: number }) => m.id)).toEqual([sentId]);
		expect(sent.body.items[0].sent_at).toMatch(/^\d{4}-\d\d-\d\dT/);
		expect(Object.keys(sent.body.items[0])).not.toContain('html');
	});

	it('rejects bad filters with 400', async () => {
		for (const query of ['status=unterwegs', 'limit=5000', `q=${'x'.repeat(201)}`]) {
			const r = await api('GET', `/outbox?${query}`, { token: coordinator });
			expect(r.status, query).toBe(400);
			expect(Object.keys(r.body.errors)[0]).toMatch(/^query\./);
		}
	});

	it('returns one mail with text and html, 404 for unknown or malformed ids', async () => {
		const r = await api('GET', `/outbox/${heldId}`, { token: coordinator });
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ id: heldId, subject: 'Zurückgehalten <b>fett</b>', status: 'held', headers: null });
		expect(r.body.text).toContain('Guten Tag,');
		expect(r.body.html).toContain('Zurückgehalten &lt;b&gt;fett&lt;/b&gt;');
		expect(r.body.message_id).toMatch(/^<.+@kommunennetz\.example>$/);
		for (const id of ['999999', 'abc', '0', '-1', '1.5']) expect((await api('GET', `/outbox/${id}`, { token: coordinator })).status, id).toBe(404);
	});

	it('requeues a held mail (202) with an audit entry, 409 when it is not failed or held, 404 when unknown', async () => {
		setConfig({ ...t.config, smtpUrl: smtp.url });
		const r = await api('POST', `/outbox/${heldId}/requeue`, { token: coordinator });
		expect(r.status).toBe(202);
		expect(r.body).toEqual({ id: heldId, status: 'queued' });
		const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'mail.requeued'));
		expect(entry).toMatchObject({ objectId: String(heldId), actorLabel: 'Kora Koordination <koordination@example.org>' });
		const again = await api('POST', `/outbox/${heldId}/requeue`, { token: coordinator });
		expect(again.status).toBe(409);
		expect(again.headers.get('content-type')).toContain('application/problem+json');
		await worker.drain();
		expect((await api('GET', `/outbox/${heldId}`, { token: coordinator })).body.status).toBe('sent');
		expect((await api('POST', `/outbox/${sentId}/requeue`, { token: coordinator })).status).toBe(409);
		expect((await api('POST', '/outbox/999999/requeue', { token: coordinator })).status).toBe(404);
		expect((await api('POST', '/outbox/abc/requeue', { token: coordinator })).status).toBe(404);
	});

	it('queues a test mail (202) that the worker delivers, 400 for a bad address', async () => {
		setConfig({ ...t.config, smtpUrl: smtp.url });
		smtp.clear();
		const r = await api('POST', '/outbox/test', { token: coordinator, body: { email: 'pruefung@stadt.example' } });
		expect(r.status).toBe(202);
		expect(r.body).toMatchObject({ id: expect.any(Number), status: 'queued' });
		const [entry] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'mail.test_sent'));
		expect(entry).toMatchObject({ objectId: String(r.body.id), changes: { to: 'pruefung@stadt.example' } });
		await worker.drain();
		const [received] = await smtp.waitForMessages(1);
		expect(received.envelope.to).toEqual(['pruefung@stadt.example']);

		for (const body of [{ email: 'kaputt' }, {}, { email: 42 }]) {
			const bad = await api('POST', '/outbox/test', { token: coordinator, body });
			expect(bad.status, JSON.stringify(body)).toBe(400);
			expect(Object.keys(bad.body.errors)).toContain('body.email');
		}
		expect((await api('POST', '/outbox/test', { token: coordinator, rawBody: '{kein json', headers: { 'content-type': 'application/json' } })).status).toBe(400);
	});

	it('GET /outbox/test is no mail (404), not a server error', async () => {
		expect((await api('GET', '/outbox/test', { token: coordinator })).status).toBe(404);
	});
});

describe('POST /outbox/requeue-held', () => {
	it('sends every held mail once SMTP is configured, with one audit record', async () => {
		setConfig({ ...t.config, smtpUrl: undefined });
		const mail = (subject: string) => ({ ...renderMail({ subject, paragraphs: ['Text'] }), to: 'gehalten@stadt.example', template: 'held_test' });
		await enqueueMail(t.database.db, mail('Gehalten 1'));
		await enqueueMail(t.database.db, mail('Gehalten 2'));
		await worker.drain();
		expect((await api('POST', '/outbox/requeue-held', { token: partner })).status).toBe(403);
		setConfig({ ...t.config, smtpUrl: smtp.url });
		const r = await api('POST', '/outbox/requeue-held', { token: coordinator });
		expect(r.status).toBe(202);
		expect(r.body.requeued).toBeGreaterThanOrEqual(2);
		await worker.drain();
		const left = await api('GET', '/outbox?status=held', { token: coordinator });
		expect(left.body.total).toBe(0);
		const delivered = smtp.messages.filter((m) => m.envelope.to.includes('gehalten@stadt.example'));
		expect(delivered.map((m) => m.parsed.subject).sort()).toEqual(['Gehalten 1', 'Gehalten 2']);
		const audit = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'mail.held_requeued'));
		expect(audit).toHaveLength(1);
		expect((await api('POST', '/outbox/requeue-held', { token: coordinator })).body.requeued).toBe(0);
	});
});
