/**
 * Infomail in the built app: subscribing with double opt-in and composing/sending without
 * JavaScript, the RFC 8058 one-click endpoint over HTTP, the archive and its feed, and axe on
 * every new page at 1280 and 360 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, COORDINATOR, login, mainText, newContext, screenshot, setField, submitForm, useAnonymousAndCoordinator, useBrowser, type BrowserContext } from './support/browser';
import { postForm, request } from './support/http';
import { linkIn, mailsTo, waitForMail, withLink } from './support/mail';

const browser = useBrowser();
const SUBJECT = `Infomail E2E ${Date.now().toString(36)}`;
let infomailId = 0;

describe('Infomail without JavaScript', () => {
	it('subscribing: the form answers alike, the link page confirms only by its button', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await page.goto('/infomail');
			// Without the consent box: an error tied to the field, nothing typed lost.
			await setField(page, 'email', 'e2e.abo@example.org');
			await submitForm(page, 'email');
			expect(await page.locator('input[name="email"]').inputValue()).toBe('e2e.abo@example.org');
			expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
			await page.check('input[name="consent"]');
			await setField(page, 'name', 'Erika Ende');
			await submitForm(page, 'email');
			await page.waitForURL(/angefragt=1/);
			const known = await mainText(page);
			const mail = await waitForMail('e2e.abo@example.org', { match: withLink('/infomail/bestaetigen/') });
			const link = linkIn(mail, '/infomail/bestaetigen/');
			// A link scanner's GET confirms nothing.
			expect((await request(new URL(link).pathname)).status).toBe(200);
			await page.goto(link);
			expect(await mainText(page)).toMatch(/möchten die Infomail/);
			await page.click('main form button[type="submit"]');
			expect(await mainText(page)).toMatch(/Anmeldung ist bestätigt/);
			// Subscribing the same address again shows the same answer.
			await page.goto('/infomail');
			await setField(page, 'email', 'e2e.abo@example.org');
			await page.check('input[name="consent"]');
			await submitForm(page, 'email');
			await page.waitForURL(/angefragt=1/);
			expect(await mainText(page)).toBe(known);
		} finally {
			await ctx.close();
		}
	});

	it('a coordinator composes, previews and sends; the page follows the progress', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/verwaltung/infomail');
			await page.click('form[action="?/neu"] button');
			await page.waitForURL(/\/verwaltung\/infomail\/\d+$/);
			infomailId = Number(new URL(page.url()).pathname.split('/').pop());
			await setField(page, 'subject', SUBJECT);
			await setField(page, 'intro', 'Guten Tag aus dem **Netzwerk**.');
			await setField(page, 'land.0.title', 'Ehrenamtskarte NRW');
			await setField(page, 'land.0.text', 'Neue Partner gesucht.');
			await setField(page, 'land.0.link', 'ftp://falsch');
			await page.click('form[action="?/speichern"] button.kern-btn--primary');
			expect(await page.locator('[aria-invalid="true"]').count()).toBeGreaterThan(0);
			expect(await page.locator('input[name="land.0.title"]').inputValue()).toBe('Ehrenamtskarte NRW');
			await setField(page, 'land.0.link', 'https://www.engagiert-in-nrw.de');
			await page.click('button[name="add"][value="land"]');
			await page.waitForURL(/mehr=land/);
			expect(await page.locator('input[name="land.1.title"]').count()).toBe(1);
			expect((await request(`/verwaltung/infomail/${infomailId}/vorschau`)).status, 'Vorschau nur für Angemeldete').not.toBe(200);
			await screenshot(page, 'infomail-bearbeiten');
			await page.check('input[name="confirm"]');
			await page.click('form[action="?/senden"] button.kern-btn--primary');
			await page.waitForURL(/hinweis=gestartet/);
			expect(await page.locator('meta[http-equiv="refresh"]').count() + (await mainText(page)).match(/gesendet/g)!.length).toBeGreaterThan(0);
			const mail = await waitForMail('e2e.abo@example.org', { match: (m) => m.subject === SUBJECT, timeoutMs: 30_000 });
			expect(mail.text).toContain('Guten Tag Erika Ende,');
			expect(mail.html).toContain('lang="de"');
			await page.goto(`/verwaltung/infomail/${infomailId}`);
			for (let i = 0; i < 30 && (await page.locator('meta[http-equiv="refresh"]').count()); i++) {
				await page.waitForTimeout(1000);
				await page.reload();
			}
			expect(await mainText(page)).toMatch(/Status: gesendet/);
			await screenshot(page, 'infomail-gesendet');
		} finally {
			await ctx.close();
		}
	});
});

describe('one-click unsubscribe (RFC 8058) over HTTP', () => {
	async function tokenOf(address: string): Promise<string> {
		const mails = (await mailsTo(address)).filter((m) => m.subject === SUBJECT);
		expect(mails.length).toBeGreaterThan(0);
		return /\/infomail\/abbestellen\/([\w-]+)/.exec(mails[0].text)![1];
	}

	it('GET only leads to the page with the button; a bad body is refused', async () => {
		const token = await tokenOf('e2e.abo@example.org');
		const get = await request(`/infomail/abbestellen/${token}/one-click`);
		expect(get.status).toBe(303);
		const bad = await request(`/infomail/abbestellen/${token}/one-click`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(get.url).origin },
			body: 'List-Unsubscribe=Nein'
		});
		expect(bad.status).toBe(400);
		const unknown = await postForm('/infomail/abbestellen/gibt-es-nicht/one-click', { 'List-Unsubscribe': 'One-Click' });
		expect(unknown.status).toBe(404);
	});

	// Mail providers send no Origin header; hooks.server.ts exempts exactly this path from the
	// origin check that protects every other form post (see http.test.ts).
	it('works for a mail provider: no cookies, no Origin header', async () => {
		const token = await tokenOf('e2e.abo@example.org');
		const res = await request(`/infomail/abbestellen/${token}/one-click`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: 'List-Unsubscribe=One-Click'
		});
		expect(res.status).toBe(200);
	});

	it('unsubscribes with a form post of the body List-Unsubscribe=One-Click', async () => {
		const token = await tokenOf('e2e.abo@example.org');
		const res = await postForm(`/infomail/abbestellen/${token}/one-click`, { 'List-Unsubscribe': 'One-Click' });
		expect(res.status).toBe(200);
		expect(await res.text()).toMatch(/Abbestellt/);
		const page = await request(`/infomail/abbestellen/${token}`);
		expect(await page.text()).toMatch(/Bereits abbestellt/);
	});
});

describe('archive', () => {
	it('lists the sent Infomail and offers an Atom feed', async () => {
		const list = await request('/infomails');
		expect(await list.text()).toContain(SUBJECT);
		const feed = await request('/infomails/feed.xml');
		expect(feed.headers.get('content-type')).toMatch(/application\/atom\+xml/);
		const xml = await feed.text();
		expect(xml).toContain('<feed xmlns="http://www.w3.org/2005/Atom"');
		expect(xml).toContain(SUBJECT);
		expect((await request('/infomails/999999')).status).toBe(404);
	});
});

describe('accessibility of the Infomail pages', () => {
	const contexts = useAnonymousAndCoordinator(browser);

	async function check(ctx: BrowserContext, path: string) {
		for (const width of [1280, 360]) {
			const page = await ctx.newPage();
			try {
				await page.setViewportSize({ width, height: width > 600 ? 900 : 740 });
				const res = await page.goto(path);
				expect(res?.status(), path).toBe(200);
				await screenshot(page, `infomail-a11y-${width}-${path}`);
				expect(await page.locator('h1').count()).toBe(1);
				const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
				expect(wide, `${path} bei ${width} px zu breit`).toBeLessThanOrEqual(1);
				await axeCheck(page, `${path} (${width} px)`);
			} finally {
				await page.close();
			}
		}
	}

	it('public pages', async () => {
		for (const p of ['/infomail', '/infomail?angefragt=1', '/infomails', `/infomails/${infomailId}`, '/infomail/bestaetigen/unbekannt', '/infomail/abbestellen/unbekannt']) await check(contexts.anon, p);
	});

	it('coordinator pages', async () => {
		const page = await contexts.coord.newPage();
		await page.goto('/verwaltung/infomail');
		await page.click('form[action="?/vorlage"] button');
		await page.waitForURL(/\/verwaltung\/infomail\/\d+/);
		const draft = new URL(page.url()).pathname;
		await page.close();
		for (const p of ['/verwaltung/infomail', draft, `/verwaltung/infomail/${infomailId}`, '/verwaltung/infomail/abonnenten', '/verwaltung/infomail/bounces']) await check(contexts.coord, p);
	});
});
