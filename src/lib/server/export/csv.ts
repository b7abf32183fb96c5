/**
 * A small CSV writer after RFC 4180: fields with the separator, a quote, CR or LF are quoted,
 * quotes doubled, records end with CRLF. German spreadsheet programs expect `;` as separator
 * (the comma is the decimal sign) and need a byte order mark to read UTF-8 (the caller adds it).
 */

export type CsvValue = string | number | boolean | Date | null | undefined;

export interface CsvOptions {
	/** Field separator, default `;`. */
	separator?: string;
	/**
	 * Prefix text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) with
	 * an apostrophe, so that data typed by users cannot execute in Excel (CSV injection).
	 * Default true; numbers are never changed.
	 */
	neutralizeFormulas?: boolean;
}

function cell(v: CsvValue, separator: string, neutralize: boolean): string {
	let s: string;
	if (v === null || v === undefined) s = '';
	else if (v instanceof Date) s = v.toISOString();
	else if (typeof v === 'boolean') s = v ? 'ja' : 'nein';
	else if (typeof v === 'number') s = String(v);
	else {
		s = v;
		if (neutralize && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
	}
	return s.includes(separator) || /["\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: readonly (readonly CsvValue[])[], opts: CsvOptions = {}): string {
	const separator = opts.separator ?? ';';
	if (!separator || /["\r\n]/.test(separator)) throw new Error('Ungültiges CSV-Trennzeichen.');
	const neutralize = opts.neutralizeFormulas ?? true;
	return rows.map((r) => r.map((v) => cell(v, separator, neutralize)).join(separator) + '\r\n').join('');
}
