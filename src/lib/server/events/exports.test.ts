import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { config, setConfig } from '../config';
import { useTestDatabase } from '../testing';
import { anonymousActor, cliActor } from '../audit';
import { DomainError } from '../errors';
import { addSession, cancelRegistration, checkIn, createEvent, getEvent, listRegistrations, register, saveDocumentation } from '.';
import { badgesPdf, certificatesPdf, participantListPdf, registrationsCsv, registrationsXlsx } from './exports';
import { addEventFile, deleteEventFile, readEventFile } from './files';
import { markdownHtml, workshopSlots } from './view';

const t = useTestDatabase();
const conn = () => t.database.db;
let eventId: number;

beforeAll(async () => {
	setConfig({ ...t.config, dataDir: await mkdtemp(path.join(os.tmpdir(), 'kn-events-')) });
	const start = new Date(Date.now() + 20 * 86_400_000);
	const e = await createEvent(conn(), cliActor, { kind: 'congress', title: 'Kongress „Export“', startsAt: start, endsAt: new Date(start.getTime() + 7 * 3_600_000), audience: 'public', capacity: 9, venue: 'Stadthalle' });
	eventId = e.id;
	const ws = await addSession(conn(), cliActor, { eventId, kind: 'workshop', title: 'Junges Engagement', startsAt: new Date(start.getTime() + 3_600_000), endsAt: new Date(start.getTime() + 7_200_000) });
	for (let i = 0; i < 10; i++)
		await register(conn(), anonymousActor('192.0.2.1'), {
			eventId,
			name: i === 0 ? '=HYPERLINK("x")' : `Jörg Müller ${i}`,
			email: `p${i}@example.org`,
			organisation: 'Stadt Köln; Amt für Bürgerengagement',
			areaAgs: '05315000',
			sessionIds: [ws.id]
		});
});

describe('exports', () => {
	it('CSV: BOM, semicolons, German status, formulas neutralised, workshops listed', async () => {
		const { items } = await listRegistrations(conn(), eventId);
		const csv = registrationsCsv(items);
		expect(csv.startsWith('\uFEFFNr.;Status;Name;E-Mail')).toBe(true);
		const lines = csv.trim().split('\r\n');
		expect(lines).toHaveLength(11);
		expect(lines[1]).toContain(`'=HYPERLINK`);
		expect(lines[2]).toContain('"Stadt Köln; Amt für Bürgerengagement"');
		expect(lines[2]).toContain('Junges Engagement');
		expect(lines[10]).toContain('Warteliste');
	});

	it('XLSX: a workbook whose sheet holds every registration', async () => {
		const { items } = await listRegistrations(conn(), eventId);
		const buf = await registrationsXlsx(items);
		const files = unzipSync(new Uint8Array(buf));
		const all = Object.entries(files)
			.filter(([name]) => name.endsWith('.xml'))
			.map(([, data]) => strFromU8(data))
			.join('');
		expect(all).toContain('Jörg Müller 9');
		expect(all).toContain('Anmeldungen');
	});

	it('PDFs: list, badges (8 per page) and certificates (one per person present)', async () => {
		const e = (await getEvent(conn(), eventId))!;
		let { items } = await listRegistrations(conn(), eventId);
		const pages = (b: Buffer) => (b.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;
		const list = await participantListPdf(e, items);
		expect(list.subarray(0, 5).toString()).toBe('%PDF-');
		expect(pages(list)).toBe(1);
		expect(pages(await badgesPdf(e, items))).toBe(2); // 9 confirmed
		await checkIn(conn(), cliActor, { registrationId: items[1].id });
		await checkIn(conn(), cliActor, { registrationId: items[2].id });
		({ items } = await listRegistrations(conn(), eventId));
		expect(pages(await certificatesPdf(e, items))).toBe(2);
		await cancelRegistration(conn(), cliActor, { registrationId: items[3].id });
	});
});

describe('files and documentation', () => {
	it('stores allowed files under dataDir/uploads, refuses HTML and photos without consent; documentation files only when published', async () => {
		const pdf = await addEventFile(conn(), cliActor, { eventId, title: 'Folien', fileName: 'folien.pdf', bytes: Buffer.from('%PDF-1.4 test'), documentation: true });
		const files = await readdir(path.join(config().dataDir, 'uploads', 'events', String(eventId)));
		expect(files).toHaveLength(1);
		const html = await addEventFile(conn(), cliActor, { eventId, title: 'Böse', fileName: 'x.html', bytes: Buffer.from('<script>') }).catch((e) => e);
		expect(html).toBeInstanceOf(DomainError);
		const photo = await addEventFile(conn(), cliActor, { eventId, title: 'Foto', fileName: 'foto.jpg', bytes: Buffer.from([0xff, 0xd8]) }).catch((e) => e);
		expect((photo as DomainError).fieldErrors.consent_confirmed).toBeDefined();
		expect(await readEventFile(conn(), eventId, pdf.id, false)).toBeUndefined();
		expect((await readEventFile(conn(), eventId, pdf.id, true))?.bytes.toString()).toBe('%PDF-1.4 test');
		await saveDocumentation(conn(), cliActor, { eventId, documentation: '# Ergebnis\n\n<script>alert(1)</script>[Link](javascript:alert(1)) **fett**', publish: true });
		expect((await readEventFile(conn(), eventId, pdf.id, false))?.mimeType).toBe('application/pdf');
		await deleteEventFile(conn(), cliActor, { eventId, fileId: pdf.id });
		expect(await readEventFile(conn(), eventId, pdf.id, true)).toBeUndefined();
	});

	it('markdown becomes safe HTML; workshops are grouped into time slots', async () => {
		const html = markdownHtml('# Titel\n\n<script>alert(1)</script>\n\n[a](javascript:alert(1)) [b](https://example.org) <img src=x onerror=alert(1)> **fett**');
		expect(html).toContain('<h3>Titel</h3>');
		expect(html).not.toMatch(/script|javascript|onerror|<img/);
		expect(html).toContain('<a href="https://example.org">b</a>');
		expect(html).toContain('<strong>fett</strong>');
		const e = (await getEvent(conn(), eventId))!;
		const slots = workshopSlots(e);
		expect(slots).toHaveLength(1);
		expect(slots[0].options[0].title).toBe('Junges Engagement');
	});
});
