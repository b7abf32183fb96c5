/**
 * Events in the built app: accessibility of every events page (1280 px and 360 px, axe-core,
 * no horizontal scrolling), registration and cancellation without JavaScript with the mails
 * that really arrive (.ics attached), calendar feeds, coordinator exports and check-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeCheck, COORDINATOR, DEMO_PASSWORD, login, newContext, screenshot, setField, submitForm, useAnonymousAndCoordinator, useBrowser, type BrowserContext } from './support/browser';
import { loginCookie, postForm, request } from './support/http';
import { linkIn, waitForMail } from './support/mail';

const browser = useBrowser();
const PARTNER = 'info@freiwilligenagentur-rheine.example';
let congressId: number;
let meetingId: number;
let pastId: number;
let coordinator: string;

beforeAll(async () => {
	const upcoming = await (await request('/api/v1/events?kind=congress&when=upcoming')).json();
	congressId = upcoming.items[0].id;
	const meetings = await (await request('/api/v1/events?kind=network_meeting&when=upcoming')).json();
	meetingId = meetings.items[0].id;
	const past = await (await request('/api/v1/events?kind=network_meeting&when=past')).json();
	pastId = past.items[0].id;
	coordinator = await loginCookie(COORDINATOR.email, COORDINATOR.password);
});

async function checkPage(ctx: BrowserContext, path: string, width: number) {
	const page = await ctx.newPage();
	try {
		await page.setViewportSize({ width, height: width > 600 ? 900 : 740 });
		const res = await page.goto(path);
		await screenshot(page, `events-${width}-${path}`);
		expect(res?.status(), path).toBe(200);
		const facts = await page.evaluate(() => ({ h1: document.querySelectorAll('h1').length, scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
		expect(facts.h1, `eine h1 auf ${path}`).toBe(1);
		expect(facts.scrollWidth, `kein waagerechtes Scrollen auf ${path} bei ${width} px`).toBeLessThanOrEqual(facts.innerWidth + 1);
		await axeCheck(page, `${path} (${width} px)`);
	} finally {
		await page.close();
	}
}

describe('registration without JavaScript', () => {
	let manage: string;
	const email = `teilnahme-${Date.now()}@stadt.example`;

	it('keeps typed values and explains errors', async () => {
		const res = await postForm(`/veranstaltungen/${congressId}?/anmelden`, { name: '', email: 'keine-adresse', organisation: 'Stadt Essen' });
		expect(res.status).toBe(400);
		const html = await res.text();
		expect(html).toContain('Bitte geben Sie Ihren Namen an.');
		expect(html).toMatch(/value="Stadt Essen"/);
		expect(html).toMatch(/aria-invalid="true"/);
	});

	it('two workshops in one slot are refused with the message at the choice', async () => {
		const event = await (await request(`/api/v1/events/${congressId}`)).json();
		const ws = event.sessions.filter((s: { kind: string }) => s.kind === 'workshop');
		const res = await postForm(`/veranstaltungen/${congressId}?/anmelden`, [
			['name', 'Doppelt Wähler'],
			['email', `doppelt-${Date.now()}@stadt.example`],
			['slot_1', String(ws[0].id)],
			['slot_2', String(ws[1].id)]
		]);
		expect(res.status).toBe(400);
		expect(await res.text()).toContain('gleichzeitig');
	});

	it('registers through the form, mails a confirmation with .ics and cancels through the link', async () => {
		const ctx = await newContext(browser(), { javaScriptEnabled: false });
		const page = await ctx.newPage();
		try {
			await page.goto(`/veranstaltungen/${congressId}`);
			await setField(page, 'name', 'Frieda Formular');
			await setField(page, 'email', email);
			await setField(page, 'area_ags', '05113000');
			const radios = page.locator('input[name="slot_1"]');
			await radios.nth(2).check();
			await submitForm(page, 'name');
			await page.waitForURL(/\/veranstaltungen\/anmeldung\/[A-Za-z0-9_-]+\?neu=1$/);
			await screenshot(page, 'events-anmeldung-bestaetigt');
			expect(await page.locator('main').innerText()).toContain('bestätigt');
			expect(await page.locator('main').innerText()).toContain('Ihr Workshop');
		} finally {
			await ctx.close();
		}
		const mail = await waitForMail(email);
		expect(mail.subject).toMatch(/^Anmeldung bestätigt: /);
		// The attachment itself is checked at the SMTP level in src/lib/server/mail/attachments.test.ts.
		expect(mail.text).toContain('Im Anhang finden Sie einen Kalendereintrag');
		manage = new URL(linkIn(mail, '/veranstaltungen/anmeldung/')).pathname;

		const res = await postForm(`${manage}?/absagen`, {});
		expect(res.status).toBe(303);
		expect(res.headers.get('location')).toBe(`${manage}?abgesagt=1`);
		const after = await (await request(`${manage}?abgesagt=1`)).text();
		expect(after).toContain('abgesagt');
		const second = await waitForMail(email, { count: 2 });
		expect(second.subject).toMatch(/^Abmeldung bestätigt/);
	});

	it('members-only meetings ask visitors to log in', async () => {
		const html = await (await request(`/veranstaltungen/${meetingId}`)).text();
		expect(html).toContain('melden Sie sich an');
		const res = await postForm(`/veranstaltungen/${meetingId}?/anmelden`, { name: 'Anonyme Person', email: 'anonym@example.org' });
		expect(res.status).toBe(401);
	});
});

describe('calendar feeds', () => {
	it('serves all events and single events as iCalendar in Europe/Berlin', async () => {
		const all = await request('/veranstaltungen.ics');
		expect(all.status).toBe(200);
		expect(all.headers.get('content-type')).toContain('text/calendar');
		const text = await all.text();
		expect(text).toContain('BEGIN:VCALENDAR');
		expect(text).toContain('TZID:Europe/Berlin');
		expect((text.match(/BEGIN:VEVENT/g) ?? []).length).toBeGreaterThan(3);
		const one = await request(`/veranstaltungen/${congressId}/kalender.ics`);
		expect(await one.text()).toContain(`UID:veranstaltung-${congressId}@`);
		expect((await request('/veranstaltungen/999999/kalender.ics')).status).toBe(404);
	});
});

describe('coordinator tools over HTTP', () => {
	it('exports CSV, XLSX and PDFs for coordinators only', async () => {
		const partner = await loginCookie(PARTNER, DEMO_PASSWORD);
		for (const [file, type] of [
			['teilnehmende.csv', 'text/csv'],
			['teilnehmende.xlsx', 'spreadsheetml'],
			['teilnehmendenliste.pdf', 'application/pdf'],
			['namensschilder.pdf', 'application/pdf'],
			['bescheinigungen.pdf', 'application/pdf']
		]) {
			const p = `/verwaltung/veranstaltungen/${congressId}/export/${file}`;
			const res = await request(p, { cookie: coordinator });
			expect(res.status, p).toBe(200);
			expect(res.headers.get('content-type'), p).toContain(type);
			expect((await res.arrayBuffer()).byteLength, p).toBeGreaterThan(500);
			expect((await request(p, { cookie: partner })).status, p).toBe(403);
		}
		const csv = await (await request(`/verwaltung/veranstaltungen/${congressId}/export/teilnehmende.csv`, { cookie: coordinator })).text();
		expect(csv).toContain('Anna Beispiel');
	});

	it('checks in at the door through the form', async () => {
		const list = await (await request(`/api/v1/events/${congressId}/registrations?status=confirmed&limit=1`, { headers: {}, cookie: coordinator })).json();
		const id = list.items[0].id;
		const res = await postForm(`/verwaltung/veranstaltungen/${congressId}/einlass`, { registration_id: String(id) }, { cookie: coordinator });
		expect(res.status).toBe(303);
		const page = await (await request(`/verwaltung/veranstaltungen/${congressId}/einlass?da=${id}`, { cookie: coordinator })).text();
		expect(page).toContain('als anwesend vermerkt');
	});
});

describe('accessibility of the events pages', () => {
	const contexts = useAnonymousAndCoordinator(browser);
	for (const width of [1280, 360]) {
		it(`public pages at ${width} px`, async () => {
			for (const p of ['/veranstaltungen', '/veranstaltungen?art=congress&jahr=2017', `/veranstaltungen/${congressId}`, `/veranstaltungen/${pastId}`]) await checkPage(contexts.anon, p, width);
		});
		it(`participant page at ${width} px`, async () => {
			const res = await request(`/api/v1/events/${congressId}/registrations`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ name: 'Axe Prüferin', email: `axe-${width}-${Date.now()}@stadt.example` })
			});
			const { cancel_token } = await res.json();
			await checkPage(contexts.anon, `/veranstaltungen/anmeldung/${cancel_token}`, width);
		});
		it(`coordinator pages at ${width} px`, async () => {
			for (const p of [
				'/konto/veranstaltungen',
				'/verwaltung/veranstaltungen',
				`/verwaltung/veranstaltungen/${congressId}`,
				`/verwaltung/veranstaltungen/${congressId}/teilnehmende`,
				`/verwaltung/veranstaltungen/${congressId}/einlass`,
				`/verwaltung/veranstaltungen/${pastId}/nachbereitung`
			])
				await checkPage(contexts.coord, p, width);
		});
	}
});
