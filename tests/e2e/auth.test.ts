/**
 * Accounts in the browser: login, logout, wrong password, throttling, password reset by mail,
 * invitation by mail. Each test uses its own demo account, so that failed attempts (counted
 * per account) in one test never lock out another.
 */
import { describe, expect, it } from 'vitest';
import { COORDINATOR, DEMO_PASSWORD, login, logout, mainText, newContext, screenshot, setField, submitForm, textWithValues, useBrowser, type Page } from './support/browser';
import { postForm, request } from './support/http';
import { linkIn, mailsTo, waitForMail, withLink } from './support/mail';

const browser = useBrowser();

/** Runs `fn` with a fresh page in a fresh context (own cookies, own client address). */
async function withPage<T>(fn: (page: Page) => Promise<T>, opts: Parameters<typeof newContext>[1] = {}): Promise<T> {
	const ctx = await newContext(browser(), opts);
	const page = await ctx.newPage();
	try {
		return await fn(page);
	} finally {
		await ctx.close();
	}
}

/** The form's error message(s): summary or field messages. */
async function errorText(page: Page): Promise<string> {
	const loc = page.locator('[role="alert"], .kern-alert, [aria-invalid="true"] ~ *, .kern-error, [id$="-error"]');
	const texts = await loc.allInnerTexts();
	return texts.join('\n').trim();
}

describe('login and logout', () => {
	it('the demo coordinator logs in, sees the account page, logs out', async () => {
		await withPage(async (page) => {
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/konto');
			expect(page.url()).toMatch(/\/konto$/);
			expect(await textWithValues(page)).toContain(COORDINATOR.name);
			await screenshot(page, 'auth-konto');

			await logout(page);
			const res = await page.goto('/konto');
			expect(res?.status()).toBeLessThan(500);
			expect(page.url(), 'nach dem Abmelden führt /konto zur Anmeldung').toMatch(/\/anmelden/);
			expect(await page.locator('body').innerText()).not.toContain(COORDINATOR.name);
		});
	});

	it('a wrong password shows a German error and keeps the address', async () => {
		const email = 'info@freiwilligenagentur-rheine.example';
		await withPage(async (page) => {
			await page.goto('/anmelden');
			await setField(page, 'email', email);
			await setField(page, 'password', 'ganz-falsches-Passwort');
			await submitForm(page, 'password');
			expect(new URL(page.url()).pathname).toBe('/anmelden');
			const message = await errorText(page);
			expect(message, 'Fehlermeldung auf der Seite').toMatch(/passwort|e-mail|anmeld/i);
			expect(message).toMatch(/[äöüß]|nicht|falsch|stimmt|ungültig|bitte/i);
			expect(await page.locator('input[name="email"]').inputValue()).toBe(email);
			await screenshot(page, 'auth-falsches-passwort');
		});
		// The account still works with the right password.
		await withPage((page) => login(page, email, DEMO_PASSWORD));
	});

	it('after 10 failed attempts for one account the 11th gets HTTP 429, even with the right password', async () => {
		const email = 'm.muster@arnsberg.example';
		// Ten different client addresses: the limit per account must hold on its own.
		for (let i = 0; i < 10; i++) {
			const res = await postForm('/anmelden', { email, password: `falsch-${i}` });
			expect(res.status, `Versuch ${i + 1}`).toBeGreaterThanOrEqual(400);
			expect(res.status, `Versuch ${i + 1}`).toBeLessThan(429);
		}
		// 11th attempt in a browser without JavaScript: a real form post, its response status.
		await withPage(
			async (page) => {
				await page.goto('/anmelden');
				await setField(page, 'email', email);
				await setField(page, 'password', DEMO_PASSWORD);
				const [response] = await Promise.all([
					page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/anmelden'),
					page.locator('form:has([name="password"]) button[type="submit"]').first().click()
				]);
				expect(response.status()).toBe(429);
				await page.waitForLoadState('load');
				expect(await mainText(page)).toMatch(/zu viele|später|Minute/i);
				await screenshot(page, 'auth-gesperrt');
			},
			{ javaScriptEnabled: false }
		);
		// And with JavaScript (the enhanced form) the message shows as well.
		await withPage(async (page) => {
			await page.goto('/anmelden');
			await setField(page, 'email', email);
			await setField(page, 'password', DEMO_PASSWORD);
			await submitForm(page, 'password');
			expect(new URL(page.url()).pathname).toBe('/anmelden');
			expect(await mainText(page)).toMatch(/zu viele|später|Minute/i);
		});
		const res = await postForm('/anmelden', { email, password: DEMO_PASSWORD });
		expect(res.status).toBe(429);
		expect(res.headers.getSetCookie().some((c) => /^kn_session=[^;]+/.test(c))).toBe(false);
		expect(await res.text()).toMatch(/zu viele|später|Minute/i);
	});
});

describe('password reset', () => {
	const email = 'a.beispiel@bielefeld.example';
	const unknown = 'niemand-hier@bielefeld.example';

	async function requestReset(page: Page, address: string): Promise<string> {
		await page.goto('/passwort-vergessen');
		await setField(page, 'email', address);
		await submitForm(page, 'email');
		return (await mainText(page)).replaceAll(address, '<adresse>');
	}

	it('by mail link: new password works, the link works only once, unknown addresses get the same answer and no mail', async () => {
		const newPassword = 'Neues-Passwort-2026!';
		await withPage(async (page) => {
			const answerUnknown = await requestReset(page, unknown);
			const answerKnown = await requestReset(page, email);
			await screenshot(page, 'reset-angefordert');
			expect(answerKnown).toBe(answerUnknown);

			const mail = await waitForMail(email, { match: withLink('/passwort-neu/') });
			const link = linkIn(mail, '/passwort-neu/');
			expect(mail.subject).toMatch(/passwort/i);

			await page.goto(link);
			await setField(page, 'password', newPassword);
			await setField(page, 'password_confirm', newPassword);
			await submitForm(page, 'password_confirm');
			await page.waitForURL((u) => u.pathname === '/anmelden' && u.searchParams.get('passwort') === 'neu');
			await screenshot(page, 'reset-gesetzt');

			// The mail to the known address arrived after the request for the unknown one.
			expect((await mailsTo(unknown)).map((m) => m.subject)).toEqual([]);
		});
		await withPage(async (page) => {
			await login(page, email, newPassword);
			await page.goto('/konto');
			expect(await textWithValues(page)).toContain('Anna Beispiel');
		});
		// The old password no longer works.
		const old = await postForm('/anmelden', { email, password: DEMO_PASSWORD });
		expect(old.status).toBeGreaterThanOrEqual(400);

		// The same link a second time: no new password can be set with it.
		await withPage(async (page) => {
			const mail = await waitForMail(email, { match: withLink('/passwort-neu/') });
			const link = linkIn(mail, '/passwort-neu/');
			const res = await page.goto(link);
			expect(res?.status()).toBeLessThan(500);
			let status = res?.status() ?? 0;
			const form = page.locator('form:has([name="password_confirm"])');
			if ((await form.count()) > 0) {
				const [post] = await Promise.all([
					page.waitForResponse((r) => r.request().method() === 'POST'),
					(async () => {
						await setField(page, 'password', 'Noch-ein-Passwort-2026!');
						await setField(page, 'password_confirm', 'Noch-ein-Passwort-2026!');
						await submitForm(page, 'password_confirm');
					})()
				]);
				status = Math.max(status, post.status());
				expect(page.url()).not.toMatch(/passwort=neu/);
			}
			const text = await mainText(page);
			expect(status >= 400 || /ungültig|abgelaufen|bereits|nicht mehr|neuen Link|verwendet|benutzt/i.test(text), `Seite nach dem zweiten Aufruf (${status}):\n${text}`).toBe(true);
			await screenshot(page, 'reset-link-zweimal');
		});
		const again = await postForm('/anmelden', { email, password: 'Noch-ein-Passwort-2026!' });
		expect(again.status, 'das Passwort aus dem zweiten Versuch gilt nicht').toBeGreaterThanOrEqual(400);
		await withPage((page) => login(page, email, newPassword));
	});
});

describe('invitation', () => {
	it('the coordinator invites a person, the mail link sets a password, the person is logged in', async () => {
		const email = `eingeladen-${Date.now()}@essen.example`;
		const name = 'Erika Eingeladen';
		const password = 'Eingeladen-2026-Passwort';
		await withPage(async (page) => {
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/verwaltung/benutzer');
			await setField(page, 'email', email);
			await setField(page, 'name', name);
			await setField(page, 'role', 'member_contact');
			await setField(page, 'area_ags', '05113000');
			await submitForm(page, 'area_ags');
			await screenshot(page, 'einladung-gesendet');
			expect(await errorText(page)).not.toMatch(/fehler|ungültig/i);
		});
		const mail = await waitForMail(email, { match: withLink('/einladung/') });
		const link = linkIn(mail, '/einladung/');
		await withPage(async (page) => {
			await page.goto(link);
			await screenshot(page, 'einladung-seite');
			await setField(page, 'password', password);
			if ((await page.locator('form [name="password_confirm"]').count()) > 0) await setField(page, 'password_confirm', password);
			await submitForm(page, 'password');
			await page.waitForURL((u) => !u.pathname.startsWith('/einladung'));
			await page.goto('/konto');
			expect(page.url()).toMatch(/\/konto$/);
			expect(await textWithValues(page)).toContain(name);
		});
		// The invitation link is spent.
		const res = await request(new URL(link).pathname);
		expect(res.status).toBeLessThan(500);
		const body = await res.text();
		expect(res.status >= 400 || /ungültig|abgelaufen|bereits|nicht mehr/i.test(body)).toBe(true);
	});
});
