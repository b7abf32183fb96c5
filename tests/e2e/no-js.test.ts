/** Without JavaScript the platform works through plain HTML forms and redirects. */
import { describe, expect, it } from 'vitest';
import { COORDINATOR, login, logout, mainText, newContext, screenshot, setField, submitForm, textWithValues, useBrowser } from './support/browser';

const browser = useBrowser();

describe('without JavaScript', () => {
	it('login, account page and logout work', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await page.goto('/anmelden');
			expect(await page.locator('form[method="post" i]:has([name="password"])').count(), 'ein echtes POST-Formular').toBe(1);
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/konto');
			expect(page.url()).toMatch(/\/konto$/);
			expect(await textWithValues(page)).toContain(COORDINATOR.name);
			await screenshot(page, 'no-js-konto');
			await logout(page);
			await page.goto('/konto');
			expect(page.url()).toMatch(/\/anmelden/);
		} finally {
			await ctx.close();
		}
	});

	it('a wrong password shows the error on the returned page', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await page.goto('/anmelden');
			await setField(page, 'email', COORDINATOR.email);
			await setField(page, 'password', 'kein-richtiges-Passwort');
			const [response] = await Promise.all([
				page.waitForResponse((r) => r.request().method() === 'POST'),
				submitForm(page, 'password')
			]);
			expect([400, 401, 403]).toContain(response.status());
			expect(new URL(page.url()).pathname).toBe('/anmelden');
			expect(await page.locator('input[name="email"]').inputValue()).toBe(COORDINATOR.email);
			expect(await page.locator('input[name="password"]').inputValue(), 'das Passwort kommt nicht in der Seite zurück').toBe('');
			expect(await mainText(page)).toMatch(/passwort/i);
			expect(await page.locator('[aria-invalid="true"], [role="alert"]').count()).toBeGreaterThan(0);
		} finally {
			await ctx.close();
		}
	});
});
