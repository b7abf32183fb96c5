/**
 * Reading a subscriber list (CSV) for `kommunennetz subscribers import`. Header names are
 * matched loosely (`email`/`E-Mail`/`E-Mail-Adresse`, `name`, `consented_at`/`Einwilligung`/
 * `Datum`); the separator may be `,` or `;` (German Excel); dates ISO 8601 or TT.MM.JJJJ.
 */
import { parse } from 'csv-parse/sync';
import type { ImportRow } from './subscriptions';

const EMAIL = /^(e-?mail(-?adresse)?|mail|email_address|address|adresse)$/i;
const NAME = /^(name|vollst(ä|ae)ndiger name|full_?name)$/i;
const DATE = /^(consented_at|consent_date|einwilligung(sdatum)?|datum|angemeldet(_am)?|subscribed_at|date)$/i;

function toDate(v: string): Date | null | undefined {
	const s = v.trim();
	if (!s) return null;
	const de = /^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:,?\s+(\d{1,2}):(\d{2}))?$/.exec(s);
	const d = de ? new Date(Date.UTC(+de[3], +de[2] - 1, +de[1], +(de[4] ?? 12), +(de[5] ?? 0))) : new Date(s);
	return Number.isNaN(d.getTime()) ? undefined : d;
}

export function parseSubscriberCsv(text: string): { rows: ImportRow[]; errors: { line: number; message: string }[] } {
	const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
	const delimiter = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
	const records: string[][] = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true });
	if (!records.length) return { rows: [], errors: [{ line: 1, message: 'Die Datei ist leer.' }] };
	const header = records[0].map((h) => h.trim());
	const col = (re: RegExp) => header.findIndex((h) => re.test(h));
	let emailCol = col(EMAIL);
	let start = 1;
	if (emailCol < 0) {
		// No header: the first column holding an @ is the address.
		emailCol = records[0].findIndex((v) => v.includes('@'));
		start = 0;
		if (emailCol < 0) return { rows: [], errors: [{ line: 1, message: 'Keine Spalte mit E-Mail-Adressen gefunden (Kopfzeile „email“ oder „E-Mail“).' }] };
	}
	const nameCol = start ? col(NAME) : -1;
	const dateCol = start ? col(DATE) : -1;
	const rows: ImportRow[] = [];
	const errors: { line: number; message: string }[] = [];
	for (let i = start; i < records.length; i++) {
		const r = records[i];
		const line = i + 1;
		const consentedAt = dateCol >= 0 ? toDate(r[dateCol] ?? '') : null;
		if (consentedAt === undefined) {
			errors.push({ line, message: `„${r[dateCol]}“ ist kein gültiges Datum (TT.MM.JJJJ oder JJJJ-MM-TT).` });
			continue;
		}
		rows.push({ line, email: (r[emailCol] ?? '').trim(), name: nameCol >= 0 ? r[nameCol] || null : null, consentedAt });
	}
	return { rows, errors };
}
