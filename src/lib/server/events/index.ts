/**
 * Events: network meetings, workshops, the Engagementkongress with parallel workshops and a
 * Lernkarussell. Registration never confirms more places than there are: every command that
 * changes places (register, cancel, capacity changes, carousel choices) first locks the
 * event's row (`SELECT … FOR UPDATE`) and then counts, so all of them for one event run one
 * after the other, on any PostgreSQL server and with any number of app processes. The order in
 * which they get the lock is the order of arrival; ids are drawn after the lock, so the
 * waitlist ordered by id is that order.
 */
import { and, asc, desc, eq, gte, ilike, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { cliActor, diff, recordAudit, systemActor, type Actor } from '../audit';
import { users } from '../accounts/schema';
import { areas } from '../areas/schema';
import { db, type DbOrTx, type Tx } from '../db';
import { DomainError, fieldErrorsOf, forbidden, notFound } from '../errors';
import { enqueueJob, type JobHandler } from '../jobs';
import { enqueueMail } from '../mail';
import { newSecret, sha256 } from '../accounts/tokens';
import { optionalText as baseOptionalText, optionalWebAddress } from '../validation';
import {
	EVENT_AUDIENCES,
	EVENT_FORMATS,
	EVENT_KINDS,
	REGISTRATION_FIELDS,
	SESSION_KINDS,
	type RegistrationField
} from '../../events';
import { icsCalendar } from './ics';
import {
	cancellationMail,
	changeMail,
	confirmationMail,
	eventCancelledMail,
	messageMail,
	promotionMail,
	reminderMail,
	sessionPromotionMail,
	waitlistMail,
	when,
	where as whereText,
	type MailSession
} from './mails';
import {
	carouselAssignments,
	carouselRounds,
	carouselStations,
	eventFeedback,
	eventFiles,
	events,
	eventSessions,
	registrations,
	registrationSessions
} from './schema';

export type EventRow = typeof events.$inferSelect;
export type SessionRow = typeof eventSessions.$inferSelect;
export type RegistrationRow = typeof registrations.$inferSelect;
export type Status = RegistrationRow['status'];

// ---------------------------------------------------------------------------------------
// Validation helpers

/** Parses a command's input; failures become a DomainError with German messages per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
	const r = schema.safeParse(input);
	if (!r.success) throw new DomainError('validation', 'Bitte prüfen Sie die markierten Angaben.', fieldErrorsOf(r.error));
	return r.data;
}

const optionalText = (max: number) => baseOptionalText(max, 'Bitte geben Sie Text an.');

/** An instant: a Date or an ISO 8601 text with offset. */
function instant(message: string) {
	return z.union([z.date(), z.string()], { error: message }).transform((v, ctx) => {
		const d = v instanceof Date ? v : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v.trim()) ? new Date(v.trim()) : new Date(NaN);
		if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2999) {
			ctx.addIssue({ code: 'custom', message });
			return z.NEVER;
		}
		return d;
	});
}

const placesSchema = (label: string) =>
	z
		.number({ error: `${label}: bitte eine ganze Zahl angeben.` })
		.int(`${label}: bitte eine ganze Zahl angeben.`)
		.min(1, `${label}: mindestens 1.`)
		.max(100_000, `${label}: höchstens 100.000.`)
		.nullish();

const urlSchema = optionalWebAddress({ tooLong: 'Die Adresse ist zu lang.', invalid: 'Bitte geben Sie eine vollständige Adresse mit https:// an.' });

const emailSchema = z
	.string({ error: 'Bitte geben Sie eine E-Mail-Adresse an.' })
	.trim()
	.min(1, 'Bitte geben Sie eine E-Mail-Adresse an.')
	.max(254, 'Die E-Mail-Adresse ist zu lang.')
	.pipe(z.email({ error: 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@stadt.de.' }));

const agsSchema = z
	.string()
	.trim()
	.regex(/^\d{3}(\d{2}(\d{3})?)?$/, 'Der AGS hat 3, 5 oder 8 Ziffern, z. B. 05711000 für Bielefeld.');

const idSchema = (message: string) => z.number({ error: message }).int(message).min(1, message).max(2_147_483_647, message);

/**
 * Coordinators manage events; so do the operator at the command line and the system itself
 * (demo data, jobs), which carry no user and no IP address.
 */
function requireEventAdmin(actor: Actor): void {
	if (actor.role === 'coordinator') return;
	if (actor.userId === undefined && !actor.ip && (actor.label === cliActor.label || actor.label === systemActor.label)) return;
	throw forbidden('Das darf nur die Koordinierungsstelle.');
}

function isEventAdmin(actor: Actor): boolean {
	try {
		requireEventAdmin(actor);
		return true;
	} catch {
		return false;
	}
}

async function lockEvent(tx: DbOrTx, eventId: number): Promise<EventRow> {
	const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for('update');
	if (!event) throw notFound('Diese Veranstaltung gibt es nicht.');
	return event;
}

async function assertArea(tx: DbOrTx, ags: string, field: string): Promise<string> {
	const [area] = await tx.select({ name: areas.name }).from(areas).where(eq(areas.ags, ags));
	if (!area) throw new DomainError('validation', `Es gibt kein Gebiet mit dem AGS ${ags}.`, { [field]: [`Es gibt kein Gebiet mit dem AGS ${ags}.`] });
	return area.name;
}

// ---------------------------------------------------------------------------------------
// Events

const eventFields = {
	/** network_meeting, workshop, congress, summit, conference or ews_workshop. */
	kind: z.enum(EVENT_KINDS, { error: 'Bitte wählen Sie die Art der Veranstaltung.' }),
	/** Title as shown everywhere. */
	title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(3, 'Bitte geben Sie einen Titel an (mindestens 3 Zeichen).').max(200, 'Bitte höchstens 200 Zeichen.'),
	/** One or two sentences for lists and calendars. */
	summary: optionalText(600),
	/** Longer description (markdown). */
	description: optionalText(20_000),
	/** Start (instant). */
	startsAt: instant('Bitte geben Sie einen gültigen Beginn an.'),
	/** End (instant), after the start. */
	endsAt: instant('Bitte geben Sie ein gültiges Ende an.'),
	/** onsite, online or hybrid. */
	format: z.enum(EVENT_FORMATS, { error: 'Bitte wählen Sie vor Ort, online oder hybrid.' }),
	/** Venue, e.g. "Stadthalle Bad Godesberg". */
	venue: optionalText(200),
	/** Street, postcode and town. */
	address: optionalText(300),
	room: optionalText(200),
	/** Video conference link, shown to confirmed participants only. */
	videoUrl: urlSchema,
	/** members, members_partners or public. */
	audience: z.enum(EVENT_AUDIENCES, { error: 'Bitte wählen Sie, wer sich anmelden darf.' }),
	/** Places in all; null: no limit. */
	capacity: placesSchema('Plätze'),
	/** Confirmed places per member municipality; null: no limit. */
	perAreaLimit: placesSchema('Plätze je Kommune'),
	/** Registration opens (null: at once). */
	registrationOpensAt: instant('Bitte geben Sie einen gültigen Anmeldebeginn an.').nullish(),
	/** Registration closes (null: at the start of the event). */
	registrationClosesAt: instant('Bitte geben Sie einen gültigen Anmeldeschluss an.').nullish(),
	/** Optional fields asked at registration. */
	askFields: z.array(z.enum(REGISTRATION_FIELDS, { error: 'Unbekanntes Anmeldefeld.' })).max(REGISTRATION_FIELDS.length),
	contactName: optionalText(200),
	contactEmail: z.preprocess((v) => (v === '' ? null : v), emailSchema.nullish()),
	contactPhone: optionalText(50),
	/** Days before the start for the reminder mail; null: none. */
	reminderDays: z.number({ error: 'Bitte eine Zahl von 0 bis 60 angeben.' }).int('Bitte eine ganze Zahl angeben.').min(0, 'Mindestens 0.').max(60, 'Höchstens 60.').nullish()
};

function checkTimes(v: { startsAt?: Date; endsAt?: Date; registrationOpensAt?: Date | null; registrationClosesAt?: Date | null }, ctx: z.RefinementCtx) {
	if (v.startsAt && v.endsAt && v.endsAt <= v.startsAt) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'Das Ende muss nach dem Beginn liegen.' });
	if (v.registrationOpensAt && v.registrationClosesAt && v.registrationClosesAt <= v.registrationOpensAt)
		ctx.addIssue({ code: 'custom', path: ['registrationClosesAt'], message: 'Der Anmeldeschluss muss nach dem Anmeldebeginn liegen.' });
	if (v.endsAt && v.registrationClosesAt && v.registrationClosesAt > v.endsAt)
		ctx.addIssue({ code: 'custom', path: ['registrationClosesAt'], message: 'Der Anmeldeschluss darf nicht nach dem Ende der Veranstaltung liegen.' });
}

export const createEventInput = z
	.object({
		...eventFields,
		format: eventFields.format.default('onsite'),
		audience: eventFields.audience.default('members_partners'),
		askFields: eventFields.askFields.default(['organisation', 'area', 'position', 'accessibility', 'dietary', 'photo_consent', 'list_consent']),
		reminderDays: eventFields.reminderDays.default(3)
	})
	.superRefine(checkTimes);
export type CreateEventInput = z.input<typeof createEventInput>;

/** Schedules the reminder mail job for the event's current start (a moved start gets a new job). */
async function scheduleReminder(tx: DbOrTx, e: EventRow): Promise<void> {
	if (e.reminderDays == null || e.status === 'cancelled') return;
	const runAt = new Date(e.startsAt.getTime() - e.reminderDays * 86_400_000);
	if (runAt.getTime() <= Date.now() || e.startsAt.getTime() <= Date.now()) return;
	await enqueueJob(tx, 'events.reminder', { eventId: e.id, startsAt: e.startsAt.toISOString() }, { runAt });
}

/** Creates an event (coordinators). */
export async function createEvent(conn: DbOrTx, actor: Actor, input: CreateEventInput): Promise<EventRow> {
	requireEventAdmin(actor);
	const v = parseInput(createEventInput, input);
	return conn.transaction(async (tx) => {
		const [row] = await tx
			.insert(events)
			.values({ ...v, askFields: [...new Set(v.askFields)] })
			.returning();
		await scheduleReminder(tx, row);
		await recordAudit(tx, actor, { action: 'event.created', objectType: 'event', objectId: row.id, changes: { kind: row.kind, title: row.title, startsAt: row.startsAt.toISOString() } });
		return row;
	});
}

export const updateEventInput = z
	.object(eventFields)
	.partial()
	.extend({
		/** The event to change. */
		eventId: idSchema('Ungültige Veranstaltung.'),
		/** `cancelled` cancels the event and notifies everybody registered. */
		status: z.enum(['published', 'cancelled'], { error: 'Der Status muss published oder cancelled sein.' }).optional(),
		/** Reason for a cancellation, quoted in the mail. */
		cancelReason: optionalText(1000),
		/** Mail participants about changed time or place (default yes). */
		notify: z.boolean().optional()
	})
	.superRefine(checkTimes);
export type UpdateEventInput = z.input<typeof updateEventInput>;

/** Fields whose change participants are told about. */
const NOTICE_FIELDS = ['startsAt', 'endsAt', 'format', 'venue', 'address', 'room', 'videoUrl'] as const;

/**
 * Changes an event (coordinators). More places promote people from the waitlist; a changed time
 * or place is mailed to everybody registered; `status: cancelled` cancels the event and mails
 * everybody.
 */
export async function updateEvent(conn: DbOrTx, actor: Actor, input: UpdateEventInput): Promise<EventRow> {
	requireEventAdmin(actor);
	const v = parseInput(updateEventInput, input);
	return conn.transaction(async (tx) => {
		const before = await lockEvent(tx, v.eventId);
		const { eventId: _id, cancelReason, notify, ...fields } = v;
		const next = Object.fromEntries(Object.entries(fields).filter(([, x]) => x !== undefined)) as Partial<EventRow>;
		if (next.askFields) next.askFields = [...new Set(next.askFields)];
		const merged = { ...before, ...next };
		if (merged.endsAt <= merged.startsAt) throw new DomainError('validation', 'Das Ende muss nach dem Beginn liegen.', { endsAt: ['Das Ende muss nach dem Beginn liegen.'] });
		if (before.status === 'cancelled' && next.status === undefined && Object.keys(diff(before, next)).length)
			throw new DomainError('conflict', 'Diese Veranstaltung ist abgesagt und kann nicht mehr geändert werden.');
		const changes = diff(before, next);
		if (!Object.keys(changes).length) return before;
		const [after] = await tx
			.update(events)
			.set({ ...next, updatedAt: new Date() })
			.where(eq(events.id, before.id))
			.returning();
		await recordAudit(tx, actor, { action: after.status === 'cancelled' && before.status !== 'cancelled' ? 'event.cancelled' : 'event.updated', objectType: 'event', objectId: after.id, changes });

		if (after.status === 'cancelled' && before.status !== 'cancelled') {
			const regs = await tx.select().from(registrations).where(and(eq(registrations.eventId, after.id), ne(registrations.status, 'cancelled')));
			const ics = icsCalendar([after]);
			for (const r of regs) {
				await enqueueMail(tx, {
					to: r.email,
					toName: r.name,
					template: 'event_cancelled',
					...eventCancelledMail(after, r.name, cancelReason ?? null),
					attachments: r.status === 'confirmed' ? [{ filename: 'absage.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics }] : undefined
				});
			}
			return after;
		}
		if (after.startsAt.getTime() !== before.startsAt.getTime() || after.reminderDays !== before.reminderDays) await scheduleReminder(tx, after);
		const noticed = NOTICE_FIELDS.filter((f) => f in changes);
		if (noticed.length && notify !== false && after.endsAt.getTime() > Date.now()) {
			const lines: string[] = [];
			if ('startsAt' in changes || 'endsAt' in changes) lines.push(`Neue Zeit: ${when(after)} (vorher: ${when(before)}).`);
			if ('venue' in changes || 'address' in changes || 'room' in changes || 'format' in changes) lines.push(`Neuer Ort: ${whereText(after)} (vorher: ${whereText(before)}).`);
			if ('videoUrl' in changes && after.videoUrl) lines.push('Der Zugang zur Online-Teilnahme hat sich geändert.');
			const regs = await tx.select().from(registrations).where(and(eq(registrations.eventId, after.id), ne(registrations.status, 'cancelled')));
			const ics = icsCalendar([after]);
			for (const r of regs) {
				const confirmed = r.status === 'confirmed';
				await enqueueMail(tx, {
					to: r.email,
					toName: r.name,
					template: 'event_changed',
					...changeMail(after, r.name, lines, confirmed),
					attachments: confirmed ? [{ filename: 'termin.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: ics }] : undefined
				});
			}
		}
		if ('capacity' in changes || 'perAreaLimit' in changes) await fillEvent(tx, actor, after);
		return after;
	});
}

// ---------------------------------------------------------------------------------------
// Programme

export const addSessionInput = z
	.object({
		/** The event the session belongs to. */
		eventId: idSchema('Ungültige Veranstaltung.'),
		/** keynote, podium, plenary, workshop (chosen at registration), carousel, break, other. */
		kind: z.enum(SESSION_KINDS, { error: 'Bitte wählen Sie die Art des Programmpunkts.' }),
		title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(2, 'Bitte geben Sie einen Titel an.').max(300, 'Bitte höchstens 300 Zeichen.'),
		description: optionalText(5000),
		startsAt: instant('Bitte geben Sie einen gültigen Beginn an.'),
		endsAt: instant('Bitte geben Sie ein gültiges Ende an.'),
		room: optionalText(200),
		/** Speakers or dialogue partners. */
		speakers: optionalText(1000),
		/** Places in this session; null: no own limit. */
		capacity: placesSchema('Plätze')
	})
	.superRefine(checkTimes);
export type AddSessionInput = z.input<typeof addSessionInput>;

/** Adds a programme item (coordinators). */
export async function addSession(conn: DbOrTx, actor: Actor, input: AddSessionInput): Promise<SessionRow> {
	requireEventAdmin(actor);
	const v = parseInput(addSessionInput, input);
	return conn.transaction(async (tx) => {
		const event = await lockEvent(tx, v.eventId);
		if (v.startsAt < event.startsAt || v.endsAt > event.endsAt)
			throw new DomainError('validation', 'Der Programmpunkt muss innerhalb der Veranstaltung liegen.', { startsAt: [`Die Veranstaltung dauert ${when(event)}.`] });
		const [row] = await tx
			.insert(eventSessions)
			.values({ ...v, description: v.description ?? null, room: v.room ?? null, speakers: v.speakers ?? null, capacity: v.capacity ?? null })
			.returning();
		await recordAudit(tx, actor, { action: 'event_session.created', objectType: 'event', objectId: v.eventId, changes: { sessionId: row.id, kind: row.kind, title: row.title } });
		return row;
	});
}

export const updateSessionInput = z.object({
	sessionId: idSchema('Ungültiger Programmpunkt.'),
	title: z.string().trim().min(2, 'Bitte geben Sie einen Titel an.').max(300).optional(),
	description: optionalText(5000),
	room: optionalText(200),
	speakers: optionalText(1000),
	capacity: placesSchema('Plätze')
});
export type UpdateSessionInput = z.input<typeof updateSessionInput>;

/** Changes a programme item; more places promote people from the session's waitlist. */
export async function updateSession(conn: DbOrTx, actor: Actor, input: UpdateSessionInput): Promise<SessionRow> {
	requireEventAdmin(actor);
	const v = parseInput(updateSessionInput, input);
	return conn.transaction(async (tx) => {
		const [s] = await tx.select().from(eventSessions).where(eq(eventSessions.id, v.sessionId));
		if (!s) throw notFound('Diesen Programmpunkt gibt es nicht.');
		const event = await lockEvent(tx, s.eventId);
		const { sessionId: _s, ...next } = v;
		const changes = diff(s, next);
		if (!Object.keys(changes).length) return s;
		const [after] = await tx.update(eventSessions).set(next).where(eq(eventSessions.id, s.id)).returning();
		await recordAudit(tx, actor, { action: 'event_session.updated', objectType: 'event', objectId: s.eventId, changes: { sessionId: s.id, ...changes } });
		if ('capacity' in changes) await fillSessions(tx, event, [after.id], new Set());
		return after;
	});
}

/** Removes a programme item; choices of it end (participants keep their event place). */
export async function deleteSession(conn: DbOrTx, actor: Actor, input: { sessionId: number }): Promise<void> {
	requireEventAdmin(actor);
	await conn.transaction(async (tx) => {
		const [s] = await tx.select().from(eventSessions).where(eq(eventSessions.id, input.sessionId));
		if (!s) throw notFound('Diesen Programmpunkt gibt es nicht.');
		await lockEvent(tx, s.eventId);
		await tx.delete(eventSessions).where(eq(eventSessions.id, s.id));
		await recordAudit(tx, actor, { action: 'event_session.deleted', objectType: 'event', objectId: s.eventId, changes: { sessionId: s.id, title: s.title } });
	});
}

// ---------------------------------------------------------------------------------------
// Lernkarussell

export const addStationInput = z.object({
	/** The carousel session. */
	sessionId: idSchema('Ungültiger Programmpunkt.'),
	/** The practice example. */
	title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(2, 'Bitte geben Sie einen Titel an.').max(300),
	/** Presenting member municipality (AGS). */
	areaAgs: z.preprocess((v) => (v === '' ? null : v), agsSchema.nullish()),
	/** Who presents. */
	presenter: optionalText(300),
	description: optionalText(3000),
	/** Places per round; null: no limit. */
	capacity: placesSchema('Plätze je Runde')
});
export type AddStationInput = z.input<typeof addStationInput>;

async function carouselSession(tx: DbOrTx, sessionId: number) {
	const [s] = await tx.select().from(eventSessions).where(eq(eventSessions.id, sessionId));
	if (!s) throw notFound('Diesen Programmpunkt gibt es nicht.');
	if (s.kind !== 'carousel') throw new DomainError('validation', 'Stationen und Runden gibt es nur beim Lernkarussell.', { sessionId: ['Bitte wählen Sie das Lernkarussell.'] });
	return s;
}

/** Adds a station (a member presenting a practice example) to a Lernkarussell. */
export async function addCarouselStation(conn: DbOrTx, actor: Actor, input: AddStationInput) {
	requireEventAdmin(actor);
	const v = parseInput(addStationInput, input);
	return conn.transaction(async (tx) => {
		const s = await carouselSession(tx, v.sessionId);
		await lockEvent(tx, s.eventId);
		if (v.areaAgs) await assertArea(tx, v.areaAgs, 'areaAgs');
		const [row] = await tx
			.insert(carouselStations)
			.values({ sessionId: s.id, title: v.title, areaAgs: v.areaAgs ?? null, presenter: v.presenter ?? null, description: v.description ?? null, capacity: v.capacity ?? null })
			.returning();
		await recordAudit(tx, actor, { action: 'carousel_station.created', objectType: 'event', objectId: s.eventId, changes: { stationId: row.id, title: row.title } });
		return row;
	});
}

export const addRoundInput = z
	.object({
		sessionId: idSchema('Ungültiger Programmpunkt.'),
		startsAt: instant('Bitte geben Sie einen gültigen Beginn an.'),
		endsAt: instant('Bitte geben Sie ein gültiges Ende an.')
	})
	.superRefine(checkTimes);
export type AddRoundInput = z.input<typeof addRoundInput>;

/** Adds the next rotation round to a Lernkarussell. */
export async function addCarouselRound(conn: DbOrTx, actor: Actor, input: AddRoundInput) {
	requireEventAdmin(actor);
	const v = parseInput(addRoundInput, input);
	return conn.transaction(async (tx) => {
		const s = await carouselSession(tx, v.sessionId);
		await lockEvent(tx, s.eventId);
		if (v.startsAt < s.startsAt || v.endsAt > s.endsAt) throw new DomainError('validation', 'Die Runde muss innerhalb des Lernkarussells liegen.', { startsAt: ['Die Runde muss innerhalb des Lernkarussells liegen.'] });
		const [{ n }] = await tx.select({ n: sql<number>`coalesce(max(${carouselRounds.number}), 0)::int` }).from(carouselRounds).where(eq(carouselRounds.sessionId, s.id));
		const [row] = await tx.insert(carouselRounds).values({ sessionId: s.id, number: n + 1, startsAt: v.startsAt, endsAt: v.endsAt }).returning();
		await recordAudit(tx, actor, { action: 'carousel_round.created', objectType: 'event', objectId: s.eventId, changes: { roundId: row.id, number: row.number } });
		return row;
	});
}

export const chooseStationsInput = z.object({
	/** The participant's registration. */
	registrationId: idSchema('Ungültige Anmeldung.'),
	/** Round id → station id; rounds left out keep their station (or stay open). */
	choices: z.record(z.string(), z.number().int().positive()),
	/** The secret from the confirmation mail, when not acting as coordinator or as the registered user. */
	token: z.string().max(200).optional()
});
export type ChooseStationsInput = z.input<typeof chooseStationsInput>;

/**
 * A participant chooses a station per round: each station once, only while it has room.
 * Allowed for the participant (token or own account) and coordinators.
 */
export async function chooseCarouselStations(conn: DbOrTx, actor: Actor, input: ChooseStationsInput): Promise<void> {
	const v = parseInput(chooseStationsInput, input);
	await conn.transaction(async (tx) => {
		const reg = await registrationFor(tx, actor, v.registrationId, v.token);
		await lockEvent(tx, reg.eventId);
		const [current] = await tx.select().from(registrations).where(eq(registrations.id, reg.id));
		if (current.status !== 'confirmed') throw new DomainError('conflict', 'Stationen wählen kann nur, wer einen bestätigten Platz hat.');
		const rounds = await tx
			.select({ id: carouselRounds.id, number: carouselRounds.number, sessionId: carouselRounds.sessionId })
			.from(carouselRounds)
			.innerJoin(eventSessions, eq(eventSessions.id, carouselRounds.sessionId))
			.where(eq(eventSessions.eventId, reg.eventId));
		const stations = await tx
			.select()
			.from(carouselStations)
			.innerJoin(eventSessions, eq(eventSessions.id, carouselStations.sessionId))
			.where(eq(eventSessions.eventId, reg.eventId));
		const existing = await tx.select().from(carouselAssignments).where(eq(carouselAssignments.registrationId, reg.id));
		const plan = new Map(existing.map((a) => [a.roundId, a.stationId]));
		const errors: Record<string, string[]> = {};
		for (const [roundKey, stationId] of Object.entries(v.choices)) {
			const round = rounds.find((r) => String(r.id) === roundKey);
			const station = stations.find((s) => s.carousel_stations.id === stationId)?.carousel_stations;
			if (!round) {
				errors[`choices.${roundKey}`] = ['Diese Runde gibt es bei dieser Veranstaltung nicht.'];
				continue;
			}
			if (!station || station.sessionId !== round.sessionId) {
				errors[`choices.${roundKey}`] = ['Diese Station gehört nicht zu diesem Lernkarussell.'];
				continue;
			}
			plan.set(round.id, stationId);
		}
		const seen = new Map<number, number>();
		for (const [roundId, stationId] of plan) {
			if (seen.has(stationId)) {
				const r = rounds.find((x) => x.id === roundId)!;
				errors[`choices.${roundId}`] = [`Jede Station nur einmal: Diese Station haben Sie schon in Runde ${rounds.find((x) => x.id === seen.get(stationId))?.number ?? '?'} gewählt (Runde ${r.number}).`];
			}
			seen.set(stationId, roundId);
		}
		for (const [roundKey, stationId] of Object.entries(v.choices)) {
			const roundId = Number(roundKey);
			if (errors[`choices.${roundKey}`] || existing.some((a) => a.roundId === roundId && a.stationId === stationId)) continue;
			const station = stations.find((s) => s.carousel_stations.id === stationId)!.carousel_stations;
			if (station.capacity != null) {
				const [{ n }] = await tx
					.select({ n: sql<number>`count(*)::int` })
					.from(carouselAssignments)
					.where(and(eq(carouselAssignments.roundId, roundId), eq(carouselAssignments.stationId, stationId), ne(carouselAssignments.registrationId, reg.id)));
				if (n >= station.capacity) errors[`choices.${roundKey}`] = [`Die Station „${station.title}“ ist in dieser Runde voll. Bitte wählen Sie eine andere.`];
			}
		}
		if (Object.keys(errors).length) throw new DomainError('validation', 'Bitte prüfen Sie Ihre Wahl der Stationen.', errors);
		await tx.delete(carouselAssignments).where(eq(carouselAssignments.registrationId, reg.id));
		if (plan.size)
			await tx.insert(carouselAssignments).values([...plan].map(([roundId, stationId]) => ({ registrationId: reg.id, roundId, stationId, chosen: true })));
		await recordAudit(tx, actor, { action: 'carousel.chosen', objectType: 'registration', objectId: reg.id, changes: { choices: Object.fromEntries(plan) } });
	});
}

/**
 * Assigns every confirmed participant without a station in a round to the least busy station
 * they have not visited yet (coordinators). Returns how many assignments it made.
 */
export async function autoAssignCarousel(conn: DbOrTx, actor: Actor, input: { sessionId: number }): Promise<number> {
	requireEventAdmin(actor);
	return conn.transaction(async (tx) => {
		const s = await carouselSession(tx, input.sessionId);
		await lockEvent(tx, s.eventId);
		const rounds = await tx.select().from(carouselRounds).where(eq(carouselRounds.sessionId, s.id)).orderBy(asc(carouselRounds.number));
		const stations = await tx.select().from(carouselStations).where(eq(carouselStations.sessionId, s.id)).orderBy(asc(carouselStations.id));
		if (!rounds.length || !stations.length) throw new DomainError('conflict', 'Das Lernkarussell braucht mindestens eine Station und eine Runde.');
		const regs = await tx
			.select({ id: registrations.id })
			.from(registrations)
			.where(and(eq(registrations.eventId, s.eventId), eq(registrations.status, 'confirmed')))
			.orderBy(asc(registrations.id));
		const existing = await tx
			.select()
			.from(carouselAssignments)
			.where(inArray(carouselAssignments.roundId, rounds.map((r) => r.id)));
		const load = new Map<string, number>();
		const visited = new Map<number, Set<number>>();
		const has = new Set<string>();
		for (const a of existing) {
			load.set(`${a.roundId}:${a.stationId}`, (load.get(`${a.roundId}:${a.stationId}`) ?? 0) + 1);
			(visited.get(a.registrationId) ?? visited.set(a.registrationId, new Set()).get(a.registrationId)!).add(a.stationId);
			has.add(`${a.registrationId}:${a.roundId}`);
		}
		const rows: (typeof carouselAssignments.$inferInsert)[] = [];
		for (const round of rounds) {
			for (const r of regs) {
				if (has.has(`${r.id}:${round.id}`)) continue;
				const seen = visited.get(r.id) ?? new Set<number>();
				const options = stations
					.filter((st) => !seen.has(st.id) && (st.capacity == null || (load.get(`${round.id}:${st.id}`) ?? 0) < st.capacity))
					.sort((a, b) => (load.get(`${round.id}:${a.id}`) ?? 0) - (load.get(`${round.id}:${b.id}`) ?? 0) || a.id - b.id);
				const pick = options[0];
				if (!pick) continue;
				rows.push({ registrationId: r.id, roundId: round.id, stationId: pick.id, chosen: false });
				load.set(`${round.id}:${pick.id}`, (load.get(`${round.id}:${pick.id}`) ?? 0) + 1);
				seen.add(pick.id);
				visited.set(r.id, seen);
			}
		}
		for (let i = 0; i < rows.length; i += 1000) await tx.insert(carouselAssignments).values(rows.slice(i, i + 1000));
		await recordAudit(tx, actor, { action: 'carousel.auto_assigned', objectType: 'event', objectId: s.eventId, changes: { sessionId: s.id, assignments: rows.length } });
		return rows.length;
	});
}

// ---------------------------------------------------------------------------------------
// Registration

const consent = z
	.union([z.boolean(), z.literal('on'), z.literal('true'), z.literal('false'), z.literal('')])
	.optional()
	.transform((v) => v === true || v === 'on' || v === 'true');

export const registerInput = z.object({
	/** The event. */
	eventId: idSchema('Ungültige Veranstaltung.'),
	/** Full name for lists and badges. */
	name: z.string({ error: 'Bitte geben Sie Ihren Namen an.' }).trim().min(2, 'Bitte geben Sie Ihren Namen an.').max(200, 'Bitte höchstens 200 Zeichen.'),
	/** Address for the confirmation; one active registration per address and event. */
	email: emailSchema,
	/** Administration or organisation. */
	organisation: optionalText(200),
	/** Member municipality (area AGS); counts against the per-municipality limit. */
	areaAgs: z.preprocess((v) => (v === '' ? null : v), agsSchema.nullish()),
	/** Function or office. */
	position: optionalText(200),
	accessibilityNeeds: optionalText(1000),
	dietaryNeeds: optionalText(500),
	/** Agrees to being photographed for the documentation. */
	photoConsent: consent,
	/** Agrees to appear on the participant list. */
	listConsent: consent,
	/** Chosen programme items: parallel workshops, at most one per time slot. */
	sessionIds: z.array(idSchema('Ungültiger Programmpunkt.')).max(30, 'Zu viele Programmpunkte.').default([])
});
export type RegisterInput = z.input<typeof registerInput>;

export interface RegistrationResult {
	id: number;
	status: 'confirmed' | 'waitlisted';
	sessions: { sessionId: number; status: Status }[];
	/** The secret for the participant's link; returned once, stored only as hash. */
	cancelToken: string;
	/** Why the registration is on the waitlist, in German. */
	reason?: string;
}

/** Whether a registration is possible now, and if not, why (German). */
export function registrationWindow(e: Pick<EventRow, 'status' | 'registrationOpensAt' | 'registrationClosesAt' | 'startsAt'>, now = new Date()): { open: boolean; message?: string } {
	if (e.status === 'cancelled') return { open: false, message: 'Diese Veranstaltung ist abgesagt.' };
	if (e.registrationOpensAt && now < e.registrationOpensAt)
		return { open: false, message: `Die Anmeldung beginnt am ${fmt(e.registrationOpensAt)}.` };
	const closes = e.registrationClosesAt ?? e.startsAt;
	if (now >= closes) return { open: false, message: `Die Anmeldung ist seit ${fmt(closes)} geschlossen.` };
	return { open: true };
}

function fmt(d: Date): string {
	return new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(d) + ' Uhr';
}

/** Whether the actor may register for an event of this audience (coordinators always). */
export function mayRegister(audience: EventRow['audience'], actor: Actor): boolean {
	if (audience === 'public' || isEventAdmin(actor)) return true;
	if (audience === 'members') return actor.role === 'member_contact';
	return actor.role === 'member_contact' || actor.role === 'partner';
}

function audienceError(audience: EventRow['audience'], actor: Actor): DomainError {
	const who = audience === 'members' ? 'kommunale Ansprechpersonen der Mitgliedskommunen' : 'Mitgliedskommunen und lokale Partner';
	if (!actor.userId) return new DomainError('unauthorized', `Diese Veranstaltung ist nur für ${who}. Bitte melden Sie sich an.`);
	return forbidden(`Diese Veranstaltung ist nur für ${who}.`);
}

/** Overlap of two time ranges (touching ends do not overlap). */
function overlaps(a: { startsAt: Date; endsAt: Date }, b: { startsAt: Date; endsAt: Date }): boolean {
	return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

function asMailEvent(e: EventRow) {
	return e;
}

function icsAttachment(e: EventRow) {
	return [{ filename: 'veranstaltung.ics', contentType: 'text/calendar; charset=utf-8; method=PUBLISH', content: icsCalendar([e]) }];
}

/**
 * Registers a person for an event, with their choice of parallel workshops. Confirmed while
 * places are left (event, municipality, session), else on the waitlist in order of arrival.
 * Mails the confirmation (with .ics) or the waitlist notice.
 */
export async function register(conn: DbOrTx, actor: Actor, input: RegisterInput): Promise<RegistrationResult> {
	const v = parseInput(registerInput, input);
	const sessionIds = [...new Set(v.sessionIds)];
	const token = newSecret();
	return conn.transaction(async (tx) => {
		// Everything that does not depend on the places left is checked before the lock, so that
		// the lock is held as briefly as possible while many people register at once.
		const [unlocked] = await tx.select().from(events).where(eq(events.id, v.eventId));
		if (!unlocked) throw notFound('Diese Veranstaltung gibt es nicht.');
		checkRegistrationAllowed(unlocked, actor);
		let areaAgs = v.areaAgs ?? null;
		if (!areaAgs && actor.role === 'member_contact' && actor.areaAgs && v.areaAgs === undefined) areaAgs = actor.areaAgs;
		if (areaAgs) await assertArea(tx, areaAgs, 'areaAgs');

		// Session choice: only choosable workshops of this event, at most one per time slot.
		const sessions = sessionIds.length
			? await tx.select().from(eventSessions).where(and(eq(eventSessions.eventId, v.eventId), inArray(eventSessions.id, sessionIds)))
			: [];
		const errors: string[] = [];
		for (const id of sessionIds) {
			const s = sessions.find((x) => x.id === id);
			if (!s) errors.push(`Den Programmpunkt ${id} gibt es bei dieser Veranstaltung nicht.`);
			else if (s.kind !== 'workshop') errors.push(`„${s.title}“ ist kein Workshop zur Wahl; daran nehmen alle teil.`);
		}
		for (let i = 0; i < sessions.length; i++)
			for (let j = i + 1; j < sessions.length; j++)
				if (overlaps(sessions[i], sessions[j]))
					errors.push(`„${sessions[i].title}“ und „${sessions[j].title}“ finden gleichzeitig statt. Bitte wählen Sie einen Workshop je Zeitfenster.`);
		if (errors.length) throw new DomainError('validation', errors[0], { sessionIds: errors });
		sessions.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());

		// From here on one registration per event at a time. The counts are a statement of their
		// own after the lock: only a new statement sees what the previous holder committed.
		const event = await lockEvent(tx, v.eventId);
		checkRegistrationAllowed(event, actor);
		const ids = sessions.map((s) => s.id);
		const counts = await tx.execute<{ confirmed: number; waitlisted: number; area: number; dup: number; sessions: Record<string, number> | null }>(sql`
			select
			  count(*) filter (where status = 'confirmed')::int as confirmed,
			  count(*) filter (where status = 'waitlisted')::int as waitlisted,
			  count(*) filter (where status = 'confirmed' and area_ags = ${areaAgs})::int as area,
			  count(*) filter (where lower(email) = lower(${v.email}))::int as dup,
			  (select jsonb_object_agg(x.session_id, x.n) from (
			     select session_id, count(*)::int as n from event_registration_sessions
			      where status = 'confirmed' and session_id = any(${`{${ids.join(',')}}`}::int[]) group by session_id) x) as sessions
			from event_registrations where event_id = ${event.id} and status <> 'cancelled'`);
		const c = counts.rows[0];
		if (Number(c.dup) > 0)
			throw new DomainError('conflict', `Mit der Adresse ${v.email} besteht bereits eine Anmeldung zu dieser Veranstaltung. Den Link dazu finden Sie in Ihrer Bestätigungsmail.`, {
				email: ['Mit dieser Adresse besteht bereits eine Anmeldung.']
			});
		let reason: string | undefined;
		if (event.capacity != null && Number(c.confirmed) >= event.capacity) reason = 'Die Veranstaltung ist ausgebucht.';
		else if (event.perAreaLimit != null && areaAgs && Number(c.area) >= event.perAreaLimit) reason = `Für Ihre Kommune sind bereits alle ${event.perAreaLimit} Plätze vergeben.`;
		const status: 'confirmed' | 'waitlisted' = reason ? 'waitlisted' : 'confirmed';
		const ask = new Set<RegistrationField>(event.askFields as RegistrationField[]);
		const [reg] = await tx
			.insert(registrations)
			.values({
				eventId: event.id,
				userId: actor.userId && !isEventAdmin(actor) ? actor.userId : null,
				name: v.name,
				email: v.email,
				organisation: v.organisation ?? null,
				areaAgs,
				position: v.position ?? null,
				accessibilityNeeds: ask.has('accessibility') ? (v.accessibilityNeeds ?? null) : null,
				dietaryNeeds: ask.has('dietary') ? (v.dietaryNeeds ?? null) : null,
				photoConsent: v.photoConsent,
				listConsent: v.listConsent,
				status,
				cancelTokenHash: sha256(token)
			})
			.returning();

		const out: { sessionId: number; status: Status }[] = sessions.map((s) => {
			const taken = Number(c.sessions?.[String(s.id)] ?? 0);
			return { sessionId: s.id, status: status === 'confirmed' && (s.capacity == null || taken < s.capacity) ? 'confirmed' : 'waitlisted' };
		});
		if (out.length) await tx.insert(registrationSessions).values(out.map((o) => ({ registrationId: reg.id, sessionId: o.sessionId, status: o.status })));
		const mailSessions: MailSession[] = out.map((o) => ({ ...sessions.find((s) => s.id === o.sessionId)!, status: o.status }));
		if (status === 'confirmed') {
			await enqueueMail(tx, { to: reg.email, toName: reg.name, template: 'event_confirmation', ...confirmationMail(asMailEvent(event), reg.name, mailSessions, token), attachments: icsAttachment(event) });
		} else {
			await enqueueMail(tx, { to: reg.email, toName: reg.name, template: 'event_waitlist', ...waitlistMail(event, reg.name, Number(c.waitlisted) + 1, reason!, token) });
		}
		await recordAudit(tx, actor, {
			action: 'registration.created',
			objectType: 'registration',
			objectId: reg.id,
			changes: { eventId: event.id, email: reg.email, status, sessions: out }
		});
		return { id: reg.id, status, sessions: out, cancelToken: token, reason };
	});
}

function checkRegistrationAllowed(event: EventRow, actor: Actor): void {
	const window = registrationWindow(event);
	if (!window.open) throw new DomainError('conflict', window.message!);
	if (!mayRegister(event.audience, actor)) throw audienceError(event.audience, actor);
}

/**
 * Fills free event places from the waitlist in order of arrival (skipping people whose
 * municipality has used up its places), then free session places. Mails everybody promoted.
 * The caller holds the event's lock.
 */
async function fillEvent(tx: Tx | DbOrTx, actor: Actor, event: EventRow): Promise<number[]> {
	if (event.status === 'cancelled') return [];
	const active = await tx
		.select({ id: registrations.id, status: registrations.status, areaAgs: registrations.areaAgs })
		.from(registrations)
		.where(and(eq(registrations.eventId, event.id), ne(registrations.status, 'cancelled')))
		.orderBy(asc(registrations.id));
	let confirmed = active.filter((r) => r.status === 'confirmed').length;
	const perArea = new Map<string, number>();
	for (const r of active) if (r.status === 'confirmed' && r.areaAgs) perArea.set(r.areaAgs, (perArea.get(r.areaAgs) ?? 0) + 1);
	const promoted: number[] = [];
	for (const r of active) {
		if (r.status !== 'waitlisted') continue;
		if (event.capacity != null && confirmed >= event.capacity) break;
		if (event.perAreaLimit != null && r.areaAgs && (perArea.get(r.areaAgs) ?? 0) >= event.perAreaLimit) continue;
		promoted.push(r.id);
		confirmed++;
		if (r.areaAgs) perArea.set(r.areaAgs, (perArea.get(r.areaAgs) ?? 0) + 1);
	}
	if (promoted.length) await tx.update(registrations).set({ status: 'confirmed', promotedAt: new Date() }).where(inArray(registrations.id, promoted));
	const sessions = await tx.select({ id: eventSessions.id }).from(eventSessions).where(eq(eventSessions.eventId, event.id));
	await fillSessions(
		tx,
		event,
		sessions.map((s) => s.id),
		new Set(promoted)
	);
	for (const id of promoted) {
		// A new secret: the waitlist mail's link stays valid only until this mail replaces it.
		const token = newSecret();
		const [reg] = await tx.update(registrations).set({ cancelTokenHash: sha256(token) }).where(eq(registrations.id, id)).returning();
		const mine = await tx
			.select({ title: eventSessions.title, startsAt: eventSessions.startsAt, status: registrationSessions.status })
			.from(registrationSessions)
			.innerJoin(eventSessions, eq(eventSessions.id, registrationSessions.sessionId))
			.where(eq(registrationSessions.registrationId, id));
		await enqueueMail(tx, { to: reg.email, toName: reg.name, template: 'event_promotion', ...promotionMail(event, reg.name, mine, token), attachments: icsAttachment(event) });
		await recordAudit(tx, actor, { action: 'registration.promoted', objectType: 'registration', objectId: id, changes: { eventId: event.id, status: ['waitlisted', 'confirmed'] } });
	}
	return promoted;
}

/**
 * Fills free places of sessions from their waitlists (confirmed participants only, in order of
 * arrival). People in `quiet` get one mail from the caller instead of one per session.
 */
async function fillSessions(tx: Tx | DbOrTx, event: EventRow, sessionIds: number[], quiet: Set<number>): Promise<void> {
	for (const sessionId of sessionIds) {
		const [s] = await tx.select().from(eventSessions).where(eq(eventSessions.id, sessionId));
		if (!s) continue;
		let free = Number.MAX_SAFE_INTEGER;
		if (s.capacity != null) {
			const [{ n }] = await tx
				.select({ n: sql<number>`count(*)::int` })
				.from(registrationSessions)
				.where(and(eq(registrationSessions.sessionId, s.id), eq(registrationSessions.status, 'confirmed')));
			free = s.capacity - n;
		}
		if (free <= 0) continue;
		const waiting = await tx
			.select({ registrationId: registrationSessions.registrationId, name: registrations.name, email: registrations.email })
			.from(registrationSessions)
			.innerJoin(registrations, eq(registrations.id, registrationSessions.registrationId))
			.where(and(eq(registrationSessions.sessionId, s.id), eq(registrationSessions.status, 'waitlisted'), eq(registrations.status, 'confirmed')))
			.orderBy(asc(registrationSessions.id))
			.limit(Math.min(free, 100_000));
		if (!waiting.length) continue;
		await tx
			.update(registrationSessions)
			.set({ status: 'confirmed' })
			.where(
				and(
					eq(registrationSessions.sessionId, s.id),
					inArray(
						registrationSessions.registrationId,
						waiting.map((w) => w.registrationId)
					)
				)
			);
		for (const w of waiting) {
			if (quiet.has(w.registrationId)) continue;
			await enqueueMail(tx, { to: w.email, toName: w.name, template: 'event_session_promotion', ...sessionPromotionMail(event, w.name, s.title) });
		}
	}
}

/** The registration an actor may act on: coordinators any, others with the token or their own. */
async function registrationFor(tx: DbOrTx, actor: Actor, registrationId: number | undefined, token: string | undefined): Promise<RegistrationRow> {
	if (token) {
		const reg = await registrationByToken(tx, token);
		if (!reg || (registrationId !== undefined && reg.id !== registrationId))
			throw new DomainError('forbidden', 'Der Link ist ungültig. Bitte nutzen Sie den Link aus Ihrer letzten Mail zu dieser Anmeldung.');
		return reg;
	}
	if (registrationId === undefined) throw notFound('Diese Anmeldung gibt es nicht.');
	const [reg] = await tx.select().from(registrations).where(eq(registrations.id, registrationId));
	if (!reg) throw notFound('Diese Anmeldung gibt es nicht.');
	if (isEventAdmin(actor) || (actor.userId && reg.userId === actor.userId)) return reg;
	if (!actor.userId) throw new DomainError('unauthorized', 'Bitte melden Sie sich an oder nutzen Sie den Link aus Ihrer Bestätigungsmail.');
	throw forbidden('Das ist nicht Ihre Anmeldung.');
}

/** Link secrets are base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export async function registrationByToken(conn: DbOrTx, token: string): Promise<RegistrationRow | undefined> {
	if (!TOKEN_SHAPE.test(token)) return undefined;
	const [reg] = await conn.select().from(registrations).where(eq(registrations.cancelTokenHash, sha256(token)));
	return reg;
}

export const cancelRegistrationInput = z.object({
	/** The registration. */
	registrationId: idSchema('Ungültige Anmeldung.').optional(),
	/** The secret from the participant's mail (not needed by coordinators or the registered user). */
	token: z.string().max(200, 'Der Link ist ungültig.').optional()
});
export type CancelRegistrationInput = z.input<typeof cancelRegistrationInput>;

/**
 * Cancels a registration (by the participant's link, the participant's account or a
 * coordinator). The freed place goes to the next person on the waitlist at once. Cancelling
 * twice changes nothing.
 */
export async function cancelRegistration(conn: DbOrTx, actor: Actor, input: CancelRegistrationInput): Promise<{ id: number; status: Status; promoted: number[] }> {
	const v = parseInput(cancelRegistrationInput, input);
	return conn.transaction(async (tx) => {
		const found = await registrationFor(tx, actor, v.registrationId, v.token);
		const event = await lockEvent(tx, found.eventId);
		const [reg] = await tx.select().from(registrations).where(eq(registrations.id, found.id));
		if (reg.status === 'cancelled') return { id: reg.id, status: reg.status, promoted: [] };
		if (event.endsAt.getTime() < Date.now() && !isEventAdmin(actor)) throw new DomainError('conflict', 'Die Veranstaltung ist vorbei; eine Absage ist nicht mehr möglich.');
		await tx.update(registrations).set({ status: 'cancelled', cancelledAt: new Date() }).where(eq(registrations.id, reg.id));
		const freed = await tx
			.update(registrationSessions)
			.set({ status: 'cancelled' })
			.where(and(eq(registrationSessions.registrationId, reg.id), ne(registrationSessions.status, 'cancelled')))
			.returning({ sessionId: registrationSessions.sessionId, status: registrationSessions.status });
		await tx.delete(carouselAssignments).where(eq(carouselAssignments.registrationId, reg.id));
		const byCoordinator = !v.token && isEventAdmin(actor);
		await enqueueMail(tx, { to: reg.email, toName: reg.name, template: 'event_cancellation', ...cancellationMail(event, reg.name, byCoordinator) });
		await recordAudit(tx, actor, { action: 'registration.cancelled', objectType: 'registration', objectId: reg.id, changes: { eventId: event.id, status: [reg.status, 'cancelled'] } });
		let promoted: number[] = [];
		if (reg.status === 'confirmed') {
			promoted = await fillEvent(tx, actor, event);
			if (!promoted.length && freed.length) await fillSessions(tx, event, freed.map((f) => f.sessionId), new Set());
		}
		return { id: reg.id, status: 'cancelled' as const, promoted };
	});
}

export const changeSessionsInput = z.object({
	registrationId: idSchema('Ungültige Anmeldung.'),
	/** The new choice of workshops (replaces the old one). */
	sessionIds: z.array(idSchema('Ungültiger Programmpunkt.')).max(30),
	token: z.string().max(200).optional()
});

/** Changes the choice of workshops of a confirmed registration; freed places go to the session waitlists. */
export async function changeSessions(conn: DbOrTx, actor: Actor, input: z.input<typeof changeSessionsInput>): Promise<{ sessionId: number; status: Status }[]> {
	const v = parseInput(changeSessionsInput, input);
	return conn.transaction(async (tx) => {
		const found = await registrationFor(tx, actor, v.registrationId, v.token);
		const event = await lockEvent(tx, found.eventId);
		const [reg] = await tx.select().from(registrations).where(eq(registrations.id, found.id));
		if (reg.status === 'cancelled') throw new DomainError('conflict', 'Diese Anmeldung ist abgesagt.');
		const ids = [...new Set(v.sessionIds)];
		const sessions = ids.length ? await tx.select().from(eventSessions).where(and(eq(eventSessions.eventId, event.id), inArray(eventSessions.id, ids))) : [];
		const errors: string[] = [];
		for (const id of ids) {
			const s = sessions.find((x) => x.id === id);
			if (!s || s.kind !== 'workshop') errors.push('Bitte wählen Sie nur Workshops dieser Veranstaltung.');
		}
		for (let i = 0; i < sessions.length; i++)
			for (let j = i + 1; j < sessions.length; j++)
				if (overlaps(sessions[i], sessions[j])) errors.push(`„${sessions[i].title}“ und „${sessions[j].title}“ finden gleichzeitig statt. Bitte wählen Sie einen Workshop je Zeitfenster.`);
		if (errors.length) throw new DomainError('validation', errors[0], { sessionIds: errors });
		const current = await tx.select().from(registrationSessions).where(and(eq(registrationSessions.registrationId, reg.id), ne(registrationSessions.status, 'cancelled')));
		const dropped = current.filter((c) => !ids.includes(c.sessionId));
		if (dropped.length)
			await tx.delete(registrationSessions).where(and(eq(registrationSessions.registrationId, reg.id), inArray(registrationSessions.sessionId, dropped.map((d) => d.sessionId))));
		for (const s of sessions) {
			if (current.some((c) => c.sessionId === s.id)) continue;
			await tx.delete(registrationSessions).where(and(eq(registrationSessions.registrationId, reg.id), eq(registrationSessions.sessionId, s.id)));
			let st: Status = 'waitlisted';
			if (reg.status === 'confirmed') {
				const [{ n }] = await tx
					.select({ n: sql<number>`count(*)::int` })
					.from(registrationSessions)
					.where(and(eq(registrationSessions.sessionId, s.id), eq(registrationSessions.status, 'confirmed')));
				st = s.capacity == null || n < s.capacity ? 'confirmed' : 'waitlisted';
			}
			await tx.insert(registrationSessions).values({ registrationId: reg.id, sessionId: s.id, status: st });
		}
		await fillSessions(tx, event, dropped.filter((d) => d.status === 'confirmed').map((d) => d.sessionId), new Set());
		await recordAudit(tx, actor, { action: 'registration.sessions_changed', objectType: 'registration', objectId: reg.id, changes: { sessionIds: [current.map((c) => c.sessionId), ids] } });
		const now = await tx.select({ sessionId: registrationSessions.sessionId, status: registrationSessions.status }).from(registrationSessions).where(eq(registrationSessions.registrationId, reg.id));
		return now;
	});
}

/** Marks a confirmed participant as present at the door (or undoes it). Coordinators. */
export async function checkIn(conn: DbOrTx, actor: Actor, input: { registrationId: number; present?: boolean }): Promise<RegistrationRow> {
	requireEventAdmin(actor);
	const v = parseInput(z.object({ registrationId: idSchema('Ungültige Anmeldung.'), present: z.boolean().default(true) }), input);
	return conn.transaction(async (tx) => {
		const [reg] = await tx.select().from(registrations).where(eq(registrations.id, v.registrationId)).for('update');
		if (!reg) throw notFound('Diese Anmeldung gibt es nicht.');
		if (v.present && reg.status !== 'confirmed') throw new DomainError('conflict', `${reg.name} hat keinen bestätigten Platz (${reg.status === 'waitlisted' ? 'Warteliste' : 'abgesagt'}).`);
		if (!!reg.checkedInAt === v.present) return reg;
		const [after] = await tx
			.update(registrations)
			.set({ checkedInAt: v.present ? new Date() : null })
			.where(eq(registrations.id, reg.id))
			.returning();
		await recordAudit(tx, actor, { action: v.present ? 'registration.checked_in' : 'registration.check_in_undone', objectType: 'registration', objectId: reg.id, changes: { eventId: reg.eventId } });
		return after;
	});
}

export const messageInput = z.object({
	eventId: idSchema('Ungültige Veranstaltung.'),
	subject: z.string({ error: 'Bitte geben Sie einen Betreff an.' }).trim().min(3, 'Bitte geben Sie einen Betreff an.').max(150, 'Bitte höchstens 150 Zeichen.'),
	body: z.string({ error: 'Bitte schreiben Sie eine Nachricht.' }).trim().min(10, 'Bitte schreiben Sie eine Nachricht (mindestens 10 Zeichen).').max(10_000, 'Bitte höchstens 10.000 Zeichen.'),
	/** Also to people on the waitlist. */
	includeWaitlist: z.boolean().default(false)
});
export type MessageInput = z.input<typeof messageInput>;

/** Mails a message to all confirmed participants (and the waitlist, if asked). Returns the number of mails. */
export async function messageParticipants(conn: DbOrTx, actor: Actor, input: MessageInput): Promise<number> {
	requireEventAdmin(actor);
	const v = parseInput(messageInput, input);
	return conn.transaction(async (tx) => {
		const [event] = await tx.select().from(events).where(eq(events.id, v.eventId));
		if (!event) throw notFound('Diese Veranstaltung gibt es nicht.');
		const regs = await tx
			.select()
			.from(registrations)
			.where(and(eq(registrations.eventId, event.id), v.includeWaitlist ? ne(registrations.status, 'cancelled') : eq(registrations.status, 'confirmed')));
		for (const r of regs) await enqueueMail(tx, { to: r.email, toName: r.name, template: 'event_message', ...messageMail(event, r.name, v.subject, v.body) });
		await recordAudit(tx, actor, { action: 'event.message_sent', objectType: 'event', objectId: event.id, changes: { subject: v.subject, recipients: regs.length } });
		return regs.length;
	});
}

// ---------------------------------------------------------------------------------------
// Reminder job

/** Job `events.reminder`: mails confirmed participants who have no reminder yet. Idempotent. */
export function eventJobHandlers(conn: () => DbOrTx): Record<string, JobHandler> {
	return {
		'events.reminder': async (payload) => {
			const eventId = Number(payload.eventId);
			if (!Number.isSafeInteger(eventId)) return;
			await conn().transaction(async (tx) => {
				const [event] = await tx.select().from(events).where(eq(events.id, eventId));
				// A moved or cancelled event has its own (or no) reminder.
				if (!event || event.status === 'cancelled' || event.startsAt.toISOString() !== payload.startsAt) return;
				const regs = await tx
					.select()
					.from(registrations)
					.where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'confirmed'), isNull(registrations.remindedAt)))
					.for('update', { skipLocked: true });
				for (const r of regs) {
					const mine = await tx
						.select({ title: eventSessions.title, startsAt: eventSessions.startsAt, status: registrationSessions.status })
						.from(registrationSessions)
						.innerJoin(eventSessions, eq(eventSessions.id, registrationSessions.sessionId))
						.where(eq(registrationSessions.registrationId, r.id));
					await enqueueMail(tx, { to: r.email, toName: r.name, template: 'event_reminder', ...reminderMail(event, r.name, mine) });
				}
				if (regs.length)
					await tx
						.update(registrations)
						.set({ remindedAt: new Date() })
						.where(inArray(registrations.id, regs.map((r) => r.id)));
			});
		}
	};
}

// ---------------------------------------------------------------------------------------
// After the event: documentation, feedback, quotes

export const documentationInput = z.object({
	eventId: idSchema('Ungültige Veranstaltung.'),
	/** Protocol and results (markdown). */
	documentation: optionalText(100_000),
	/** Show it on the public event page. */
	publish: z.boolean()
});

/** Saves the documentation and publishes or withdraws it (coordinators). */
export async function saveDocumentation(conn: DbOrTx, actor: Actor, input: z.input<typeof documentationInput>): Promise<EventRow> {
	requireEventAdmin(actor);
	const v = parseInput(documentationInput, input);
	return conn.transaction(async (tx) => {
		const before = await lockEvent(tx, v.eventId);
		const publishedAt = v.publish ? (before.documentationPublishedAt ?? new Date()) : null;
		const [after] = await tx
			.update(events)
			.set({ documentation: v.documentation ?? null, documentationPublishedAt: publishedAt, updatedAt: new Date() })
			.where(eq(events.id, before.id))
			.returning();
		await recordAudit(tx, actor, { action: 'event.documentation_saved', objectType: 'event', objectId: before.id, changes: { published: [!!before.documentationPublishedAt, !!publishedAt] } });
		return after;
	});
}

/** Opens or closes the feedback form (coordinators). */
export async function setFeedbackOpen(conn: DbOrTx, actor: Actor, input: { eventId: number; open: boolean }): Promise<void> {
	requireEventAdmin(actor);
	await conn.transaction(async (tx) => {
		const e = await lockEvent(tx, input.eventId);
		if (e.feedbackOpen === input.open) return;
		await tx.update(events).set({ feedbackOpen: input.open, updatedAt: new Date() }).where(eq(events.id, e.id));
		await recordAudit(tx, actor, { action: input.open ? 'event.feedback_opened' : 'event.feedback_closed', objectType: 'event', objectId: e.id });
	});
}

export const feedbackInput = z.object({
	registrationId: idSchema('Ungültige Anmeldung.').optional(),
	token: z.string().max(200).optional(),
	/** 1 (poor) … 5 (very good). */
	rating: z.number({ error: 'Bitte wählen Sie eine Bewertung von 1 bis 5.' }).int().min(1, 'Bitte wählen Sie eine Bewertung von 1 bis 5.').max(5, 'Bitte wählen Sie eine Bewertung von 1 bis 5.'),
	/** What was good, what could be better. */
	text: optionalText(5000),
	/** The text may be quoted without name. */
	quoteConsent: consent
});
export type FeedbackInput = z.input<typeof feedbackInput>;

/** A participant's feedback after the event (once; sending again replaces it). */
export async function submitFeedback(conn: DbOrTx, actor: Actor, input: FeedbackInput) {
	const v = parseInput(feedbackInput, input);
	return conn.transaction(async (tx) => {
		const reg = await registrationFor(tx, actor, v.registrationId, v.token);
		const [event] = await tx.select().from(events).where(eq(events.id, reg.eventId));
		if (!event.feedbackOpen) throw new DomainError('conflict', 'Die Rückmeldung zu dieser Veranstaltung ist nicht geöffnet.');
		if (reg.status !== 'confirmed') throw new DomainError('forbidden', 'Rückmeldungen geben Teilnehmende mit bestätigtem Platz.');
		const values = { eventId: event.id, registrationId: reg.id, rating: v.rating, text: v.text ?? null, quoteConsent: v.quoteConsent };
		const [row] = await tx
			.insert(eventFeedback)
			.values(values)
			.onConflictDoUpdate({ target: eventFeedback.registrationId, set: { rating: v.rating, text: v.text ?? null, quoteConsent: v.quoteConsent, publishedAt: sql`case when ${v.quoteConsent} then ${eventFeedback.publishedAt} end` } })
			.returning();
		await recordAudit(tx, actor, { action: 'event.feedback_submitted', objectType: 'event', objectId: event.id, changes: { rating: v.rating } });
		return row;
	});
}

/** Publishes a feedback text as a quote on the event page, or withdraws it (coordinators; only with consent). */
export async function publishQuote(conn: DbOrTx, actor: Actor, input: { feedbackId: number; publish: boolean }): Promise<void> {
	requireEventAdmin(actor);
	await conn.transaction(async (tx) => {
		const [f] = await tx.select().from(eventFeedback).where(eq(eventFeedback.id, input.feedbackId));
		if (!f) throw notFound('Diese Rückmeldung gibt es nicht.');
		if (input.publish && (!f.quoteConsent || !f.text)) throw new DomainError('conflict', 'Diese Rückmeldung darf nicht zitiert werden (keine Einwilligung oder kein Text).');
		await tx.update(eventFeedback).set({ publishedAt: input.publish ? (f.publishedAt ?? new Date()) : null }).where(eq(eventFeedback.id, f.id));
		await recordAudit(tx, actor, { action: input.publish ? 'event.quote_published' : 'event.quote_withdrawn', objectType: 'event', objectId: f.eventId, changes: { feedbackId: f.id } });
	});
}

// ---------------------------------------------------------------------------------------
// Queries

export interface EventFilter {
	kind?: EventRow['kind'];
	year?: number;
	/** upcoming: not yet ended; past: ended. */
	when?: 'upcoming' | 'past';
	q?: string;
	limit?: number;
	offset?: number;
}

// Qualified by hand: Drizzle may render a column without its table, which inside the subquery
// would name the subquery's own column.
const countsSql = {
	confirmed: sql<number>`(select count(*)::int from event_registrations r where r.event_id = "events"."id" and r.status = 'confirmed')`,
	waitlisted: sql<number>`(select count(*)::int from event_registrations r where r.event_id = "events"."id" and r.status = 'waitlisted')`
};

export async function listEvents(conn: DbOrTx, f: EventFilter = {}) {
	const where: SQL[] = [];
	if (f.kind) where.push(eq(events.kind, f.kind));
	if (f.year) where.push(sql`extract(year from ${events.startsAt} at time zone 'Europe/Berlin') = ${f.year}`);
	if (f.when === 'upcoming') where.push(gte(events.endsAt, new Date()));
	if (f.when === 'past') where.push(lt(events.endsAt, new Date()));
	if (f.q?.trim()) {
		const like = `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%`;
		where.push(or(ilike(events.title, like), ilike(events.summary, like), ilike(events.venue, like))!);
	}
	const cond = where.length ? and(...where) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({ event: events, ...countsSql })
			.from(events)
			.where(cond)
			.orderBy(f.when === 'past' ? desc(events.startsAt) : asc(events.startsAt), asc(events.id))
			.limit(f.limit ?? 50)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(events).where(cond)
	]);
	return { items: items.map((i) => ({ ...i.event, confirmed: i.confirmed, waitlisted: i.waitlisted })), total };
}

/** Years with events, newest first (for the filter). */
export async function eventYears(conn: DbOrTx): Promise<number[]> {
	const rows = await conn.execute<{ y: number }>(sql`select distinct extract(year from starts_at at time zone 'Europe/Berlin')::int as y from events order by 1 desc`);
	return rows.rows.map((r) => Number(r.y));
}

export async function getEvent(conn: DbOrTx, id: number) {
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return undefined;
	const [row] = await conn
		.select({ event: events, ...countsSql })
		.from(events)
		.where(eq(events.id, id));
	if (!row) return undefined;
	const sessions = await conn
		.select({
			session: eventSessions,
			confirmed: sql<number>`(select count(*)::int from event_registration_sessions rs where rs.session_id = "event_sessions"."id" and rs.status = 'confirmed')`,
			waitlisted: sql<number>`(select count(*)::int from event_registration_sessions rs where rs.session_id = "event_sessions"."id" and rs.status = 'waitlisted')`
		})
		.from(eventSessions)
		.where(eq(eventSessions.eventId, id))
		.orderBy(asc(eventSessions.startsAt), asc(eventSessions.id));
	const sessionIds = sessions.map((s) => s.session.id);
	const stations = sessionIds.length
		? await conn
				.select({ station: carouselStations, areaName: areas.name })
				.from(carouselStations)
				.leftJoin(areas, eq(areas.ags, carouselStations.areaAgs))
				.where(inArray(carouselStations.sessionId, sessionIds))
				.orderBy(asc(carouselStations.id))
		: [];
	const rounds = sessionIds.length ? await conn.select().from(carouselRounds).where(inArray(carouselRounds.sessionId, sessionIds)).orderBy(asc(carouselRounds.number)) : [];
	const files = await conn.select().from(eventFiles).where(eq(eventFiles.eventId, id)).orderBy(asc(eventFiles.id));
	return {
		...row.event,
		confirmed: row.confirmed,
		waitlisted: row.waitlisted,
		sessions: sessions.map((s) => ({
			...s.session,
			confirmed: s.confirmed,
			waitlisted: s.waitlisted,
			stations: stations.filter((x) => x.station.sessionId === s.session.id).map((x) => ({ ...x.station, areaName: x.areaName })),
			rounds: rounds.filter((r) => r.sessionId === s.session.id)
		})),
		files
	};
}
export type EventDetail = NonNullable<Awaited<ReturnType<typeof getEvent>>>;

export interface RegistrationFilter {
	q?: string;
	status?: Status;
	sessionId?: number;
	areaAgs?: string;
	checkedIn?: boolean;
	limit?: number;
	offset?: number;
}

/** Registrations of an event with their sessions, in order of arrival. */
export async function listRegistrations(conn: DbOrTx, eventId: number, f: RegistrationFilter = {}) {
	const where: SQL[] = [eq(registrations.eventId, eventId)];
	if (f.status) where.push(eq(registrations.status, f.status));
	if (f.areaAgs) where.push(eq(registrations.areaAgs, f.areaAgs));
	if (f.checkedIn !== undefined) where.push(f.checkedIn ? isNotNull(registrations.checkedInAt) : isNull(registrations.checkedInAt));
	if (f.sessionId) where.push(sql`exists (select 1 from event_registration_sessions rs where rs.registration_id = "event_registrations"."id" and rs.session_id = ${f.sessionId} and rs.status <> 'cancelled')`);
	if (f.q?.trim()) {
		const like = `%${f.q.trim().replace(/[%_\\]/g, '\\$&')}%`;
		where.push(or(ilike(registrations.name, like), ilike(registrations.email, like), ilike(registrations.organisation, like), ilike(areas.name, like))!);
	}
	const cond = and(...where);
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({ registration: registrations, areaName: areas.name })
			.from(registrations)
			.leftJoin(areas, eq(areas.ags, registrations.areaAgs))
			.where(cond)
			.orderBy(asc(registrations.id))
			.limit(f.limit ?? 100_000)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(registrations).leftJoin(areas, eq(areas.ags, registrations.areaAgs)).where(cond)
	]);
	const ids = items.map((i) => i.registration.id);
	const chosen = ids.length
		? await conn
				.select({ registrationId: registrationSessions.registrationId, sessionId: registrationSessions.sessionId, status: registrationSessions.status, title: eventSessions.title, startsAt: eventSessions.startsAt })
				.from(registrationSessions)
				.innerJoin(eventSessions, eq(eventSessions.id, registrationSessions.sessionId))
				.where(inArray(registrationSessions.registrationId, ids))
				.orderBy(asc(eventSessions.startsAt))
		: [];
	return {
		items: items.map((i) => ({ ...i.registration, areaName: i.areaName, sessions: chosen.filter((c) => c.registrationId === i.registration.id) })),
		total
	};
}
export type RegistrationListItem = Awaited<ReturnType<typeof listRegistrations>>['items'][number];

/** Position on the event's waitlist (1-based), or null. */
export async function waitlistPosition(conn: DbOrTx, reg: RegistrationRow): Promise<number | null> {
	if (reg.status !== 'waitlisted') return null;
	const [{ n }] = await conn
		.select({ n: sql<number>`count(*)::int` })
		.from(registrations)
		.where(and(eq(registrations.eventId, reg.eventId), eq(registrations.status, 'waitlisted'), lt(registrations.id, reg.id)));
	return n + 1;
}

/** A participant's own schedule: programme items for everybody, chosen workshops, carousel stations. */
export async function personalSchedule(conn: DbOrTx, registrationId: number) {
	const [reg] = await conn.select().from(registrations).where(eq(registrations.id, registrationId));
	if (!reg) return undefined;
	const event = await getEvent(conn, reg.eventId);
	if (!event) return undefined;
	const chosen = await conn.select().from(registrationSessions).where(eq(registrationSessions.registrationId, reg.id));
	const assigned = await conn.select().from(carouselAssignments).where(eq(carouselAssignments.registrationId, reg.id));
	const items: { startsAt: Date; endsAt: Date; title: string; room: string | null; note: string | null; sessionId: number }[] = [];
	for (const s of event.sessions) {
		if (s.kind === 'workshop') {
			const c = chosen.find((x) => x.sessionId === s.id && x.status !== 'cancelled');
			if (!c) continue;
			items.push({ startsAt: s.startsAt, endsAt: s.endsAt, title: s.title, room: s.room, note: c.status === 'waitlisted' ? 'Warteliste' : 'Ihr Workshop', sessionId: s.id });
		} else if (s.kind === 'carousel' && s.rounds.length) {
			for (const r of s.rounds) {
				const a = assigned.find((x) => x.roundId === r.id);
				const st = a ? s.stations.find((x) => x.id === a.stationId) : undefined;
				items.push({
					startsAt: r.startsAt,
					endsAt: r.endsAt,
					title: `${s.title}, Runde ${r.number}: ${st ? st.title : 'Station noch offen'}`,
					room: s.room,
					note: st ? [st.presenter, st.areaName].filter(Boolean).join(', ') || null : 'Bitte wählen Sie eine Station, sonst teilen wir Sie zu.',
					sessionId: s.id
				});
			}
		} else items.push({ startsAt: s.startsAt, endsAt: s.endsAt, title: s.title, room: s.room, note: null, sessionId: s.id });
	}
	items.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
	return { registration: reg, event, sessions: chosen, assignments: assigned, items, waitlistPosition: await waitlistPosition(conn, reg) };
}

/** The registrations of a logged-in user: by account, or by the account's e-mail address. */
export async function myRegistrations(conn: DbOrTx, user: { id: number; email: string }) {
	const rows = await conn
		.select({ registration: registrations, event: events })
		.from(registrations)
		.innerJoin(events, eq(events.id, registrations.eventId))
		.where(or(eq(registrations.userId, user.id), sql`lower(${registrations.email}) = lower(${user.email})`))
		.orderBy(desc(events.startsAt));
	return rows;
}

export async function feedbackResults(conn: DbOrTx, eventId: number) {
	const items = await conn.select().from(eventFeedback).where(eq(eventFeedback.eventId, eventId)).orderBy(desc(eventFeedback.createdAt));
	const dist = [1, 2, 3, 4, 5].map((r) => items.filter((i) => i.rating === r).length);
	const avg = items.length ? items.reduce((s, i) => s + i.rating, 0) / items.length : null;
	return { items, count: items.length, average: avg, distribution: dist };
}

export async function publishedQuotes(conn: DbOrTx, eventId: number) {
	return conn
		.select({ id: eventFeedback.id, text: eventFeedback.text })
		.from(eventFeedback)
		.where(and(eq(eventFeedback.eventId, eventId), isNotNull(eventFeedback.publishedAt), eq(eventFeedback.quoteConsent, true)))
		.orderBy(asc(eventFeedback.publishedAt));
}

/** Whether this user has a confirmed place (then the video link is shown). */
export async function hasConfirmedPlace(conn: DbOrTx, eventId: number, user: { id: number; email: string } | null): Promise<boolean> {
	if (!user) return false;
	const [row] = await conn
		.select({ id: registrations.id })
		.from(registrations)
		.where(and(eq(registrations.eventId, eventId), eq(registrations.status, 'confirmed'), or(eq(registrations.userId, user.id), sql`lower(${registrations.email}) = lower(${user.email})`)));
	return !!row;
}

/** Contacts of member municipalities: users with role member_contact (for defaults in forms). */
export async function userDefaults(conn: DbOrTx, userId: number) {
	const [u] = await conn
		.select({ name: users.name, email: users.email, organisation: users.organisation, position: users.position, areaAgs: users.areaAgs, areaName: areas.name })
		.from(users)
		.leftJoin(areas, eq(areas.ags, users.areaAgs))
		.where(eq(users.id, userId));
	return u;
}

export { icsCalendar } from './ics';
