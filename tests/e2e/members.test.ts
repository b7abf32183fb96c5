/**
 * Members and joining in the built app: accessibility of every members page (1280 and 360 px),
 * the map and PDFs, exports, and the whole way from first interest to member without
 * JavaScript — a member contact and the coordination office, with every refused step shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, COORDINATOR, DEMO_PASSWORD, login, logout, mainText, newContext, screenshot, setField, submitForm, useAnonymousAndCoordinator, useBrowser, type BrowserContext } from './support/browser';
import { loginCookie, request } from './support/http';

const browser = useBrowser();
const MUENSTER_CONTACT = 'k.sommer@muenster.example';

async function checkPage(ctx: BrowserContext, path: string, width: number, label: string) {
	const page = await ctx.newPage();
	try {
		await page.setViewportSize({ width, height: width > 600 ? 900 : 740 });
		const res = await page.goto(path);
		await screenshot(page, `members-${label}-${width}-${path}`);
		expect(res?.status(), path).toBe(200);
		const facts = await page.evaluate(() => ({ h1: document.querySelectorAll('h1').length, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
		expect(facts.h1, `eine h1 auf ${path}`).toBe(1);
		expect(facts.scrollWidth, `kein waagerechtes Scrollen auf ${path} bei ${width} px`).toBeLessThanOrEqual(facts.innerWidth + 1);
		await axeCheck(page, `${path} (${label}, ${width} px)`);
	} finally {
		await page.close();
	}
}

const PUBLIC_PAGES = ['/mitglieder', '/mitglieder?rb=059&art=kreis', '/mitglieder/05711000', '/mitglieder/BR-059', '/mitglieder/statistik', '/mitmachen', '/mitmachen?pruefen=1&contact_person=ja&ehrenamtskarte=none', '/mitglieder/erklaerung'];
const COORDINATOR_PAGES = ['/beitritt', '/mitglieder/05711000/bearbeiten', '/verwaltung/mitglieder', '/verwaltung/mitglieder/runden', '/verwaltung/mitglieder/05711000', '/mitglieder?status=alle', '/mitglieder/05711000', '/verwaltung/mitglieder/themen', '/verwaltung/mitglieder/erklaerung'];

describe('members pages: accessibility', () => {
	const contexts = useAnonymousAndCoordinator(browser);
	for (const width of [1280, 360]) {
		for (const path of PUBLIC_PAGES) it(`${path} at ${width} px`, () => checkPage(contexts.anon, path, width, 'anonym'));
		for (const path of COORDINATOR_PAGES) it(`${path} as coordinator at ${width} px`, () => checkPage(contexts.coord, path, width, 'koordination'));
	}
	it('an open application page as coordinator', async () => {
		const cookie = await loginCookie(COORDINATOR.email, COORDINATOR.password);
		const list = await (await request('/api/v1/accessions?open=true', { cookie })).json();
		const id = list.items.find((a: { ags: string }) => a.ags === '05754008').id;
		for (const width of [1280, 360]) await checkPage(contexts.coord, `/beitritt/${id}`, width, 'koordination');
	});
	it('the topic list with its rename form and delete confirmation, a shown declaration version (admin and public)', async () => {
		const topics = await (await request('/api/v1/topics')).json();
		const topic = topics.items.find((x: { name: string }) => x.name === 'Digitalisierung').id;
		const versions = await (await request('/api/v1/declaration-versions')).json();
		const oldest = versions.items.at(-1).id;
		for (const width of [1280, 360]) {
			await checkPage(contexts.coord, `/verwaltung/mitglieder/themen?umbenennen=${topic}`, width, 'koordination');
			await checkPage(contexts.coord, `/verwaltung/mitglieder/themen?loeschen=${topic}`, width, 'koordination');
			await checkPage(contexts.coord, `/verwaltung/mitglieder/erklaerung?fassung=${oldest}`, width, 'koordination');
			await checkPage(contexts.anon, `/mitglieder/erklaerung?fassung=${oldest}`, width, 'anonym');
		}
	});
});

describe('members directory', () => {
	it('draws the map with linked members and a table with the same members', async () => {
		const res = await request('/mitglieder');
		const html = await res.text();
		expect(res.status).toBe(200);
		expect(html).toMatch(/<svg[^>]*role="group"[^>]*aria-labelledby="mm-title"/);
		expect(html).toContain('href="/mitglieder/05711000"');
		expect(html).toMatch(/aria-label="Bielefeld, Mitglied seit 14\.05\.2019"/);
		expect(html).toContain('href="/mitglieder/BR-059"');
		expect((html.match(/<tr class="kern-table__row"/g) ?? []).length).toBe(35);
		expect(html, 'keine Inline-Skripte').not.toMatch(/<script(?![^>]*src)[^>]*>[^<]/);
	});

	it('filters and exports; anonymous exports carry no contacts', async () => {
		const filtered = await (await request('/mitglieder?art=bezirksregierung')).text();
		expect((filtered.match(/<tr class="kern-table__row"/g) ?? []).length).toBe(1);
		const csv = await (await request('/mitglieder/export?format=csv')).text();
		expect(csv.split('\r\n')[0]).toContain('Schlüssel (AGS);Name;Art');
		expect(csv).not.toContain('Hauptansprechperson');
		const json = await (await request('/mitglieder/export?format=json')).json();
		expect(json.total).toBe(35);
		expect(json.items[0]).not.toHaveProperty('primary_contact');
		const cookie = await loginCookie(COORDINATOR.email, COORDINATOR.password);
		const internal = await (await request('/mitglieder/export?format=json&q=Bielefeld', { cookie })).json();
		expect(internal.items[0]).toMatchObject({ name: 'Bielefeld', primary_contact: 'Anna Beispiel' });
		const xlsx = await request('/mitglieder/export?format=xlsx');
		expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
		expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');
		expect((await request('/mitglieder/export?format=doc')).status).toBe(400);
	});

	it('serves the personalised declaration and the signatory sheet as PDF', async () => {
		const pdf = await request('/api/v1/members/05711000/declaration.pdf');
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		const buf = Buffer.from(await pdf.arrayBuffer());
		expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
		expect(buf.length).toBeGreaterThan(2000);
		const sheet = await request('/api/v1/signing-rounds/1/signatories.pdf');
		expect(sheet.status).toBe(200);
		// Look at the first page as people do.
		const ctx = await newContext(browser());
		const page = await ctx.newPage();
		try {
			await page.goto('/mitglieder/05711000');
			await screenshot(page, 'members-profile-bielefeld');
		} finally {
			await ctx.close();
		}
	});
});

describe('from first interest to member without JavaScript', () => {
	it('a member contact applies, the coordination office admits', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await login(page, MUENSTER_CONTACT, DEMO_PASSWORD);

			// Self-check: one criterion missing.
			await page.goto('/mitmachen');
			for (const [k, v] of [
				['contact_person', 'ja'],
				['cross_cutting_task', 'ja'],
				['declaration_signing', 'ja'],
				['ehrenamtskarte', 'planned'],
				['collaboration', 'nein']
			])
				await setField(page, k, v, 'form[method="GET" i]');
			await Promise.all([page.waitForURL(/pruefen=1/), page.locator('form[method="GET" i]:has([name="pruefen"]) button[type="submit"]').click()]);
			expect(await mainText(page)).toMatch(/Das fehlt noch[\s\S]*Verbindliche Mitarbeit im Netzwerk: nicht erfüllt/);
			await screenshot(page, 'members-nojs-selfcheck');

			// Start the application from the self-check.
			await Promise.all([page.waitForURL(/\/beitritt\/\d+/), page.locator('form[action*="beginnen"] button[type="submit"]').click()]);
			const id = Number(new URL(page.url()).pathname.split('/').pop());
			expect(await mainText(page)).toContain('Das Beitrittsverfahren ist eröffnet');

			// Refused steps: submitting and declaring before the council decision.
			await page.locator('form[action*="einreichen"] button[type="submit"]').click();
			await page.waitForLoadState('load');
			expect(await mainText(page)).toMatch(/Es fehlt: der Ratsbeschluss/);
			await setField(page, 'declaration_date', '2026-01-15');
			await setField(page, 'signatory_name', 'Maria Musterfrau');
			await setField(page, 'signatory_office', 'Oberbürgermeisterin');
			await submitForm(page, 'signatory_office');
			expect(await mainText(page)).toMatch(/setzt einen Ratsbeschluss voraus/);
			expect(await page.locator('input[name="signatory_name"]').inputValue(), 'Eingaben bleiben erhalten').toBe('Maria Musterfrau');

			// A council decision with missing fields: errors at the fields.
			await setField(page, 'committee', 'Rat der Stadt Münster');
			await submitForm(page, 'committee');
			expect(await page.locator('#date[aria-invalid="true"], [name="date"][aria-invalid="true"]').count()).toBe(1);

			await setField(page, 'committee', 'Rat der Stadt Münster');
			await setField(page, 'date', '2026-01-10');
			await setField(page, 'result', 'adopted');
			await setField(page, 'public', 'ja');
			await setField(page, 'reference', 'V/0815/2026');
			await submitForm(page, 'committee');
			expect(await mainText(page)).toContain('Der Ratsbeschluss ist gespeichert');

			await setField(page, 'declaration_date', '2026-01-15');
			await setField(page, 'signatory_name', 'Maria Musterfrau');
			await setField(page, 'signatory_office', 'Oberbürgermeisterin');
			await submitForm(page, 'signatory_office');
			expect(await mainText(page)).toContain('Die Beitrittserklärung ist gespeichert');

			await setField(page, 'collaboration', 'ja');
			await setField(page, 'collaboration_evidence', 'Ratsbeschluss sieht Mitarbeit in Arbeitsgruppen vor');
			await submitForm(page, 'collaboration_evidence');
			expect(await mainText(page)).toContain('Die Angaben zu den Kriterien sind gespeichert');

			await page.locator('form[action*="einreichen"] button[type="submit"]').click();
			await page.waitForLoadState('load');
			expect(await mainText(page)).toContain('Der Antrag ist eingereicht');
			await screenshot(page, 'members-nojs-submitted');
			await logout(page);

			// The coordination office admits into the planned round.
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/verwaltung/mitglieder');
			expect(await mainText(page)).toMatch(/Münster \(Nr\. \d+\)/);
			await page.goto(`/beitritt/${id}`);
			expect(await mainText(page)).toContain('Alle Kriterien sind erfüllt');
			await setField(page, 'signing_round', '6');
			await submitForm(page, 'signing_round');
			expect(await mainText(page)).toContain('Die Kommune ist aufgenommen');
			await screenshot(page, 'members-nojs-admitted');

			await page.goto('/mitglieder/05515000');
			const text = await mainText(page);
			expect(text).toMatch(/Status\s+Mitglied/);
			expect(text).toContain('6. Unterzeichnungsrunde');
			expect(text).toContain('Maria Musterfrau, Oberbürgermeisterin');
		} finally {
			await ctx.close();
		}
	});
});

describe('the topic list without JavaScript', () => {
	it('a coordinator adds a topic (refused twice first), renames it and deletes it after confirming', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await login(page, COORDINATOR.email, COORDINATOR.password);
			await page.goto('/verwaltung/mitglieder');
			await Promise.all([page.waitForURL(/\/themen$/), page.getByRole('link', { name: 'Themenliste' }).click()]);

			await setField(page, 'name', ' ', 'form[action*="anlegen"]');
			await submitForm(page, 'description');
			expect(await mainText(page)).toContain('Bitte geben Sie einen Namen an.');
			expect(await page.locator('form[action*="anlegen"] [name="name"][aria-invalid="true"]').count()).toBe(1);

			await setField(page, 'name', 'digitalisierung', 'form[action*="anlegen"]');
			await setField(page, 'description', 'Doppelt', 'form[action*="anlegen"]');
			await submitForm(page, 'description');
			expect(await mainText(page)).toContain('Ein Thema mit diesem Namen gibt es schon.');
			expect(await page.locator('form[action*="anlegen"] [name="description"]').inputValue(), 'Eingaben bleiben erhalten').toBe('Doppelt');

			await setField(page, 'name', 'Nachbarschaftshilfe', 'form[action*="anlegen"]');
			await setField(page, 'description', 'Hilfe unter Nachbarn im Quartier', 'form[action*="anlegen"]');
			await submitForm(page, 'description');
			expect(await mainText(page)).toContain('Das Thema „Nachbarschaftshilfe“ ist angelegt.');
			await screenshot(page, 'members-nojs-topic-added');

			await page.getByRole('link', { name: /^Ändern\W+Nachbarschaftshilfe$/ }).click();
			await page.waitForLoadState('load');
			await setField(page, 'name', 'Nachbarschaft und Quartier', 'form[action*="umbenennen"]');
			await submitForm(page, 'id');
			expect(await mainText(page)).toContain('Das Thema „Nachbarschaft und Quartier“ ist gespeichert.');

			await page.getByRole('link', { name: /^Löschen\W+Nachbarschaft und Quartier$/ }).click();
			await page.waitForLoadState('load');
			expect(await mainText(page)).toContain('Thema wirklich löschen?');
			await page.locator('form[action*="loeschen"] button[type="submit"]').click();
			await page.waitForLoadState('load');
			expect(await mainText(page)).toContain('Das Thema „Nachbarschaft und Quartier“ ist gelöscht');
			const topics = await (await request('/api/v1/topics')).json();
			expect(topics.items.map((x: { name: string }) => x.name)).not.toContain('Nachbarschaft und Quartier');
		} finally {
			await ctx.close();
		}
	});
});
