import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { toCsv } from './csv';

describe('toCsv', () => {
	it('separates with ; and ends every record with CRLF', () => {
		expect(toCsv([['a', 'b'], [1, 2.5]])).toBe('a;b\r\n1;2.5\r\n');
		expect(toCsv([])).toBe('');
	});

	it('quotes fields with the separator, quotes and line breaks, doubling quotes', () => {
		expect(toCsv([['Köln; Bonn', 'sagte "ja"', 'zwei\nZeilen', 'cr\rx', 'ohne']])).toBe('"Köln; Bonn";"sagte ""ja""";"zwei\nZeilen";"cr\rx";ohne\r\n');
		// A comma needs no quotes with ; as separator, but does with ,.
		expect(toCsv([['1,5']])).toBe('1,5\r\n');
		expect(toCsv([['1,5', 'x']], { separator: ',' })).toBe('"1,5",x\r\n');
	});

	it('writes empty cells for null and undefined, ja/nein for booleans, ISO for dates', () => {
		expect(toCsv([[null, undefined, true, false, new Date('2026-01-02T03:04:05Z')]])).toBe(';;ja;nein;2026-01-02T03:04:05.000Z\r\n');
	});

	it('neutralises text that a spreadsheet would run as a formula, but not numbers', () => {
		expect(toCsv([['=SUMME(A1)', '+49 201', '-x', '@cmd', '\tTab', 'normal', -5]])).toBe("'=SUMME(A1);'+49 201;'-x;'@cmd;'\tTab;normal;-5\r\n");
		expect(toCsv([['=1+1']], { neutralizeFormulas: false })).toBe('=1+1\r\n');
	});

	it('round-trips through a CSV parser, umlauts and all', () => {
		const rows = [
			['Zeitpunkt', 'Änderungen'],
			['01.02.2026 10:00:00', 'name: Müller → Möller\nort: "Düsseldorf"; NRW'],
			['', 'ß']
		];
		const back = parse(toCsv(rows), { delimiter: ';', relax_column_count: false });
		expect(back).toEqual(rows);
	});

	it('refuses separators that cannot work', () => {
		expect(() => toCsv([['a']], { separator: '"' })).toThrow();
		expect(() => toCsv([['a']], { separator: '' })).toThrow();
	});
});
