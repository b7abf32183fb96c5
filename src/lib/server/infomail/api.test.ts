import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../accounts';
import { cliActor } from '../audit';
import { setConfig } from '../config';
import { startWorker, type Worker } from '../jobs';
import { mailJobHandlers } from '../mail';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { startTestSmtpServer, type TestSmtpServer } from '../testing/smtp';
import { infomailJobHandlers } from './sending';

const t = useTestDatabase();
let smtp: TestSmtpServer;
let worker: Worker;
let coord: string;
let member: string;

beforeAll(async () => {
	smtp = await startTestSmtpServer();
	setConfig({ ...t.config, smtpUrl: smtp.url });
	worker = startWorker({ pool: t.database.pool, handlers: { ...mailJobHandlers(() => t.database.db), ...infomailJobHandlers(() => t.database) } }, false);
	await t.database.db.transaction(async (tx) => {
		const c = await createUser(tx, cliActor, { email: 'kora@example.org', name: 'Kora Koordination', role: 'coordinator', password: 'Ein-langes-Passwort-1' });
		const m = await createUser(tx, cliActor, { email: 'anna@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: '05711000', password: 'Ein-langes-Passwort-1' });
		coord = (await createApiToken(tx, cliActor, { userId: c.id, name: 'Test' })).token;
		member = (await createApiToken(tx, cliActor, { userId: m.id, name: 'Test' })).token;
	});
});
afterAll(async () => {
	await worker?.stop();
	await smtp?.stop();
});

const body = {
	subject: 'Infomail April 2026',
	intro: 'Neuigkeiten aus dem Netzwerk.',
	sections: [
		{ level: 'netzwerk', items: [{ title: 'Netzwerktreffen in Essen', text: 'Anmeldung ab sofort.', link: 'https://example.org/treffen', event_id: 7 }] },
		{ level: 'kommune', items: [{ title: 'Bielefeld tritt bei', text: 'Der Ausschuss hat zugestimmt.', member_ags: '05711000' }] }
	],
	audiences: ['member_contacts', 'subscribers']
};

describe('Infomail API', () => {
	it('POST /subscriptions answers 202 for new and known addresses alike', async () => {
		const a = await api('POST', '/subscriptions', { body: { email: 'neu@example.org', name: 'Nils Neu' } });
		const b = await api('POST', '/subscriptions', { body: { email: 'anna@bielefeld.example' } });
		expect(a.status).toBe(202);
		expect(b.status).toBe(202);
		expect(a.body).toEqual(b.body);
		const bad = await api('POST', '/subscriptions', { body: { email: 'kaputt' } });
		expect(bad.status).toBe(400);
		expect(bad.body.errors['body.email']).toBeDefined();
	});

	it('creates, reads, sends and reports progress; only coordinators', async () => {
		expect((await api('POST', '/infomails', { body })).status).toBe(401);
		expect((await api('POST', '/infomails', { token: member, body })).status).toBe(403);
		const created = await api('POST', '/infomails', { token: coord, body });
		expect(created.status).toBe(201);
		expect(created.body).toMatchObject({ status: 'draft', recipients: 0, sent: 0, pending: 0, failed: 0, audiences: ['member_contacts', 'subscribers'] });
		// Levels in their fixed order; references kept.
		expect(created.body.sections.map((s: { level: string }) => s.level)).toEqual(['kommune', 'netzwerk']);
		expect(created.body.sections[1].items[0]).toMatchObject({ event_id: '7', member_ags: null, link: 'https://example.org/treffen' });
		const id = created.body.id;

		const audiences = await api('GET', '/infomail-audiences', { token: coord });
		expect(audiences.status).toBe(200);
		expect(audiences.body.items.find((a: { key: string }) => a.key === 'member_contacts').count).toBe(1);

		const test = await api('POST', `/infomails/${id}/test`, { token: coord, body: { email: 'kora@example.org' } });
		expect(test.status).toBe(202);

		const sent = await api('POST', `/infomails/${id}/send`, { token: coord, body: { rate: 500 } });
		expect(sent.status).toBe(202);
		expect(sent.body).toMatchObject({ status: 'sending', recipients: 1, pending: 1 });
		await worker.drain();
		const got = await api('GET', `/infomails/${id}`, { token: coord });
		expect(got.body).toMatchObject({ status: 'sent', recipients: 1, sent: 1, pending: 0, failed: 0, web_url: `/infomails/${id}` });
		const again = await api('POST', `/infomails/${id}/send`, { token: coord, body: {} });
		expect(again.status).toBe(409);
		const recipients = await api('GET', `/infomails/${id}/recipients?status=sent`, { token: coord });
		expect(recipients.body).toMatchObject({ total: 1, items: [{ email: 'anna@bielefeld.example', status: 'sent', audience: 'member_contacts' }] });
	});

	it('validates with field paths and schedules with at', async () => {
		const bad = await api('POST', '/infomails', { token: coord, body: { subject: '', sections: [{ level: 'mond', items: [] }] } });
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.body.errors).join(' ')).toMatch(/body\.sections\.0\.level/);
		const bad2 = await api('POST', '/infomails', { token: coord, body: { subject: 'x', sections: [{ level: 'land', items: [{ title: 'T', member_ags: '12' }] }] } });
		expect(bad2.status).toBe(400);
		expect(bad2.body.errors).toHaveProperty(['body.subject']);
		const created = await api('POST', '/infomails', { token: coord, body });
		const at = new Date(Date.now() + 86_400_000).toISOString();
		const scheduled = await api('POST', `/infomails/${created.body.id}/send`, { token: coord, body: { at } });
		expect(scheduled.body).toMatchObject({ status: 'scheduled', scheduled_at: at });
		const cancelled = await api('POST', `/infomails/${created.body.id}/cancel`, { token: coord });
		expect(cancelled.body.status).toBe('draft');
		expect((await api('GET', '/infomails/999999', { token: coord })).status).toBe(404);
		const badAt = await api('POST', `/infomails/${created.body.id}/send`, { token: coord, body: { at: 'morgen' } });
		expect(badAt.status).toBe(400);
	});

	it('records bounces (coordinator token) and lists bounced addresses', async () => {
		expect((await api('POST', '/mail/bounces', { body: { email: 'x@example.org', type: 'hard' } })).status).toBe(401);
		const r = await api('POST', '/mail/bounces', { token: coord, body: { email: 'anna@bielefeld.example', type: 'hard', reason: '550 5.1.1 unknown', occurred_at: '2026-03-01T10:00:00Z' } });
		expect(r.status).toBe(201);
		expect(r.body).toMatchObject({ suppressed: true });
		const list = await api('GET', '/mail/bounces', { token: coord });
		expect(list.body.items[0]).toMatchObject({ email: 'anna@bielefeld.example', hard: 1, suppressed: true, last_reason: '550 5.1.1 unknown' });
		expect((await api('POST', '/mail/bounces', { token: coord, body: { email: 'x@example.org', type: 'weich' } })).status).toBe(400);
	});

	it('exports and deletes the data of an address', async () => {
		const exp = await api('GET', `/subscribers/${encodeURIComponent('neu@example.org')}`, { token: coord });
		expect(exp.status).toBe(200);
		expect(exp.body.subscriber).toMatchObject({ status: 'pending', name: 'Nils Neu' });
		expect(exp.body.consents[0]).toMatchObject({ source: 'API', consentVersion: '2026-01', requestIp: '127.0.0.1' });
		expect((await api('DELETE', `/subscribers/${encodeURIComponent('neu@example.org')}`, { token: coord })).status).toBe(204);
		expect((await api('GET', `/subscribers/${encodeURIComponent('neu@example.org')}`, { token: coord })).body.subscriber).toBeNull();
		expect((await api('GET', '/subscribers/kein-mail', { token: coord })).status).toBe(400);
	});
});

describe('POST /infomails/{id}/resend-uncertain', () => {
	it('is for coordinators and answers 409 when no delivery is uncertain', async () => {
		const created = await api('POST', '/infomails', { token: coord, body });
		expect(created.status).toBe(201);
		const path = `/infomails/${created.body.id}/resend-uncertain`;
		expect((await api('POST', path)).status).toBe(401);
		expect((await api('POST', path, { token: member })).status).toBe(403);
		const none = await api('POST', path, { token: coord });
		expect(none.status).toBe(409);
		expect(none.body.detail).toMatch(/Entwurf/);
		expect((await api('POST', '/infomails/999999/resend-uncertain', { token: coord })).status).toBe(404);
	});
});
