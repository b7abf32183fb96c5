/**
 * Debian's Chromium through playwright-core, and helpers for the browser tests: a context per
 * test with its own client address, login/logout through the real forms, axe-core checks and
 * screenshots for humans (test-results/, not committed).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { uniqueIp } from './ip';

export type { Browser, BrowserContext, Page };

export const COORDINATOR = { email: 'koordination@kommunennetz.example', password: 'Demo-Koordination-2026', name: 'Koordinierungsstelle (Demo)' };
/** Demo accounts besides the coordinator (src/lib/server/demo); each test uses its own. */
export const DEMO_PASSWORD = 'Demo-Passwort-2026';

export async function launchBrowser(): Promise<Browser> {
	return chromium.launch({
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
	});
}

/** One browser per test file: launched before the first test, closed after the last. */
export function useBrowser(): () => Browser {
	let browser: Browser | undefined;
	beforeAll(async () => {
		browser = await launchBrowser();
	});
	afterAll(async () => {
		await browser?.close();
	});
	return () => {
		if (!browser) throw new Error('Der Browser läuft noch nicht.');
		return browser;
	};
}

export { uniqueIp };

export interface ContextOptions extends BrowserContextOptions {
	/** Client address; a fresh one by default. */
	ip?: string;
}

export async function newContext(browser: Browser, opts: ContextOptions = {}): Promise<BrowserContext> {
	const { ip, ...rest } = opts;
	const ctx = await browser.newContext({
		baseURL: inject('e2e').baseURL,
		locale: 'de-DE',
		viewport: { width: 1280, height: 900 },
		...rest,
		extraHTTPHeaders: { 'x-forwarded-for': ip ?? uniqueIp(), ...rest.extraHTTPHeaders }
	});
	ctx.setDefaultTimeout(15_000);
	return ctx;
}

/**
 * For the enclosing describe block: an anonymous context and one logged in as the coordinator,
 * both bypassing the CSP (axe-core is injected as a script, which the strict CSP would block).
 * The fields are set in beforeAll.
 */
export function useAnonymousAndCoordinator(browser: () => Browser): { anon: BrowserContext; coord: BrowserContext } {
	const contexts = {} as { anon: BrowserContext; coord: BrowserContext };
	beforeAll(async () => {
		contexts.anon = await newContext(browser(), { bypassCSP: true });
		contexts.coord = await newContext(browser(), { bypassCSP: true });
		const page = await contexts.coord.newPage();
		await login(page, COORDINATOR.email, COORDINATOR.password);
		await page.close();
	});
	afterAll(async () => {
		await contexts.anon?.close();
		await contexts.coord?.close();
	});
	return contexts;
}

/** Sets a form field by name, whether it is an input, a select or a group of radio buttons. */
export async function setField(page: Page, name: string, value: string, scope = 'form'): Promise<void> {
	// Hydration would reset a value typed before it; once the network is idle it has run.
	await page.waitForLoadState('networkidle');
	const field = page.locator(`${scope} [name="${name}"]`);
	const count = await field.count();
	if (count === 0) throw new Error(`Kein Formularfeld „${name}“ auf ${page.url()}`);
	const info = await field.first().evaluate((el) => ({ tag: el.tagName.toLowerCase(), type: (el as HTMLInputElement).type }));
	if (info.tag === 'select') await field.first().selectOption(value);
	else if (info.type === 'radio') await page.locator(`${scope} [name="${name}"][value="${value}"]`).check();
	else if (info.type === 'checkbox') {
		if (value) await field.first().check();
		else await field.first().uncheck();
	} else await field.first().fill(value);
}

/**
 * Counts the page's requests in flight from now on; `quiet()` resolves once none has been
 * running for `quietMs`. (Playwright's "networkidle" fires once per document, so it does not
 * see what SvelteKit loads after an enhanced form post or a client-side navigation.)
 */
function trackNetwork(page: Page) {
	let inflight = 0;
	let last = Date.now();
	const started = () => {
		inflight++;
		last = Date.now();
	};
	const ended = () => {
		inflight = Math.max(0, inflight - 1);
		last = Date.now();
	};
	page.on('request', started);
	page.on('requestfinished', ended);
	page.on('requestfailed', ended);
	return {
		async quiet(quietMs = 300, timeoutMs = 20_000) {
			const until = Date.now() + timeoutMs;
			while (Date.now() < until && !(inflight === 0 && Date.now() - last >= quietMs)) await new Promise((r) => setTimeout(r, 50));
		},
		stop() {
			page.off('request', started);
			page.off('requestfinished', ended);
			page.off('requestfailed', ended);
		}
	};
}

/**
 * Submits the form that contains the field `fieldName` and waits until its result is shown:
 * without JavaScript (or before hydration) a new document, with `use:enhance` the answer of
 * the fetch and whatever SvelteKit loads after it.
 */
export async function submitForm(page: Page, fieldName: string): Promise<void> {
	const form = page.locator(`form:has([name="${fieldName}"])`).first();
	const button = form.locator('button[type="submit"], button:not([type]), input[type="submit"]').first();
	const network = trackNetwork(page);
	try {
		const post = page.waitForResponse((r) => r.request().method() === 'POST', { timeout: 20_000 });
		const newDocument = page.waitForEvent('domcontentloaded', { timeout: 20_000 });
		newDocument.catch(() => undefined);
		await button.click();
		const response = await post;
		if (response.request().resourceType() === 'document') {
			await newDocument;
			await page.waitForLoadState('load');
		} else {
			await response.finished();
			await network.quiet();
		}
	} finally {
		network.stop();
	}
}

/** Logs in through the real form; throws with the page's message when it does not work. */
export async function login(page: Page, email: string, password: string): Promise<void> {
	await page.goto('/anmelden');
	await setField(page, 'email', email);
	await setField(page, 'password', password);
	await submitForm(page, 'password');
	try {
		await page.waitForURL((u) => !u.pathname.startsWith('/anmelden'), { timeout: 15_000 });
	} catch {
		throw new Error(`Anmeldung als ${email} fehlgeschlagen, Seite ${page.url()}:\n${(await mainText(page)).slice(0, 800)}`);
	}
}

/** Logs out through the form on /abmelden. */
export async function logout(page: Page): Promise<void> {
	await page.goto('/abmelden');
	const button = page.locator('main form[method="post" i] button[type="submit"], main form[method="post" i] button:not([type])').first();
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/abmelden'), { timeout: 15_000 }), button.click()]);
}

/** Visible text of <main> (or the body when there is none). */
export async function mainText(page: Page): Promise<string> {
	const main = page.locator('main');
	return (await main.count()) ? main.first().innerText() : page.locator('body').innerText();
}

/** Visible text of the page plus the values of its form fields (a name may sit in an input). */
export async function textWithValues(page: Page): Promise<string> {
	return page.evaluate(() => {
		const values = Array.from(document.querySelectorAll('input:not([type="hidden"]):not([type="password"]), textarea, select')).map((el) => (el as HTMLInputElement).value);
		return [document.body.innerText, ...values].join('\n');
	});
}

const RESULTS = path.join(inject('e2e').root, 'test-results');

/** A full-page screenshot in test-results/, for humans to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
	fs.mkdirSync(RESULTS, { recursive: true });
	const file = path.join(RESULTS, `${name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '')}.png`);
	await page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeNode {
	target: unknown[];
	html: string;
	failureSummary?: string;
}
interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	helpUrl: string;
	nodes: AxeNode[];
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA) and returns readable violations; empty when clean.
 * The page's context needs `bypassCSP: true`, since the strict CSP forbids injected scripts.
 */
export async function axeViolations(page: Page): Promise<string[]> {
	const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
	if (!loaded) await page.addScriptTag({ content: AXE_SOURCE });
	const violations = await page.evaluate(async (tags) => {
		const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
		const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
		return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, nodes: v.nodes.map((n) => ({ target: n.target, html: n.html, failureSummary: n.failureSummary })) }));
	}, AXE_TAGS);
	return violations.map(
		(v) =>
			`${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n` +
			v.nodes
				.slice(0, 5)
				.map((n) => `  - ${JSON.stringify(n.target)}: ${n.html.slice(0, 200)}\n    ${(n.failureSummary ?? '').replace(/\n/g, '\n    ')}`)
				.join('\n') +
			(v.nodes.length > 5 ? `\n  … und ${v.nodes.length - 5} weitere Stellen` : '')
	);
}

/** Asserts zero axe violations; the error lists every violation with selectors and advice. */
export async function axeCheck(page: Page, label = page.url()): Promise<void> {
	const v = await axeViolations(page);
	if (v.length) throw new Error(`Barrierefreiheit (axe-core, ${AXE_TAGS.join(', ')}) auf ${label}: ${v.length} Verstoß/Verstöße\n${v.join('\n')}`);
}
