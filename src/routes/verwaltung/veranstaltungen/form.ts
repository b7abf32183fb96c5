/**
 * The event form of the administration: German date and time fields become instants
 * (Europe/Berlin), numbers stay text until checked, so that a failed submission shows exactly
 * what was typed.
 */
import { berlinDate, berlinTime, EVENT_AUDIENCE_LABELS, EVENT_AUDIENCES, EVENT_FORMAT_LABELS, EVENT_FORMATS, EVENT_KIND_LABELS, EVENT_KINDS, fromBerlin, REGISTRATION_FIELD_LABELS, REGISTRATION_FIELDS, SESSION_KIND_LABELS, SESSION_KINDS } from '$lib/events';
import { text, type FormErrors } from '$lib/server/accounts/forms';
import type { EventRow } from '$lib/server/events';

export const TEXT_FIELDS = [
	'kind',
	'title',
	'summary',
	'description',
	'start_date',
	'start_time',
	'end_date',
	'end_time',
	'format',
	'venue',
	'address',
	'room',
	'video_url',
	'audience',
	'capacity',
	'per_area_limit',
	'opens_date',
	'opens_time',
	'closes_date',
	'closes_time',
	'contact_name',
	'contact_email',
	'contact_phone',
	'reminder_days'
] as const;

export type EventFormValues = Record<(typeof TEXT_FIELDS)[number], string> & { ask_fields: string[] };

export const options = {
	kinds: EVENT_KINDS.map((k) => ({ value: k, label: EVENT_KIND_LABELS[k] })),
	formats: EVENT_FORMATS.map((k) => ({ value: k, label: EVENT_FORMAT_LABELS[k] })),
	audiences: EVENT_AUDIENCES.map((k) => ({ value: k, label: EVENT_AUDIENCE_LABELS[k] })),
	askFields: REGISTRATION_FIELDS.map((k) => ({ value: k, label: REGISTRATION_FIELD_LABELS[k] })),
	sessionKinds: SESSION_KINDS.map((k) => ({ value: k, label: SESSION_KIND_LABELS[k] }))
};

export function readEventForm(form: FormData): EventFormValues {
	const v = Object.fromEntries(TEXT_FIELDS.map((k) => [k, text(form, k).trim()])) as unknown as EventFormValues;
	v.ask_fields = form.getAll('ask_fields').filter((x): x is string => typeof x === 'string');
	return v;
}

export function valuesOf(e: EventRow): EventFormValues {
	const d = (x: Date | null) => (x ? berlinDate(x) : '');
	const t = (x: Date | null) => (x ? berlinTime(x) : '');
	return {
		kind: e.kind,
		title: e.title,
		summary: e.summary ?? '',
		description: e.description ?? '',
		start_date: d(e.startsAt),
		start_time: t(e.startsAt),
		end_date: d(e.endsAt),
		end_time: t(e.endsAt),
		format: e.format,
		venue: e.venue ?? '',
		address: e.address ?? '',
		room: e.room ?? '',
		video_url: e.videoUrl ?? '',
		audience: e.audience,
		capacity: e.capacity == null ? '' : String(e.capacity),
		per_area_limit: e.perAreaLimit == null ? '' : String(e.perAreaLimit),
		opens_date: d(e.registrationOpensAt),
		opens_time: t(e.registrationOpensAt),
		closes_date: d(e.registrationClosesAt),
		closes_time: t(e.registrationClosesAt),
		contact_name: e.contactName ?? '',
		contact_email: e.contactEmail ?? '',
		contact_phone: e.contactPhone ?? '',
		reminder_days: e.reminderDays == null ? '' : String(e.reminderDays),
		ask_fields: e.askFields
	};
}

export const EMPTY: EventFormValues = { ...(Object.fromEntries(TEXT_FIELDS.map((k) => [k, ''])) as Record<(typeof TEXT_FIELDS)[number], string>), kind: 'network_meeting', format: 'onsite', audience: 'members_partners', reminder_days: '3', ask_fields: [...REGISTRATION_FIELDS] };

/** A whole number or empty (null); `errors` gets a German message for anything else. */
export function optionalInt(value: string, field: string, errors: FormErrors): number | null | undefined {
	if (!value) return null;
	if (!/^\d{1,6}$/.test(value)) {
		errors[field] = ['Bitte geben Sie eine ganze Zahl an oder lassen Sie das Feld leer.'];
		return undefined;
	}
	return Number(value);
}

function instant(date: string, time: string, field: string, label: string, errors: FormErrors, required: boolean): Date | null {
	if (!date && !time) {
		if (required) errors[field] = [`Bitte geben Sie ${label} an.`];
		return null;
	}
	const d = fromBerlin(date, time || '00:00');
	if (!d) errors[field] = [`Bitte geben Sie ${label} als Datum (TT.MM.JJJJ) und Uhrzeit (HH:MM) an.`];
	return d;
}

/** The command input for createEvent/updateEvent, or field errors keyed like the form. */
export function eventInput(v: EventFormValues) {
	const errors: FormErrors = {};
	const startsAt = instant(v.start_date, v.start_time, 'start_date', 'den Beginn', errors, true);
	const endsAt = instant(v.end_date || v.start_date, v.end_time, 'end_time', 'das Ende', errors, true);
	const registrationOpensAt = instant(v.opens_date, v.opens_time, 'opens_date', 'den Anmeldebeginn', errors, false);
	const registrationClosesAt = instant(v.closes_date, v.closes_time || (v.closes_date ? '23:59' : ''), 'closes_date', 'den Anmeldeschluss', errors, false);
	const capacity = optionalInt(v.capacity, 'capacity', errors);
	const perAreaLimit = optionalInt(v.per_area_limit, 'per_area_limit', errors);
	const reminderDays = optionalInt(v.reminder_days, 'reminder_days', errors);
	return {
		errors,
		input: {
			kind: v.kind as EventRow['kind'],
			title: v.title,
			summary: v.summary,
			description: v.description,
			startsAt: startsAt ?? undefined,
			endsAt: endsAt ?? undefined,
			format: v.format as EventRow['format'],
			venue: v.venue,
			address: v.address,
			room: v.room,
			videoUrl: v.video_url,
			audience: v.audience as EventRow['audience'],
			capacity,
			perAreaLimit,
			registrationOpensAt,
			registrationClosesAt,
			askFields: v.ask_fields as EventRow['askFields'] as never,
			contactName: v.contact_name,
			contactEmail: v.contact_email,
			contactPhone: v.contact_phone,
			reminderDays
		}
	};
}

/** Domain field names → form field names. */
export const FIELD_OF: Record<string, string> = {
	start_at: 'start_date',
	starts_at: 'start_date',
	ends_at: 'end_time',
	registration_opens_at: 'opens_date',
	registration_closes_at: 'closes_date',
	ask_fields: 'ask_fields'
};

export function formErrors(errors: FormErrors): FormErrors {
	const out: FormErrors = {};
	for (const [k, v] of Object.entries(errors)) (out[FIELD_OF[k] ?? k] ??= []).push(...v);
	return out;
}
