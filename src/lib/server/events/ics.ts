/**
 * iCalendar files (RFC 5545) for events: single events as mail attachments and the calendar
 * feeds. Built with the `ics` library; it writes UTC or floating times only, so the times are
 * rewritten to `TZID=Europe/Berlin` with a VTIMEZONE block, which calendar programs show as the
 * German local time whatever the reader's own time zone.
 */
import { createEvents, type EventAttributes } from 'ics';
import { berlinParts, EVENT_KIND_LABELS, type EventKind } from '../../events';
import { absoluteUrl } from '../mail/templates';

export interface IcsEvent {
	id: number;
	kind: EventKind;
	title: string;
	summary: string | null;
	startsAt: Date;
	endsAt: Date;
	venue: string | null;
	address: string | null;
	room: string | null;
	status: 'published' | 'cancelled';
	updatedAt: Date;
	contactName?: string | null;
	contactEmail?: string | null;
}

const VTIMEZONE = [
	'BEGIN:VTIMEZONE',
	'TZID:Europe/Berlin',
	'X-LIC-LOCATION:Europe/Berlin',
	'BEGIN:DAYLIGHT',
	'TZOFFSETFROM:+0100',
	'TZOFFSETTO:+0200',
	'TZNAME:CEST',
	'DTSTART:19700329T020000',
	'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
	'END:DAYLIGHT',
	'BEGIN:STANDARD',
	'TZOFFSETFROM:+0200',
	'TZOFFSETTO:+0100',
	'TZNAME:CET',
	'DTSTART:19701025T030000',
	'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
	'END:STANDARD',
	'END:VTIMEZONE'
].join('\r\n');

/** German wall-clock time as a date array marked "utc", so that `ics` writes it unchanged. */
function wallClock(d: Date): [number, number, number, number, number] {
	const p = berlinParts(d);
	return [p.year, p.month, p.day, p.hour, p.minute];
}

function location(e: IcsEvent): string | undefined {
	const parts = [e.venue, e.room, e.address].filter((x): x is string => !!x);
	return parts.length ? parts.join(', ') : undefined;
}

function attributes(e: IcsEvent, host: string): EventAttributes {
	const url = absoluteUrl(`/veranstaltungen/${e.id}`);
	return {
		uid: `veranstaltung-${e.id}@${host}`,
		start: wallClock(e.startsAt),
		startInputType: 'utc',
		startOutputType: 'utc',
		end: wallClock(e.endsAt),
		endInputType: 'utc',
		endOutputType: 'utc',
		title: e.status === 'cancelled' ? `ABGESAGT: ${e.title}` : e.title,
		description: [EVENT_KIND_LABELS[e.kind], e.summary, url].filter(Boolean).join('\n\n'),
		location: location(e),
		url,
		status: e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED',
		categories: [EVENT_KIND_LABELS[e.kind]],
		// Calendar programs replace an earlier copy when the sequence grows; the change time does.
		sequence: Math.floor(e.updatedAt.getTime() / 1000) % 2_000_000_000,
		lastModified: e.updatedAt.getTime(),
		...(e.contactEmail ? { organizer: { name: e.contactName ?? 'Koordinierungsstelle', email: e.contactEmail } } : {})
	};
}

/** A VCALENDAR with the events; times in Europe/Berlin. */
export function icsCalendar(list: IcsEvent[], calName = 'Kommunen-Netzwerk: Veranstaltungen'): string {
	const host = new URL(absoluteUrl('/')).host;
	const out = list.length
		? createEvents(list.map((e) => attributes(e, host)), { productId: 'kommunennetz/veranstaltungen', method: 'PUBLISH', calName })
		: { error: null, value: ['BEGIN:VCALENDAR', 'VERSION:2.0', 'CALSCALE:GREGORIAN', 'PRODID:kommunennetz/veranstaltungen', 'METHOD:PUBLISH', `X-WR-CALNAME:${calName}`, 'END:VCALENDAR', ''].join('\r\n') };
	if (out.error || !out.value) throw out.error ?? new Error('Kalenderdatei konnte nicht erzeugt werden.');
	let text = out.value.replace(/\r?\n/g, '\r\n');
	text = text.replace(/^(DTSTART|DTEND):(\d{8}T\d{6})Z\r$/gm, '$1;TZID=Europe/Berlin:$2\r');
	text = text.replace(/^METHOD:PUBLISH\r\n/m, `METHOD:PUBLISH\r\nX-WR-TIMEZONE:Europe/Berlin\r\n${VTIMEZONE}\r\n`);
	if (!/VTIMEZONE/.test(text)) text = text.replace(/^BEGIN:VEVENT\r$/m, `${VTIMEZONE}\r\nBEGIN:VEVENT\r`);
	return text;
}
