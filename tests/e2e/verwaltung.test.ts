/**
 * The coordinators' administration area over HTTP, as a browser without JavaScript uses it:
 * access control (login redirect, 403), the outbox with a test mail that really goes through
 * the job worker to the SMTP test server, the sandboxed HTML view, and the audit log with its
 * CSV export.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COORDINATOR, DEMO_PASSWORD } from './support/browser';
import { loginCookie, postForm, request } from './support/http';
import { eventually } from './support/server';
import { waitForMail } from './support/mail';

const PARTNER = 'info@freiwilligenagentur-rheine.example';
let coordinator: string;
let partner: string;

beforeAll(async () => {
	coordinator = await loginCookie(COORDINATOR.email, COORDINATOR.password);
	partner = await loginCookie(PARTNER, DEMO_PASSWORD);
});

describe('access', () => {
	it('sends visitors to the login and back', async () => {
		for (const p of ['/verwaltung', '/verwaltung/postausgang?status=failed', '/verwaltung/protokoll/export.csv', '/verwaltung/postausgang/1/html']) {
			const res = await request(p);
			expect(res.status, p).toBe(303);
			expect(res.headers.get('location'), p).toBe(`/anmelden?ziel=${encodeURIComponent(p)}`);
		}
	});

	it('refuses other roles with 403, for pages, actions, downloads', async () => {
		for (const p of ['/verwaltung', '/verwaltung/postausgang', '/verwaltung/protokoll', '/verwaltung/protokoll/export.csv', '/verwaltung/postausgang/1/html']) {
			const res = await request(p, { cookie: partner, headers: { accept: 'text/html' } });
			expect(res.status, p).toBe(403);
			if (!p.endsWith('.csv') && !p.endsWith('/html')) expect(await res.text(), p).toContain('nur für die Koordinierungsstelle');
		}
		const post = await postForm('/verwaltung/postausgang?/testmail', { email: 'x@example.org' }, { cookie: partner });
		expect(post.status).toBe(403);
	});
});

describe('outbox', () => {
	let mailId: number;

	it('keeps a wrong address in the test mail form and explains the error', async () => {
		const res = await postForm('/verwaltung/postausgang?/testmail', { email: 'keine-adresse' }, { cookie: coordinator });
		expect(res.status).toBe(400);
		const html = await res.text();
		expect(html).toContain('gültige E-Mail-Adresse');
		expect(html).toMatch(/value="keine-adresse"/);
		expect(html).toMatch(/aria-invalid="true"/);
	});

	it('sends a test mail through the worker to the SMTP server', async () => {
		const to = `testmail-${Date.now()}@stadt.example`;
		const res = await postForm('/verwaltung/postausgang?/testmail', { email: to }, { cookie: coordinator });
		expect(res.status).toBe(303);
		const location = res.headers.get('location')!;
		expect(location).toMatch(/^\/verwaltung\/postausgang\?testmail=\d+#testmail$/);
		mailId = Number(/testmail=(\d+)/.exec(location)![1]);

		const received = await waitForMail(to);
		expect(received.subject).toBe('Testmail der Plattform Kommunennetz');
		expect(received.text).toContain(COORDINATOR.name);

		// The detail page turns to "gesendet" and shows the same Message-ID.
		let page = '';
		expect(
			await eventually(async () => {
				page = await (await request(`/verwaltung/postausgang/${mailId}`, { cookie: coordinator })).text();
				return page.includes('gesendet') && !page.includes('noch nicht');
			}, 15_000)
		).toBe(true);
		expect(page).toContain(received.messageId!.replace(/^<|>$/g, ''));

		const list = await (await request(`/verwaltung/postausgang?q=${encodeURIComponent(to)}`, { cookie: coordinator })).text();
		expect(list).toContain(to);
		expect(list).toContain('1 Mail zu den Filtern');
	});

	it('serves the HTML part in a sandbox with its own strict policy', async () => {
		const res = await request(`/verwaltung/postausgang/${mailId}/html`, { cookie: coordinator });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
		const csp = res.headers.get('content-security-policy')!;
		expect(csp).toContain("default-src 'none'");
		expect(csp).toMatch(/(^|; )sandbox(;|$)/);
		expect(csp).toContain("frame-ancestors 'self'");
		expect(csp).not.toMatch(/script-src/);
		expect(await res.text()).toContain('<html lang="de">');
		const page = await (await request(`/verwaltung/postausgang/${mailId}`, { cookie: coordinator })).text();
		expect(page).toMatch(new RegExp(`<iframe[^>]+src="/verwaltung/postausgang/${mailId}/html"[^>]+sandbox=""`));
	});

	it('refuses to requeue a sent mail with a message, and 404 for unknown mails', async () => {
		const res = await postForm(`/verwaltung/postausgang?status=sent&/erneut`, { id: String(mailId) }, { cookie: coordinator });
		expect(res.status).toBe(409);
		expect(await res.text()).toContain('Nur fehlgeschlagene oder zurückgehaltene Mails');
		expect((await request('/verwaltung/postausgang/999999', { cookie: coordinator })).status).toBe(404);
		expect((await request('/verwaltung/postausgang/abc/html', { cookie: coordinator })).status).toBe(404);
	});

	it('explains bad filters instead of failing', async () => {
		const res = await request('/verwaltung/postausgang?status=unterwegs&offset=-5', { cookie: coordinator });
		expect(res.status).toBe(200);
		expect(await res.text()).toContain('Unbekannter Status');
	});
});

describe('audit log', () => {
	it('filters and shows the test mail entry readably', async () => {
		const res = await request('/verwaltung/protokoll?action=mail.test_sent', { cookie: coordinator });
		expect(res.status).toBe(200);
		const html = await res.text();
		expect(html).toContain('Testmail ausgelöst');
		expect(html).toMatch(/to: testmail-\d+@stadt\.example/);
		expect(html).toContain(COORDINATOR.email);
	});

	it('exports the filtered log as CSV for German spreadsheets', async () => {
		const res = await request('/verwaltung/protokoll/export.csv?action=mail.', { cookie: coordinator });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
		expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="protokoll-\d{4}-\d\d-\d\d\.csv"$/);
		const bytes = new Uint8Array(await res.arrayBuffer());
		expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
		const text = new TextDecoder().decode(bytes.slice(3));
		const lines = text.split('\r\n');
		expect(lines[0]).toBe('Zeitpunkt;Akteur;Konto-Nr.;Aktion;Bedeutung;Objekttyp;Objekt-ID;Änderungen;IP-Adresse');
		expect(lines.some((l) => l.includes(';mail.test_sent;Testmail ausgelöst;mail;'))).toBe(true);
		expect(lines.every((l, i) => i === 0 || l === '' || /;mail\./.test(l))).toBe(true);
	});

	it('answers bad export filters with 400 and German text, pages with the form errors', async () => {
		const res = await request('/verwaltung/protokoll/export.csv?from=gestern', { cookie: coordinator });
		expect(res.status).toBe(400);
		expect(await res.text()).toContain('gültiges Datum');
		const page = await request('/verwaltung/protokoll?from=2026-03-05&to=01.03.2026', { cookie: coordinator });
		expect(page.status).toBe(200);
		expect(await page.text()).toContain('Das Bis-Datum liegt vor dem Von-Datum.');
	});
});
