/**
 * Coordinator exports of an event's registrations: CSV and XLSX tables, a printable participant
 * list, name badges and attendance certificates (PDF, A4). PDFs use the standard Helvetica
 * (WinAnsi covers German letters and typographic quotes), so no font files are needed.
 */
import PDFDocument from 'pdfkit';
import writeXlsxFile from 'write-excel-file/node';
import { formatDate, formatTime } from '../../format';
import { EVENT_KIND_LABELS, REGISTRATION_STATUS_LABELS } from '../../events';
import { toCsv, type CsvValue } from '../export/csv';
import type { EventDetail, RegistrationListItem } from '.';

const HEADER = [
	'Nr.',
	'Status',
	'Name',
	'E-Mail',
	'Organisation',
	'AGS',
	'Kommune',
	'Funktion',
	'Workshops',
	'Barrierefreiheit',
	'Verpflegung',
	'Fotos erlaubt',
	'Auf Teilnehmendenliste',
	'Angemeldet am',
	'Nachgerückt am',
	'Anwesend'
];

function sessionsText(r: RegistrationListItem): string {
	return r.sessions
		.filter((s) => s.status !== 'cancelled')
		.map((s) => `${s.title}${s.status === 'waitlisted' ? ' (Warteliste)' : ''}`)
		.join('; ');
}

function berlin(d: Date | null): string {
	return d ? `${formatDate(d)} ${formatTime(d).replace(' Uhr', '')}` : '';
}

function rowOf(r: RegistrationListItem, i: number): CsvValue[] {
	return [
		i + 1,
		REGISTRATION_STATUS_LABELS[r.status],
		r.name,
		r.email,
		r.organisation,
		r.areaAgs,
		r.areaName,
		r.position,
		sessionsText(r),
		r.accessibilityNeeds,
		r.dietaryNeeds,
		r.photoConsent,
		r.listConsent,
		berlin(r.createdAt),
		berlin(r.promotedAt),
		r.checkedInAt ? berlin(r.checkedInAt) : ''
	];
}

/** CSV for German spreadsheet programs (semicolon, UTF-8 with byte order mark). */
export function registrationsCsv(items: RegistrationListItem[]): string {
	return '\uFEFF' + toCsv([HEADER, ...items.map(rowOf)]);
}

export async function registrationsXlsx(items: RegistrationListItem[]): Promise<Buffer> {
	const header = HEADER.map((h) => ({ value: h, fontWeight: 'bold' as const }));
	const rows = items.map((r, i) =>
		rowOf(r, i).map((v) => {
			if (typeof v === 'number') return { value: v, type: Number };
			if (typeof v === 'boolean') return { value: v ? 'ja' : 'nein', type: String };
			return { value: v == null ? '' : String(v), type: String };
		})
	);
	return writeXlsxFile([header, ...rows], {
		sheet: 'Anmeldungen',
		columns: [{ width: 5 }, { width: 12 }, { width: 24 }, { width: 30 }, { width: 26 }, { width: 10 }, { width: 20 }, { width: 22 }, { width: 40 }, { width: 24 }, { width: 16 }, { width: 8 }, { width: 8 }, { width: 16 }, { width: 16 }, { width: 16 }],
		stickyRowsCount: 1
	}).toBuffer();
}

function pdf(title: string): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
	const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: title, Author: 'Kommunen-Netzwerk: engagiert in NRW' }, lang: 'de-DE', displayTitle: true, pdfVersion: '1.7', tagged: true } as PDFKit.PDFDocumentOptions);
	const chunks: Buffer[] = [];
	doc.on('data', (c: Buffer) => chunks.push(c));
	const done = new Promise<Buffer>((resolve, reject) => {
		doc.on('end', () => resolve(Buffer.concat(chunks)));
		doc.on('error', reject);
	});
	return { doc, done };
}

function whenText(e: Pick<EventDetail, 'startsAt' | 'endsAt'>): string {
	return formatDate(e.startsAt) === formatDate(e.endsAt)
		? `${formatDate(e.startsAt)}, ${formatTime(e.startsAt).replace(' Uhr', '')}–${formatTime(e.endsAt)}`
		: `${formatDate(e.startsAt)} bis ${formatDate(e.endsAt)}`;
}

/** A printable list with a signature column, confirmed participants only, alphabetically. */
export async function participantListPdf(e: EventDetail, items: RegistrationListItem[]): Promise<Buffer> {
	const { doc, done } = pdf(`Teilnehmendenliste – ${e.title}`);
	const people = items.filter((r) => r.status === 'confirmed').sort((a, b) => a.name.localeCompare(b.name, 'de'));
	doc.font('Helvetica-Bold').fontSize(16).text('Teilnehmendenliste');
	doc.font('Helvetica').fontSize(11).text(e.title).text(`${whenText(e)}${e.venue ? ` · ${e.venue}` : ''}`);
	doc.moveDown();
	const cols = [
		{ label: 'Nr.', width: 30 },
		{ label: 'Name', width: 150 },
		{ label: 'Organisation / Kommune', width: 170 },
		{ label: 'Unterschrift', width: 145 }
	];
	const left = doc.page.margins.left;
	const header = () => {
		let x = left;
		doc.font('Helvetica-Bold').fontSize(10);
		const y = doc.y;
		for (const c of cols) {
			doc.text(c.label, x, y, { width: c.width - 6 });
			x += c.width;
		}
		doc.moveTo(left, doc.y + 2).lineTo(left + 495, doc.y + 2).stroke();
		doc.moveDown(0.5);
		doc.font('Helvetica').fontSize(10);
	};
	header();
	people.forEach((r, i) => {
		if (doc.y > doc.page.height - doc.page.margins.bottom - 40) {
			doc.addPage();
			header();
		}
		const y = doc.y;
		const cells = [String(i + 1), r.name, [r.organisation, r.areaName].filter(Boolean).join(' / '), ''];
		let x = left;
		let bottom = y;
		cells.forEach((t, j) => {
			doc.text(t, x, y, { width: cols[j].width - 6 });
			bottom = Math.max(bottom, doc.y);
			x += cols[j].width;
		});
		doc.y = Math.max(bottom, y + 22);
		doc.moveTo(left, doc.y).lineTo(left + 495, doc.y).lineWidth(0.5).strokeColor('#999999').stroke().strokeColor('#000000').lineWidth(1);
		doc.moveDown(0.4);
	});
	doc.moveDown().fontSize(9).text(`${people.length} bestätigte Teilnehmende · Stand ${berlin(new Date())}`, left);
	doc.end();
	return done;
}

/** Name badges, 2 × 4 per A4 page (cut lines), with organisation and first workshop. */
export async function badgesPdf(e: EventDetail, items: RegistrationListItem[]): Promise<Buffer> {
	const { doc, done } = pdf(`Namensschilder – ${e.title}`);
	const people = items.filter((r) => r.status === 'confirmed').sort((a, b) => a.name.localeCompare(b.name, 'de'));
	const w = 247;
	const h = 180;
	const x0 = 50;
	const y0 = 60;
	people.forEach((r, i) => {
		const slot = i % 8;
		if (i > 0 && slot === 0) doc.addPage();
		const x = x0 + (slot % 2) * w;
		const y = y0 + Math.floor(slot / 2) * h;
		doc.rect(x, y, w, h).dash(3, { space: 3 }).lineWidth(0.5).strokeColor('#888888').stroke().undash().strokeColor('#000000');
		doc.rect(x, y, w, 8).fill('#1a3da5').fillColor('#000000');
		doc.font('Helvetica').fontSize(8).text(`${EVENT_KIND_LABELS[e.kind]} · ${formatDate(e.startsAt)}`, x + 14, y + 18, { width: w - 28 });
		doc.font('Helvetica-Bold').fontSize(20).text(r.name, x + 14, y + 50, { width: w - 28, height: 56 });
		doc.font('Helvetica').fontSize(11).text([r.organisation ?? r.areaName, r.position].filter(Boolean).join(' · '), x + 14, y + 110, { width: w - 28, height: 32 });
		const ws = r.sessions.find((s) => s.status === 'confirmed');
		if (ws) doc.fontSize(8).fillColor('#404565').text(`Workshop: ${ws.title}`, x + 14, y + 148, { width: w - 28, height: 24 }).fillColor('#000000');
	});
	if (!people.length) doc.font('Helvetica').fontSize(12).text('Keine bestätigten Teilnehmenden.');
	doc.end();
	return done;
}

/** One Teilnahmebescheinigung per participant present (or confirmed, when nobody was checked in). */
export async function certificatesPdf(e: EventDetail, items: RegistrationListItem[]): Promise<Buffer> {
	const { doc, done } = pdf(`Teilnahmebescheinigungen – ${e.title}`);
	const present = items.filter((r) => r.status === 'confirmed' && r.checkedInAt);
	const people = (present.length ? present : items.filter((r) => r.status === 'confirmed')).sort((a, b) => a.name.localeCompare(b.name, 'de'));
	const hours = Math.round(((e.endsAt.getTime() - e.startsAt.getTime()) / 3_600_000) * 2) / 2;
	people.forEach((r, i) => {
		if (i > 0) doc.addPage();
		doc.rect(0, 0, doc.page.width, 14).fill('#1a3da5').fillColor('#000000');
		doc.font('Helvetica').fontSize(10).text('Kommunen-Netzwerk: engagiert in NRW', 50, 60);
		doc.moveDown(4);
		doc.font('Helvetica-Bold').fontSize(24).text('Teilnahmebescheinigung', { align: 'center' });
		doc.moveDown(2);
		doc.font('Helvetica').fontSize(13).text('Hiermit wird bestätigt, dass', { align: 'center' });
		doc.moveDown(0.8);
		doc.font('Helvetica-Bold').fontSize(18).text(r.name, { align: 'center' });
		if (r.organisation || r.areaName) doc.font('Helvetica').fontSize(12).text(r.organisation ?? r.areaName ?? '', { align: 'center' });
		doc.moveDown(0.8);
		doc.font('Helvetica').fontSize(13).text(`am ${EVENT_KIND_LABELS[e.kind]}`, { align: 'center' });
		doc.moveDown(0.5);
		doc.font('Helvetica-Bold').fontSize(14).text(`„${e.title}“`, { align: 'center' });
		doc.moveDown(0.5);
		doc.font('Helvetica').fontSize(13).text(`${whenText(e)}${e.venue ? `, ${e.venue}` : e.format === 'online' ? ', online' : ''}`, { align: 'center' });
		doc.text(`(${hours.toLocaleString('de-DE')} Stunden) teilgenommen hat.`, { align: 'center' });
		const ws = r.sessions.filter((s) => s.status === 'confirmed');
		if (ws.length) {
			doc.moveDown();
			doc.fontSize(11).text(`Workshop: ${ws.map((s) => s.title).join('; ')}`, { align: 'center' });
		}
		doc.moveDown(5);
		doc.fontSize(11).text(`Düsseldorf, ${formatDate(e.endsAt)}`, 50);
		doc.moveDown(3);
		doc.moveTo(50, doc.y).lineTo(250, doc.y).stroke();
		doc.moveDown(0.3);
		doc.fontSize(10).text('Koordinierungsstelle des Kommunen-Netzwerks', 50);
	});
	if (!people.length) doc.font('Helvetica').fontSize(12).text('Keine bestätigten Teilnehmenden.');
	doc.end();
	return done;
}
