import { beforeAll, describe, expect, it } from 'vitest';
import { desc, eq } from 'drizzle-orm';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { createApiToken, createUser, setUserStatus } from '../accounts';
import { anonymousActor, cliActor } from '../audit';
import { auditLog } from '../audit/schema';
import { outboxMails } from '../mail/schema';
import { DomainError } from '../errors';
import { accessibilityFeedback } from './schema';
import { FEEDBACK_MAX_PER_IP_PER_HOUR, listAccessibilityFeedback, submitAccessibilityFeedback } from '.';

const t = useTestDatabase();
let coordinatorToken: string;
let partnerToken: string;

beforeAll(async () => {
	const conn = t.database.db;
	const k1 = await createUser(conn, cliActor, { email: 'k1@kommunennetz.example', name: 'Koordination Eins', role: 'coordinator', password: 'geheimes-passwort-1' });
	await createUser(conn, cliActor, { email: 'k2@kommunennetz.example', name: 'Koordination Zwei', role: 'coordinator', password: 'geheimes-passwort-2' });
	const off = await createUser(conn, cliActor, { email: 'k3@kommunennetz.example', name: 'Koordination Gesperrt', role: 'coordinator', password: 'geheimes-passwort-3' });
	await setUserStatus(conn, cliActor, { userId: off.id, status: 'disabled' });
	const p = await createUser(conn, cliActor, { email: 'partner@example.org', name: 'Partner', role: 'partner', password: 'geheimes-passwort-4' });
	coordinatorToken = (await createApiToken(conn, cliActor, { userId: k1.id, name: 'Test' })).token;
	partnerToken = (await createApiToken(conn, cliActor, { userId: p.id, name: 'Test' })).token;
});

async function mailsFor(template: string) {
	return t.database.db.select().from(outboxMails).where(eq(outboxMails.template, template)).orderBy(outboxMails.id);
}

describe('submitAccessibilityFeedback', () => {
	it('stores the feedback, writes the audit row and mails active coordinators and the sender', async () => {
		const conn = t.database.db;
		const { id } = await submitAccessibilityFeedback(conn, anonymousActor('10.0.0.1'), {
			name: '  Erika Beispiel ',
			email: 'erika@beispiel.de',
			pageUrl: '/gebiete',
			message: 'Die Tabelle lässt sich mit dem Screenreader nicht gut lesen.'
		});
		const [row] = await conn.select().from(accessibilityFeedback).where(eq(accessibilityFeedback.id, id));
		expect(row).toMatchObject({ name: 'Erika Beispiel', email: 'erika@beispiel.de', pageUrl: '/gebiete', doneAt: null });

		const [audit] = await conn.select().from(auditLog).where(eq(auditLog.objectType, 'accessibility_feedback')).orderBy(desc(auditLog.id));
		expect(audit).toMatchObject({ action: 'accessibility_feedback.submitted', objectId: String(id), actorLabel: 'Anonym', ip: '10.0.0.1' });
		expect(JSON.stringify(audit.changes)).not.toContain('Screenreader');

		const notices = await mailsFor('accessibility_feedback');
		expect(notices.map((m) => m.toAddress).sort()).toEqual(['k1@kommunennetz.example', 'k2@kommunennetz.example']);
		expect(notices[0].subject).toContain(`Nr. ${id}`);
		expect(notices[0].text).toContain('Die Tabelle lässt sich mit dem Screenreader nicht gut lesen.');
		expect(notices[0].headers).toMatchObject({ 'Reply-To': 'erika@beispiel.de' });

		const confirmations = await mailsFor('accessibility_feedback_confirmation');
		expect(confirmations).toHaveLength(1);
		expect(confirmations[0].toAddress).toBe('erika@beispiel.de');
		// The public form must not let anyone send their own text to a third party.
		expect(confirmations[0].text).not.toContain('Screenreader');
		expect(confirmations[0].text).not.toContain('Erika');
	});

	it('needs only a message; without an address no confirmation goes out', async () => {
		const conn = t.database.db;
		const before = (await mailsFor('accessibility_feedback_confirmation')).length;
		const { id } = await submitAccessibilityFeedback(conn, anonymousActor('10.0.0.2'), { name: '', email: '  ', pageUrl: '', message: 'Kontrast zu schwach.' });
		const [row] = await conn.select().from(accessibilityFeedback).where(eq(accessibilityFeedback.id, id));
		expect(row).toMatchObject({ name: null, email: null, pageUrl: null, message: 'Kontrast zu schwach.' });
		expect((await mailsFor('accessibility_feedback_confirmation')).length).toBe(before);
		expect((await mailsFor('accessibility_feedback')).filter((m) => m.subject.includes(`Nr. ${id}`))).toHaveLength(2);
	});

	it('rejects an empty message and a bad address with German messages per field, storing nothing', async () => {
		const conn = t.database.db;
		const [{ n: before }] = await conn.execute<{ n: number }>('select count(*)::int as n from accessibility_feedback').then((r) => r.rows);
		const err = await submitAccessibilityFeedback(conn, anonymousActor('10.0.0.3'), { email: 'keine-adresse', message: '   ' }).catch((e) => e);
		expect(err).toBeInstanceOf(DomainError);
		expect(err.kind).toBe('validation');
		expect(err.fieldErrors.message).toEqual(['Bitte beschreiben Sie das Problem.']);
		expect(err.fieldErrors.email[0]).toMatch(/gültige E-Mail-Adresse/);
		const [{ n: after }] = await conn.execute<{ n: number }>('select count(*)::int as n from accessibility_feedback').then((r) => r.rows);
		expect(after).toBe(before);
	});

	it('drops control characters, which PostgreSQL could not store or which hide text', async () => {
		const conn = t.database.db;
		const { id } = await submitAccessibilityFeedback(conn, anonymousActor('10.0.0.4'), { name: '\u0000', pageUrl: 'a\u0000b', message: 'Zeile 1\nZeile\u0007 2\u0000' });
		const [row] = await conn.select().from(accessibilityFeedback).where(eq(accessibilityFeedback.id, id));
		expect(row).toMatchObject({ name: null, pageUrl: 'ab', message: 'Zeile 1\nZeile 2' });
		const err = await submitAccessibilityFeedback(conn, anonymousActor('10.0.0.4'), { message: '\u0000 \u0000' }).catch((e) => e);
		expect(err.fieldErrors.message).toEqual(['Bitte beschreiben Sie das Problem.']);
	});

	it('throttles one IP address after the hourly limit', async () => {
		const conn = t.database.db;
		const actor = anonymousActor('10.9.9.9');
		for (let i = 0; i < FEEDBACK_MAX_PER_IP_PER_HOUR; i++) await submitAccessibilityFeedback(conn, actor, { message: `Meldung ${i}` });
		const err = await submitAccessibilityFeedback(conn, actor, { message: 'eine zu viel' }).catch((e) => e);
		expect(err).toBeInstanceOf(DomainError);
		expect(err.kind).toBe('throttled');
		// Another address is not affected.
		await expect(submitAccessibilityFeedback(conn, anonymousActor('10.9.9.8'), { message: 'andere Adresse' })).resolves.toHaveProperty('id');
	});

	it('lists feedback newest first with total', async () => {
		const { items, total } = await listAccessibilityFeedback(t.database.db, { limit: 2 });
		expect(items).toHaveLength(2);
		expect(total).toBeGreaterThan(2);
		expect(items[0].id).toBeGreaterThan(items[1].id);
	});
});

describe('API /accessibility-feedback', () => {
	it('accepts public feedback with 201 and returns its id', async () => {
		const r = await api('POST', '/accessibility-feedback', { body: { message: 'Der Fokus ist im Menü nicht sichtbar.', page_url: '/', email: 'max@example.org' }, ip: '10.1.1.1' });
		expect(r.status).toBe(201);
		expect(r.body.id).toEqual(expect.any(Number));
		const [row] = await t.database.db.select().from(accessibilityFeedback).where(eq(accessibilityFeedback.id, r.body.id));
		expect(row).toMatchObject({ pageUrl: '/', email: 'max@example.org' });
	});

	it('answers bad input with 400 and field errors', async () => {
		const r = await api('POST', '/accessibility-feedback', { body: { message: '', email: 'nicht-gültig' }, ip: '10.1.1.2' });
		expect(r.status).toBe(400);
		expect(r.headers.get('content-type')).toContain('application/problem+json');
		expect(Object.keys(r.body.errors).sort()).toEqual(['body.email', 'body.message']);
		const wrongType = await api('POST', '/accessibility-feedback', { body: { message: 42 }, ip: '10.1.1.2' });
		expect(wrongType.status).toBe(400);
		expect(wrongType.body.errors['body.message']).toBeDefined();
	});

	it('lists feedback only for coordinators: 401 anonymous, 403 partner, 200 coordinator', async () => {
		expect((await api('GET', '/accessibility-feedback')).status).toBe(401);
		expect((await api('GET', '/accessibility-feedback', { token: partnerToken })).status).toBe(403);
		const r = await api('GET', '/accessibility-feedback?limit=1', { token: coordinatorToken });
		expect(r.status).toBe(200);
		expect(r.body.items).toHaveLength(1);
		expect(r.body.total).toBeGreaterThan(1);
		expect(r.body.items[0]).toMatchObject({ message: expect.any(String), created_at: expect.any(String), done_at: null });
	});

	it('is documented in the OpenAPI document', async () => {
		const r = await api('GET', '/openapi.json');
		expect(r.body.paths['/accessibility-feedback']).toHaveProperty('post');
		expect(r.body.paths['/accessibility-feedback']).toHaveProperty('get');
	});
});

describe('settling accessibility feedback', () => {
	it('marks feedback done and open again, with audit records, through the API', async () => {
		const { id } = await submitAccessibilityFeedback(t.database.db, anonymousActor('10.9.8.7'), { message: 'Der Kontrast der Fußzeile ist zu schwach.' });
		const done = await api('PATCH', `/accessibility-feedback/${id}`, { token: coordinatorToken, body: { done: true } });
		expect(done.status).toBe(200);
		expect(done.body.done_at).toMatch(/^\d{4}-/);
		const open = await api('GET', '/accessibility-feedback?status=open&limit=1000', { token: coordinatorToken });
		expect(open.body.items.map((f: { id: number }) => f.id)).not.toContain(id);
		const settled = await api('GET', '/accessibility-feedback?status=done', { token: coordinatorToken });
		expect(settled.body.items.map((f: { id: number }) => f.id)).toContain(id);
		const reopened = await api('PATCH', `/accessibility-feedback/${id}`, { token: coordinatorToken, body: { done: false } });
		expect(reopened.body.done_at).toBeNull();
		const actions = (await t.database.db.select().from(auditLog).where(eq(auditLog.objectId, String(id)))).map((a) => a.action);
		expect(actions).toEqual(expect.arrayContaining(['accessibility_feedback.done', 'accessibility_feedback.reopened']));
	});

	it('refuses non-coordinators, unknown ids and bad bodies', async () => {
		const { id } = await submitAccessibilityFeedback(t.database.db, anonymousActor('10.9.8.6'), { message: 'Ein Link ist nicht erkennbar.' });
		expect((await api('PATCH', `/accessibility-feedback/${id}`, { token: partnerToken, body: { done: true } })).status).toBe(403);
		expect((await api('PATCH', `/accessibility-feedback/${id}`, { body: { done: true } })).status).toBe(401);
		expect((await api('PATCH', '/accessibility-feedback/999999', { token: coordinatorToken, body: { done: true } })).status).toBe(404);
		const bad = await api('PATCH', `/accessibility-feedback/${id}`, { token: coordinatorToken, body: { done: 'ja' } });
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.body.errors)).toContain('body.done');
	});
});
