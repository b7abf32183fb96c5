/** Formatting for display: German conventions, times in Europe/Berlin (the server may run in UTC). */

const TZ = 'Europe/Berlin';
const dateFmt = new Intl.DateTimeFormat('de-DE', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric' });
const dateUtcFmt = new Intl.DateTimeFormat('de-DE', { timeZone: 'UTC', day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFmt = new Intl.DateTimeFormat('de-DE', { timeZone: TZ, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const timeFmt = new Intl.DateTimeFormat('de-DE', { timeZone: TZ, hour: '2-digit', minute: '2-digit' });

type DateInput = Date | string | number | null | undefined;

/** A calendar date ("2022-12-31") is not an instant; it must not move a day by time zone. */
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function toDate(value: DateInput): Date | null {
	if (value === null || value === undefined || value === '') return null;
	const d = value instanceof Date ? value : new Date(value);
	return Number.isNaN(d.getTime()) ? null : d;
}

/** "31.12.2022"; empty string for no value. */
export function formatDate(value: DateInput): string {
	if (typeof value === 'string' && DATE_ONLY.test(value)) {
		const d = toDate(`${value}T00:00:00Z`);
		return d ? dateUtcFmt.format(d) : '';
	}
	const d = toDate(value);
	return d ? dateFmt.format(d) : '';
}

/** "31.12.2022, 14:05 Uhr"; empty string for no value. */
export function formatDateTime(value: DateInput): string {
	const d = toDate(value);
	return d ? `${dateTimeFmt.format(d)} Uhr` : '';
}

/** "14:05 Uhr". */
export function formatTime(value: DateInput): string {
	const d = toDate(value);
	return d ? `${timeFmt.format(d)} Uhr` : '';
}

/** "1.234.567" or with `digits` fraction digits "1.234,5". */
export function formatNumber(value: number | null | undefined, digits = 0): string {
	if (value === null || value === undefined || Number.isNaN(value)) return '';
	return new Intl.NumberFormat('de-DE', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

/** ISO value for `<time datetime>`. */
export function isoDateTime(value: DateInput): string {
	if (typeof value === 'string' && DATE_ONLY.test(value)) return value;
	const d = toDate(value);
	return d ? d.toISOString() : '';
}
