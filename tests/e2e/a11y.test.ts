/**
 * Accessibility (WCAG 2.1 AA / BITV 2.0) of every page, anonymous and as coordinator, on a
 * desktop (1280 px) and a phone (360 px) width: axe-core without violations, one h1, a skip
 * link as the first focusable element, lang="de", a title, and no horizontal scrolling.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, COORDINATOR, login, newContext, screenshot, useBrowser, type BrowserContext } from './support/browser';

const browser = useBrowser();

const ANONYMOUS = [
	'/',
	'/anmelden',
	'/passwort-vergessen',
	'/impressum',
	'/datenschutz',
	'/barrierefreiheit',
	'/gebiete',
	'/gebiete?q=Essen',
	'/gebiete/05113000',
	'/gebiete/05566',
	'/diese-seite-gibt-es-nicht'
];
const COORDINATOR_PAGES = ['/konto', '/verwaltung', '/verwaltung/benutzer', '/verwaltung/postausgang', '/verwaltung/protokoll', '/verwaltung/rueckmeldungen', '/verwaltung/rueckmeldungen?status=alle'];
const WIDTHS = [1280, 360];

async function checkPage(ctx: BrowserContext, path: string, width: number, label: string) {
	const page = await ctx.newPage();
	try {
		await page.setViewportSize({ width, height: width > 600 ? 900 : 740 });
		const res = await page.goto(path);
		await screenshot(page, `a11y-${label}-${width}-${path}`);
		const expected = path === '/diese-seite-gibt-es-nicht' ? 404 : 200;
		expect(res?.status(), `Status von ${path}`).toBe(expected);
		expect(new URL(page.url()).pathname, 'keine Weiterleitung').toBe(path.split('?')[0]);

		const facts = await page.evaluate(() => ({
			lang: document.documentElement.lang,
			title: document.title.trim(),
			h1: Array.from(document.querySelectorAll('h1')).map((h) => (h as HTMLElement).innerText.trim()),
			scrollWidth: document.documentElement.scrollWidth,
			innerWidth: window.innerWidth,
			// The outermost elements sticking out to the right, to name them in the failure.
			wide: Array.from(document.body.querySelectorAll('*'))
				.filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1))
				.slice(0, 5)
				.map((el) => `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ''}${el.className && typeof el.className === 'string' ? ` class="${el.className}"` : ''}> ${Math.round(el.getBoundingClientRect().width)} px`)
		}));
		expect(facts.lang, 'lang-Attribut').toMatch(/^de(-|$)/);
		expect(facts.title, '<title>').not.toBe('');
		expect(facts.h1.length, `genau eine h1 (gefunden: ${JSON.stringify(facts.h1)})`).toBe(1);
		expect(facts.h1[0]).not.toBe('');
		expect(facts.scrollWidth, `kein waagerechtes Scrollen bei ${width} px; zu breit: ${facts.wide.join(', ')}`).toBeLessThanOrEqual(facts.innerWidth + 1);

		// The first Tab from the top of the page lands on the skip link, whose target exists.
		await page.keyboard.press('Tab');
		const first = await page.evaluate(() => {
			const el = document.activeElement as HTMLAnchorElement | null;
			const href = el?.getAttribute('href') ?? '';
			return { tag: el?.tagName.toLowerCase(), href, text: el?.textContent?.trim() ?? '', target: href.startsWith('#') && !!document.getElementById(decodeURIComponent(href.slice(1))) };
		});
		expect(first.tag, `erstes fokussierbares Element: ${JSON.stringify(first)}`).toBe('a');
		expect(first.href, 'Sprunglink zeigt auf eine Stelle der Seite').toMatch(/^#./);
		expect(first.target, `Ziel ${first.href} existiert`).toBe(true);
		expect(first.text).toMatch(/inhalt|springen|hauptbereich/i);

		await axeCheck(page, `${path} (${label}, ${width} px)`);
	} finally {
		await page.close();
	}
}

describe('anonymous pages', () => {
	let ctx: BrowserContext;
	beforeAll(async () => {
		// axe-core is injected as a script, which the strict CSP would block.
		ctx = await newContext(browser(), { bypassCSP: true });
	});
	afterAll(async () => {
		await ctx?.close();
	});
	for (const width of WIDTHS) {
		for (const path of ANONYMOUS) {
			it(`${path} at ${width} px`, () => checkPage(ctx, path, width, 'anonym'));
		}
	}
});

describe('pages of the coordinator', () => {
	let ctx: BrowserContext;
	beforeAll(async () => {
		ctx = await newContext(browser(), { bypassCSP: true });
		const page = await ctx.newPage();
		await login(page, COORDINATOR.email, COORDINATOR.password);
		await page.close();
	});
	afterAll(async () => {
		await ctx?.close();
	});
	for (const width of WIDTHS) {
		for (const path of COORDINATOR_PAGES) {
			it(`${path} at ${width} px`, () => checkPage(ctx, path, width, 'koordination'));
		}
	}
});
