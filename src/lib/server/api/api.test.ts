import { describe, expect, it, beforeAll } from 'vitest';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { createApiToken, createUser } from '../accounts';
import { cliActor } from '../audit';

const t = useTestDatabase();
let token: string;
let partnerToken: string;

beforeAll(async () => {
	const conn = t.database.db;
	const u = await createUser(conn, cliActor, { email: 'api@example.org', name: 'Api Nutzerin', role: 'coordinator', password: 'geheimes-passwort' });
	token = (await createApiToken(conn, cliActor, { userId: u.id, name: 'Test' })).token;
	const p = await createUser(conn, cliActor, { email: 'partner@example.org', name: 'Partner', role: 'partner', password: 'geheimes-passwort' });
	partnerToken = (await createApiToken(conn, cliActor, { userId: p.id, name: 'Test' })).token;
});

describe('API conventions', () => {
	it('answers unknown paths and methods with problem+json', async () => {
		const r = await api('GET', '/gibt-es-nicht');
		expect(r.status).toBe(404);
		expect(r.headers.get('content-type')).toContain('application/problem+json');
		expect(r.body).toMatchObject({ status: 404, title: 'Nicht gefunden' });
		const m = await api('DELETE', '/areas');
		expect(m.status).toBe(405);
		expect(m.headers.get('allow')).toBe('GET');
	});

	it('requires a valid token for /me and reports the user', async () => {
		expect((await api('GET', '/me')).status).toBe(401);
		expect((await api('GET', '/me', { token: 'knt_falsch' })).status).toBe(401);
		const me = await api('GET', '/me', { token });
		expect(me.status).toBe(200);
		expect(me.body).toMatchObject({ email: 'api@example.org', role: 'coordinator' });
		expect((await api('GET', '/me', { token: partnerToken })).body.role).toBe('partner');
	});

	it('lists areas with filters, limit and offset', async () => {
		const all = await api('GET', '/areas?kind=kreis&limit=5');
		expect(all.status).toBe(200);
		expect(all.body.total).toBe(31);
		expect(all.body.items).toHaveLength(5);
		const next = await api('GET', '/areas?kind=kreis&limit=5&offset=5');
		expect(next.body.items[0].ags).not.toBe(all.body.items[0].ags);
		const q = await api('GET', '/areas?q=Rheine');
		expect(q.body.items.map((a: { name: string }) => a.name)).toContain('Rheine');
	});

	it('rejects bad query values with field errors instead of a 5xx', async () => {
		for (const query of ['limit=0', 'limit=1001', 'limit=abc', 'offset=-1', 'kind=dorf']) {
			const r = await api('GET', `/areas?${query}`);
			expect(r.status, query).toBe(400);
			expect(Object.keys(r.body.errors)[0]).toMatch(/^query\./);
		}
	});

	it('returns one area with its boundary, 404 for unknown or malformed AGS', async () => {
		const r = await api('GET', '/areas/05566076');
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ name: 'Rheine', kind: 'gemeinde', kreis_ags: '05566', regierungsbezirk_ags: '055' });
		expect(r.body.boundary.type).toMatch(/Polygon/);
		expect((await api('GET', '/areas/05999999')).status).toBe(404);
		expect((await api('GET', '/areas/abc')).status).toBe(404);
	});

	it('publishes an OpenAPI 3.1 document that lists every endpoint', async () => {
		const r = await api('GET', '/openapi.json');
		expect(r.status).toBe(200);
		expect(r.body.openapi).toBe('3.1.0');
		expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/me', '/areas', '/areas/{ags}']));
		const list = r.body.paths['/areas'].get;
		expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['limit', 'offset', 'kind', 'q']));
		expect(list.responses['200'].content['application/json'].schema.properties.items.type).toBe('array');
	});
});
