/**
 * HTTP-level checks against the running production build, without a browser: health,
 * security headers everywhere, cookie flags, problem+json, and malformed input that must never
 * produce a 5xx.
 */
import { describe, expect, inject, it } from 'vitest';
import { COORDINATOR } from './support/browser';
import { loginCookie, postForm, request } from './support/http';
import { uniqueIp } from './support/ip';

const { databaseKind, baseURL } = inject('e2e');

describe('/healthz', () => {
	it('answers 200 with the database kind', async () => {
		const res = await request('/healthz');
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toMatch(/application\/json/);
		expect(await res.json()).toEqual({ status: 'ok', database: databaseKind });
	});
});

/** The effective script policy: script-src, else default-src. */
function scriptPolicy(csp: string): string {
	const directives = Object.fromEntries(
		csp
			.split(';')
			.map((d) => d.trim())
			.filter(Boolean)
			.map((d) => {
				const [name, ...values] = d.split(/\s+/);
				return [name.toLowerCase(), values.join(' ')];
			})
	);
	return directives['script-src'] ?? directives['default-src'] ?? '';
}

function expectSecurityHeaders(res: Response, what: string) {
	const csp = res.headers.get('content-security-policy');
	expect(csp, `${what}: Content-Security-Policy`).toBeTruthy();
	expect(csp!, `${what}: frame-ancestors`).toMatch(/frame-ancestors 'none'/);
	expect(scriptPolicy(csp!), `${what}: script-src`).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
	expect(scriptPolicy(csp!), `${what}: script-src vorhanden`).not.toBe('');
	expect(res.headers.get('x-content-type-options'), `${what}: X-Content-Type-Options`).toBe('nosniff');
	expect(res.headers.get('referrer-policy'), `${what}: Referrer-Policy`).toMatch(/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/);
}

describe('security headers', () => {
	it('on a page', async () => {
		const res = await request('/');
		expect(res.status).toBe(200);
		expectSecurityHeaders(res, '/');
		// SvelteKit's page CSP: its own bootstrap script is allowed by nonce or hash only.
		expect(scriptPolicy(res.headers.get('content-security-policy')!)).toMatch(/'nonce-|'sha256-|'self'/);
	});

	it('on /healthz', async () => {
		expectSecurityHeaders(await request('/healthz'), '/healthz');
	});

	it('on API responses, successful and failed', async () => {
		const ok = await request('/api/v1/areas?limit=1');
		expect(ok.status).toBe(200);
		expectSecurityHeaders(ok, '/api/v1/areas');
		const missing = await request('/api/v1/gibt-es-nicht');
		expectSecurityHeaders(missing, '/api/v1/gibt-es-nicht');
	});

	it('on static files (built assets and static/)', async () => {
		const html = await (await request('/')).text();
		const asset = /(?:src|href)="([^"]*\/_app\/immutable\/[^"]+\.(?:js|css))"/.exec(html)?.[1];
		expect(asset, 'Die Startseite verweist auf ein Asset unter /_app/immutable/').toBeTruthy();
		const assetRes = await request(new URL(asset!, baseURL + '/').pathname);
		expect(assetRes.status).toBe(200);
		expectSecurityHeaders(assetRes, asset!);
		const favicon = await request('/favicon.svg');
		expect(favicon.status).toBe(200);
		expectSecurityHeaders(favicon, '/favicon.svg');
	});

	it('on a 404 page', async () => {
		const res = await request('/diese-seite-gibt-es-nicht');
		expect(res.status).toBe(404);
		expectSecurityHeaders(res, '404');
		expect(await res.text()).toMatch(/gibt es nicht|nicht gefunden/i);
	});
});

describe('session cookie', () => {
	it('is HttpOnly and SameSite=Lax after login', async () => {
		const res = await postForm('/anmelden', { email: COORDINATOR.email, password: COORDINATOR.password });
		expect(res.status, 'Anmeldung leitet weiter').toBeGreaterThanOrEqual(300);
		expect(res.status).toBeLessThan(400);
		const cookie = res.headers.getSetCookie().find((c) => c.startsWith('kn_session='));
		expect(cookie, `Set-Cookie: ${res.headers.getSetCookie().join(' | ')}`).toBeTruthy();
		expect(cookie!).toMatch(/;\s*HttpOnly/i);
		expect(cookie!).toMatch(/;\s*SameSite=Lax/i);
		expect(cookie!).toMatch(/;\s*Path=\//i);
		const page = await request('/konto', { cookie: cookie!.split(';')[0] });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain(COORDINATOR.name);
	});
});

describe('API errors as problem+json', () => {
	it('400 for a body that is not JSON', async () => {
		const res = await request('/api/v1/auth/password-reset', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
		expect(res.status).toBe(400);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		const body = await res.json();
		expect(body.status).toBe(400);
		expect(typeof (body.detail ?? body.title)).toBe('string');
	});

	it('404 for an unknown path', async () => {
		const res = await request('/api/v1/gibt-es-nicht/wirklich');
		expect(res.status).toBe(404);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
		expect((await res.json()).status).toBe(404);
	});

	it('401 problem+json for a wrong bearer token', async () => {
		const res = await request('/api/v1/me', { headers: { authorization: 'Bearer falsch' } });
		expect(res.status).toBe(401);
		expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
	});
});

// ---------------------------------------------------------------------------------------
// Malformed input

const VALUES = [
	'',
	' ',
	'a'.repeat(5000),
	'\u0000',
	'%00',
	'ä ö ü ß Æ',
	'😀'.repeat(40),
	'\u202eevil',
	'../../../../etc/passwd',
	'..\\..\\..\\windows\\win.ini',
	'<script>alert(1)</script>',
	"' or 1=1 --",
	'"',
	'-1',
	'0',
	'99999999999999999999999999',
	'1e309',
	'NaN',
	'null',
	'[]',
	'{"a":1}',
	'05113000',
	'0511300000'
];
/** Path segments: encoded values plus raw sequences that are not valid percent-encoding. */
const SEGMENTS = [...VALUES.filter((v) => v !== '').map(encodeURIComponent), '%', '%zz', '%00', '..%2f..%2fetc%2fpasswd', '%2e%2e%2f%2e%2e%2f', '%c0%af', '%ff%fe', '..', '.'];
const q = encodeURIComponent;

interface Probe {
	label: string;
	run: () => Promise<Response>;
}

async function runProbes(probes: Probe[], concurrency = 4): Promise<string[]> {
	const failures: string[] = [];
	let next = 0;
	async function worker() {
		while (next < probes.length) {
			const p = probes[next++];
			try {
				const res = await p.run();
				await res.arrayBuffer();
				if (res.status >= 500) failures.push(`${res.status} ${p.label}`);
			} catch (err) {
				failures.push(`Fehler ${p.label}: ${(err as Error).message}`);
			}
		}
	}
	await Promise.all(Array.from({ length: concurrency }, worker));
	return failures;
}

const short = (s: string) => (s.length > 60 ? `${s.slice(0, 60)}…(${s.length})` : s);

describe('malformed input never causes a 5xx', () => {
	it('pages and API endpoints, anonymous', async () => {
		const probes: Probe[] = [];
		const get = (p: string) => probes.push({ label: `GET ${short(p)}`, run: () => request(p) });
		const post = (p: string, fields: [string, string][]) =>
			probes.push({ label: `POST ${short(p)} ${short(JSON.stringify(fields))}`, run: () => postForm(p, fields) });
		const json = (p: string, body: string, type = 'application/json') =>
			probes.push({ label: `POST ${p} ${short(body)} (${type})`, run: () => request(p, { method: 'POST', headers: { 'content-type': type }, body }) });

		for (const v of VALUES) {
			get(`/gebiete?q=${q(v)}`);
			get(`/gebiete?q=${q(v)}&seite=${q(v)}&ebene=${q(v)}`);
			get(`/api/v1/areas?limit=${q(v)}&offset=${q(v)}`);
			get(`/api/v1/areas?q=${q(v)}&kind=${q(v)}&within=${q(v)}`);
			get(`/anmelden?ziel=${q(v)}&passwort=${q(v)}`);
			post('/anmelden', [
				['email', v],
				['password', v]
			]);
			post('/passwort-vergessen', [['email', v]]);
			post('/barrierefreiheit', [
				['name', v],
				['email', v],
				['message', v],
				['page', v],
				['url', v]
			]);
			json('/api/v1/auth/password-reset', JSON.stringify({ email: v }));
		}
		for (const s of SEGMENTS) {
			get(`/${s}`);
			get(`/gebiete/${s}`);
			get(`/passwort-neu/${s}`);
			get(`/einladung/${s}`);
			get(`/api/v1/areas/${s}`);
			get(`/api/v1/${s}`);
			get(`/_app/${s}`);
			post(`/passwort-neu/${s}`, [
				['password', 'Ein-gutes-Passwort-1'],
				['password_confirm', 'Ein-gutes-Passwort-1']
			]);
			post(`/einladung/${s}`, [
				['password', 'Ein-gutes-Passwort-1'],
				['password_confirm', 'Ein-gutes-Passwort-1']
			]);
		}
		// Wrong types, shapes and content types.
		for (const body of ['{"email": 123}', '{"email": null}', '{"email": ["a@b.de"]}', '{"email": {"$ne": ""}}', '[]', '"x"', '42', 'null', '{}', '['.repeat(5000) + ']'.repeat(5000), '{bad', '\u0000'])
			json('/api/v1/auth/password-reset', body);
		json('/api/v1/auth/password-reset', 'email=a@b.de', 'application/x-www-form-urlencoded');
		json('/api/v1/auth/password-reset', '{"email":"a@b.de"}', 'text/plain');
		json('/api/v1/areas', '{}');
		post('/anmelden', [
			['email', 'a@b.de'],
			['email', 'c@d.de'],
			['password', 'x'],
			['password', 'y']
		]);
		post('/anmelden', []);
		post('/abmelden', []);
		probes.push({ label: 'POST /anmelden text/plain', run: () => request('/anmelden', { method: 'POST', headers: { 'content-type': 'text/plain', origin: baseURL }, body: 'email=x' }) });
		probes.push({ label: 'POST /anmelden ohne Origin', run: () => request('/anmelden', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=x&password=y' }) });
		probes.push({
			label: 'POST /anmelden multipart',
			run: () => {
				const fd = new FormData();
				fd.append('email', new Blob(['x'.repeat(10_000)]), 'datei.txt');
				fd.append('password', 'x');
				return request('/anmelden', { method: 'POST', headers: { origin: baseURL }, body: fd });
			}
		});
		for (const token of ['x', 'a'.repeat(3000), "' or 1=1 --", 'kn_' + 'A'.repeat(40), '../../etc/passwd'])
			probes.push({ label: `GET /api/v1/me Bearer ${short(token)}`, run: () => request('/api/v1/me', { headers: { authorization: `Bearer ${token}` } }) });
		probes.push({ label: 'GET /konto mit kaputtem Cookie', run: () => request('/konto', { cookie: 'kn_session=%zz%00' }) });
		probes.push({ label: 'GET /konto mit langem Cookie', run: () => request('/konto', { cookie: `kn_session=${'a'.repeat(4000)}` }) });

		const failures = await runProbes(probes);
		expect(failures, `${failures.length} von ${probes.length} Anfragen endeten mit 5xx:\n${failures.join('\n')}`).toEqual([]);
	}, 240_000);

	it('pages and API endpoints, logged in as coordinator', async () => {
		const ip = uniqueIp();
		const cookie = await loginCookie(COORDINATOR.email, COORDINATOR.password, ip);
		const probes: Probe[] = [];
		const get = (p: string) => probes.push({ label: `GET ${short(p)}`, run: () => request(p, { cookie, ip }) });
		const post = (p: string, fields: [string, string][]) =>
			probes.push({ label: `POST ${short(p)} ${short(JSON.stringify(fields))}`, run: () => postForm(p, fields, { cookie, ip }) });
		for (const v of VALUES) {
			get(`/verwaltung/postausgang?q=${q(v)}&status=${q(v)}&seite=${q(v)}`);
			get(`/verwaltung/protokoll?q=${q(v)}&aktion=${q(v)}&seite=${q(v)}&von=${q(v)}&bis=${q(v)}`);
			get(`/verwaltung/benutzer?q=${q(v)}&rolle=${q(v)}&seite=${q(v)}`);
			get(`/api/v1/me?x=${q(v)}`);
			post('/verwaltung/benutzer', [
				['email', v],
				['name', v],
				['role', v],
				['area_ags', v]
			]);
		}
		for (const s of SEGMENTS) {
			get(`/verwaltung/${s}`);
			get(`/verwaltung/postausgang/${s}`);
			get(`/verwaltung/benutzer/${s}`);
		}
		const failures = await runProbes(probes);
		expect(failures, `${failures.length} von ${probes.length} Anfragen endeten mit 5xx:\n${failures.join('\n')}`).toEqual([]);
	}, 240_000);
});

describe('cross-site form posts', () => {
	it('are refused on pages and the API, from another origin or without one', async () => {
		for (const [path, origin] of [
			['/anmelden', 'https://angreifer.example'],
			['/passwort-vergessen', 'https://angreifer.example'],
			['/abmelden', 'null'],
			['/api/v1/auth/password-reset', 'https://angreifer.example']
		] as const) {
			const res = await request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin }, body: 'email=x%40example.org&password=y' });
			expect(res.status, path).toBe(403);
		}
		const noOrigin = await request('/anmelden', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=x%40example.org&password=y' });
		expect(noOrigin.status).toBe(403);
		const own = await request('/passwort-vergessen', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseURL }, body: 'email=x%40example.org' });
		expect(own.status).toBeLessThan(400);
	});
});
