import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { createApiToken, createUser } from '../accounts';
import { cliActor, recordAudit } from '.';

const t = useTestDatabase();
let coordinator: string;
let member: string;
let partner: string;

beforeAll(async () => {
	const conn = t.database.db;
	const token = async (email: string, role: 'coordinator' | 'member_contact' | 'partner') => {
		const u = await createUser(conn, cliActor, { email, name: `Test ${role}`, role, password: 'geheimes-passwort-123', ...(role === 'member_contact' ? { areaAgs: '05566076' } : {}) });
		return (await createApiToken(conn, cliActor, { userId: u.id, name: 'Test' })).token;
	};
	coordinator = await token('koordination@example.org', 'coordinator');
	member = await token('kontakt@rheine.example', 'member_contact');
	partner = await token('partner@example.org', 'partner');
	for (let i = 0; i < 7; i++) await recordAudit(conn, { label: 'Prüferin Öz' }, { action: 'probe.checked', objectType: 'probe', objectId: i, changes: { wert: [i, i + 1] } });
});

describe('GET /audit-log', () => {
	it('is for coordinators only', async () => {
		expect((await api('GET', '/audit-log')).status).toBe(401);
		expect((await api('GET', '/audit-log', { token: member })).status).toBe(403);
		expect((await api('GET', '/audit-log', { token: partner })).status).toBe(403);
		expect((await api('GET', '/audit-log', { token: coordinator })).status).toBe(200);
	});

	it('lists entries with filters, limit and offset', async () => {
		const r = await api('GET', '/audit-log?action=probe.&limit=3', { token: coordinator });
		expect(r.status).toBe(200);
		expect(r.body.total).toBe(7);
		expect(r.body.items).toHaveLength(3);
		expect(r.body.items[0]).toMatchObject({ action: 'probe.checked', object_type: 'probe', object_id: '6', actor_label: 'Prüferin Öz', actor_user_id: null, changes: { wert: [6, 7] } });
		expect(new Date(r.body.items[0].at).getTime()).toBeGreaterThan(Date.now() - 60_000);
		const next = await api('GET', '/audit-log?action=probe.&limit=3&offset=6', { token: coordinator });
		expect(next.body.items.map((e: { object_id: string }) => e.object_id)).toEqual(['0']);
		const one = await api('GET', '/audit-log?object_type=probe&object_id=3', { token: coordinator });
		expect(one.body.total).toBe(1);
		const q = await api('GET', `/audit-log?q=${encodeURIComponent('prüferin')}`, { token: coordinator });
		expect(q.body.total).toBe(7);
		const users = await api('GET', '/audit-log?object_type=user', { token: coordinator });
		expect(users.body.total).toBe(3);
		const today = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
		expect((await api('GET', `/audit-log?from=${today}&to=${today}&action=probe`, { token: coordinator })).body.total).toBe(7);
		expect((await api('GET', '/audit-log?to=2020-01-01', { token: coordinator })).body.total).toBe(0);
	});

	it('rejects bad filters with 400 and field errors', async () => {
		for (const [query, field] of [
			['from=gestern', 'query.from'],
			['to=2026-02-30', 'query.to'],
			['from=2026-03-05&to=2026-03-01', 'query.to'],
			['action=%25', 'query.action'],
			['object_type=a%20b', 'query.object_type'],
			['limit=0', 'query.limit'],
			['offset=-1', 'query.offset'],
			[`q=${'x'.repeat(201)}`, 'query.q']
		]) {
			const r = await api('GET', `/audit-log?${query}`, { token: coordinator });
			expect(r.status, query).toBe(400);
			expect(Object.keys(r.body.errors), query).toContain(field);
		}
	});

	it('is described in the OpenAPI document', async () => {
		const r = await api('GET', '/openapi.json');
		const op = r.body.paths['/audit-log'].get;
		expect(op['x-access']).toBe('coordinator');
		expect(op.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['q', 'action', 'object_type', 'object_id', 'from', 'to', 'limit', 'offset']));
	});
});
