import { z } from 'zod';
import { apiFields, defineEndpoint, listOf, pageQuery, serialId } from '../api/endpoint';
import { db } from '../db';
import { DomainError, notFound } from '../errors';
import { EVENT_AUDIENCES, EVENT_FORMATS, EVENT_KINDS, REGISTRATION_FIELDS, REGISTRATION_STATUSES, SESSION_KINDS } from '../../events';
import {
	addCarouselRound,
	addCarouselStation,
	addSession,
	cancelRegistration,
	checkIn,
	createEvent,
	getEvent,
	hasConfirmedPlace,
	listEvents,
	listRegistrations,
	register,
	updateEvent,
	type EventDetail,
	type EventRow,
	type RegistrationListItem
} from '.';

/** Domain field names (`sessionIds`) as the API's body fields (`body.session_ids`). */

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const id = z.number().int();
const dateTime = z.string().describe('ISO 8601 mit Zeitzone, z. B. 2026-10-16T09:30:00+02:00');
const status = z.enum(REGISTRATION_STATUSES).describe('confirmed (Platz sicher), waitlisted (Warteliste), cancelled (abgesagt)');

const eventSummarySchema = z.object({
	id,
	kind: z.enum(EVENT_KINDS),
	title: z.string(),
	summary: z.string().nullable(),
	starts_at: z.string(),
	ends_at: z.string(),
	format: z.enum(EVENT_FORMATS),
	venue: z.string().nullable(),
	address: z.string().nullable(),
	room: z.string().nullable(),
	audience: z.enum(EVENT_AUDIENCES),
	status: z.enum(['published', 'cancelled']),
	capacity: z.number().int().nullable(),
	per_area_limit: z.number().int().nullable(),
	registration_opens_at: z.string().nullable(),
	registration_closes_at: z.string().nullable(),
	confirmed: z.number().int().describe('Bestätigte Plätze'),
	waitlisted: z.number().int().describe('Personen auf der Warteliste'),
	url: z.string()
});

const sessionSchema = z.object({
	id,
	kind: z.enum(SESSION_KINDS),
	title: z.string(),
	description: z.string().nullable(),
	starts_at: z.string(),
	ends_at: z.string(),
	room: z.string().nullable(),
	speakers: z.string().nullable(),
	capacity: z.number().int().nullable(),
	confirmed: z.number().int(),
	waitlisted: z.number().int(),
	stations: z.array(z.object({ id, title: z.string(), area_ags: z.string().nullable(), area_name: z.string().nullable(), presenter: z.string().nullable(), capacity: z.number().int().nullable() })),
	rounds: z.array(z.object({ id, number: z.number().int(), starts_at: z.string(), ends_at: z.string() }))
});

const eventDetailSchema = eventSummarySchema.extend({
	description: z.string().nullable(),
	video_url: z.string().nullable().describe('Nur für bestätigte Teilnehmende und die Koordinierungsstelle, sonst null'),
	ask_fields: z.array(z.enum(REGISTRATION_FIELDS)),
	contact_name: z.string().nullable(),
	contact_email: z.string().nullable(),
	reminder_days: z.number().int().nullable(),
	sessions: z.array(sessionSchema)
});

function summary(e: EventRow & { confirmed: number; waitlisted: number }): z.infer<typeof eventSummarySchema> {
	return {
		id: e.id,
		kind: e.kind,
		title: e.title,
		summary: e.summary,
		starts_at: e.startsAt.toISOString(),
		ends_at: e.endsAt.toISOString(),
		format: e.format,
		venue: e.venue,
		address: e.address,
		room: e.room,
		audience: e.audience,
		status: e.status,
		capacity: e.capacity,
		per_area_limit: e.perAreaLimit,
		registration_opens_at: iso(e.registrationOpensAt),
		registration_closes_at: iso(e.registrationClosesAt),
		confirmed: e.confirmed,
		waitlisted: e.waitlisted,
		url: `/veranstaltungen/${e.id}`
	};
}

function detail(e: EventDetail, showVideo: boolean): z.infer<typeof eventDetailSchema> {
	return {
		...summary(e),
		description: e.description,
		video_url: showVideo ? e.videoUrl : null,
		ask_fields: e.askFields as (typeof REGISTRATION_FIELDS)[number][],
		contact_name: e.contactName,
		contact_email: e.contactEmail,
		reminder_days: e.reminderDays,
		sessions: e.sessions.map((s) => ({
			id: s.id,
			kind: s.kind,
			title: s.title,
			description: s.description,
			starts_at: s.startsAt.toISOString(),
			ends_at: s.endsAt.toISOString(),
			room: s.room,
			speakers: s.speakers,
			capacity: s.capacity,
			confirmed: s.confirmed,
			waitlisted: s.waitlisted,
			stations: s.stations.map((st) => ({ id: st.id, title: st.title, area_ags: st.areaAgs, area_name: st.areaName, presenter: st.presenter, capacity: st.capacity })),
			rounds: s.rounds.map((r) => ({ id: r.id, number: r.number, starts_at: r.startsAt.toISOString(), ends_at: r.endsAt.toISOString() }))
		}))
	};
}

async function detailOf(eventId: number, showVideo: boolean) {
	const e = await getEvent(db(), eventId);
	if (!e) throw notFound('Diese Veranstaltung gibt es nicht.');
	return detail(e, showVideo);
}

const eventIdParam = z.object({ id: serialId('Nummer der Veranstaltung') });
const registrationIdParam = z.object({ id: serialId('Nummer der Anmeldung') });
const sessionParams = z.object({
	id: serialId('Nummer der Veranstaltung'),
	session_id: serialId('Nummer des Programmpunkts (Lernkarussell)')
});

const text = (max: number) => z.string().max(max).nullable().optional();
const places = z.number().int().min(1).max(100_000).nullable().optional();

const eventBody = z.object({
	kind: z.enum(EVENT_KINDS).describe('network_meeting, workshop, congress, summit, conference, ews_workshop'),
	title: z.string().min(3).max(200),
	summary: text(600),
	description: text(20_000).describe('Markdown'),
	starts_at: dateTime,
	ends_at: dateTime,
	format: z.enum(EVENT_FORMATS).optional().describe('onsite (Standard), online, hybrid'),
	venue: text(200),
	address: text(300),
	room: text(200),
	video_url: text(500),
	audience: z.enum(EVENT_AUDIENCES).optional().describe('members, members_partners (Standard), public'),
	capacity: places.describe('Plätze insgesamt; null: unbegrenzt'),
	per_area_limit: places.describe('Bestätigte Plätze je Mitgliedskommune; null: unbegrenzt'),
	registration_opens_at: dateTime.nullable().optional(),
	registration_closes_at: dateTime.nullable().optional().describe('Standard: Beginn der Veranstaltung'),
	ask_fields: z.array(z.enum(REGISTRATION_FIELDS)).optional().describe('Abgefragte Felder der Anmeldung'),
	contact_name: text(200),
	contact_email: text(254),
	contact_phone: text(50),
	reminder_days: z.number().int().min(0).max(60).nullable().optional().describe('Erinnerung so viele Tage vorher (Standard 3); null: keine')
});

function eventInput(b: Partial<z.infer<typeof eventBody>>) {
	const out: Record<string, unknown> = {
		kind: b.kind,
		title: b.title,
		summary: b.summary,
		description: b.description,
		startsAt: b.starts_at,
		endsAt: b.ends_at,
		format: b.format,
		venue: b.venue,
		address: b.address,
		room: b.room,
		videoUrl: b.video_url,
		audience: b.audience,
		capacity: b.capacity,
		perAreaLimit: b.per_area_limit,
		registrationOpensAt: b.registration_opens_at,
		registrationClosesAt: b.registration_closes_at,
		askFields: b.ask_fields,
		contactName: b.contact_name,
		contactEmail: b.contact_email,
		contactPhone: b.contact_phone,
		reminderDays: b.reminder_days
	};
	return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const registrationSessionSchema = z.object({ session_id: id, status });
const registrationResultSchema = z.object({
	id,
	status: z.enum(['confirmed', 'waitlisted']),
	sessions: z.array(registrationSessionSchema),
	cancel_token: z.string().describe('Geheimnis zum Absagen (POST /registrations/{id}/cancel); wird nur jetzt angezeigt'),
	detail: z.string().nullable().describe('Grund für die Warteliste')
});

const registrationItemSchema = z.object({
	id,
	event_id: id,
	name: z.string(),
	email: z.string(),
	organisation: z.string().nullable(),
	ags: z.string().nullable(),
	area_name: z.string().nullable(),
	position: z.string().nullable(),
	accessibility_needs: z.string().nullable(),
	dietary_needs: z.string().nullable(),
	photo_consent: z.boolean(),
	list_consent: z.boolean(),
	status,
	sessions: z.array(registrationSessionSchema),
	created_at: z.string(),
	promoted_at: z.string().nullable(),
	cancelled_at: z.string().nullable(),
	checked_in_at: z.string().nullable()
});

function registrationItem(r: RegistrationListItem): z.infer<typeof registrationItemSchema> {
	return {
		id: r.id,
		event_id: r.eventId,
		name: r.name,
		email: r.email,
		organisation: r.organisation,
		ags: r.areaAgs,
		area_name: r.areaName,
		position: r.position,
		accessibility_needs: r.accessibilityNeeds,
		dietary_needs: r.dietaryNeeds,
		photo_consent: r.photoConsent,
		list_consent: r.listConsent,
		status: r.status,
		sessions: r.sessions.map((s) => ({ session_id: s.sessionId, status: s.status })),
		created_at: r.createdAt.toISOString(),
		promoted_at: iso(r.promotedAt),
		cancelled_at: iso(r.cancelledAt),
		checked_in_at: iso(r.checkedInAt)
	};
}

export const eventEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/events',
		operationId: 'listEvents',
		summary: 'Veranstaltungen (Netzwerktreffen, Workshops, Kongresse …)',
		tag: 'Veranstaltungen',
		access: 'public',
		query: pageQuery.extend({
			kind: z.enum(EVENT_KINDS).optional(),
			year: z.coerce.number().int().min(2000).max(2999).optional(),
			when: z.enum(['upcoming', 'past']).optional().describe('upcoming: noch nicht vorbei; past: vorbei'),
			q: z.string().trim().max(200).optional().describe('Suche in Titel, Kurzbeschreibung und Ort')
		}),
		response: listOf(eventSummarySchema),
		async handler({ query }) {
			const { items, total } = await listEvents(db(), query);
			return { items: items.map(summary), total };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/events',
		operationId: 'createEvent',
		summary: 'Veranstaltung anlegen',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		status: 201,
		body: eventBody,
		response: eventDetailSchema,
		async handler({ actor, body }) {
			const e = await apiFields(() => createEvent(db(), actor, eventInput(body) as Parameters<typeof createEvent>[2]));
			return detailOf(e.id, true);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/events/{id}',
		operationId: 'getEvent',
		summary: 'Eine Veranstaltung mit Programm',
		description: 'video_url nur für die Koordinierungsstelle und für Personen mit bestätigtem Platz (Anmeldung mit dem eigenen Konto oder der Adresse des Kontos).',
		tag: 'Veranstaltungen',
		access: 'public',
		params: eventIdParam,
		response: eventDetailSchema,
		async handler({ params, user }) {
			const show = user?.role === 'coordinator' || (await hasConfirmedPlace(db(), params.id, user));
			return detailOf(params.id, show);
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/events/{id}',
		operationId: 'updateEvent',
		summary: 'Veranstaltung ändern oder absagen',
		description:
			'Felder, die fehlen, bleiben unverändert. Geänderte Zeit oder geänderter Ort wird allen Angemeldeten gemailt (notify: false unterdrückt das); status "cancelled" sagt die Veranstaltung ab und benachrichtigt alle. Mehr Plätze lassen Personen von der Warteliste nachrücken.',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		params: eventIdParam,
		body: eventBody.partial().extend({
			status: z.enum(['published', 'cancelled']).optional(),
			cancel_reason: text(1000).describe('Grund der Absage für die Mail'),
			notify: z.boolean().optional()
		}),
		response: eventDetailSchema,
		async handler({ actor, params, body }) {
			await apiFields(() =>
				updateEvent(db(), actor, { ...eventInput(body), eventId: params.id, status: body.status, cancelReason: body.cancel_reason, notify: body.notify } as Parameters<typeof updateEvent>[2])
			);
			return detailOf(params.id, true);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/events/{id}/sessions',
		operationId: 'addEventSession',
		summary: 'Programmpunkt hinzufügen',
		description: 'kind "workshop": parallele Workshops, bei der Anmeldung zu wählen (einer je Zeitfenster); "carousel": Lernkarussell mit Stationen und Runden.',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		status: 201,
		params: eventIdParam,
		body: z.object({
			kind: z.enum(SESSION_KINDS),
			title: z.string().min(2).max(300),
			description: text(5000),
			starts_at: dateTime,
			ends_at: dateTime,
			room: text(200),
			speakers: text(1000).describe('Referierende oder Dialogpartner'),
			capacity: places
		}),
		response: sessionSchema,
		async handler({ actor, params, body }) {
			const s = await apiFields(() =>
				addSession(db(), actor, {
					eventId: params.id,
					kind: body.kind,
					title: body.title,
					description: body.description,
					startsAt: body.starts_at,
					endsAt: body.ends_at,
					room: body.room,
					speakers: body.speakers,
					capacity: body.capacity
				})
			);
			const e = await detailOf(params.id, true);
			return e.sessions.find((x) => x.id === s.id)!;
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/events/{id}/sessions/{session_id}/stations',
		operationId: 'addCarouselStation',
		summary: 'Station des Lernkarussells hinzufügen',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		status: 201,
		params: sessionParams,
		body: z.object({ title: z.string().min(2).max(300), ags: z.string().nullable().optional(), presenter: text(300), description: text(3000), capacity: places }),
		response: z.object({ id, title: z.string() }),
		async handler({ actor, params, body }) {
			const st = await apiFields(() =>
				addCarouselStation(db(), actor, { sessionId: params.session_id, title: body.title, areaAgs: body.ags, presenter: body.presenter, description: body.description, capacity: body.capacity })
			);
			return { id: st.id, title: st.title };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/events/{id}/sessions/{session_id}/rounds',
		operationId: 'addCarouselRound',
		summary: 'Runde des Lernkarussells hinzufügen',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		status: 201,
		params: sessionParams,
		body: z.object({ starts_at: dateTime, ends_at: dateTime }),
		response: z.object({ id, number: z.number().int() }),
		async handler({ actor, params, body }) {
			const r = await apiFields(() => addCarouselRound(db(), actor, { sessionId: params.session_id, startsAt: body.starts_at, endsAt: body.ends_at }));
			return { id: r.id, number: r.number };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/events/{id}/registrations',
		operationId: 'registerForEvent',
		summary: 'Zu einer Veranstaltung anmelden',
		description:
			'Bei öffentlichen Veranstaltungen ohne Token möglich; sonst mit dem Token einer kommunalen Ansprechperson (bzw. eines lokalen Partners, wenn zugelassen). Sind Veranstaltung, Kommunenkontingent oder Workshop voll, landet die Anmeldung auf der Warteliste (Reihenfolge des Eingangs). session_ids: je Zeitfenster höchstens ein paralleler Workshop.',
		tag: 'Veranstaltungen',
		access: 'public',
		status: 201,
		params: eventIdParam,
		body: z.object({
			name: z.string().max(200),
			email: z.string().max(254),
			organisation: text(200),
			ags: z.string().max(8).nullable().optional().describe('AGS der Mitgliedskommune'),
			position: text(200).describe('Funktion'),
			accessibility_needs: text(1000),
			dietary_needs: text(500),
			photo_consent: z.boolean().optional(),
			list_consent: z.boolean().optional(),
			session_ids: z.array(z.number().int()).max(30).optional()
		}),
		response: registrationResultSchema,
		async handler({ actor, params, body }) {
			const r = await apiFields(() =>
				register(db(), actor, {
					eventId: params.id,
					name: body.name,
					email: body.email,
					organisation: body.organisation,
					areaAgs: body.ags,
					position: body.position,
					accessibilityNeeds: body.accessibility_needs,
					dietaryNeeds: body.dietary_needs,
					photoConsent: body.photo_consent,
					listConsent: body.list_consent,
					sessionIds: body.session_ids ?? []
				})
			).catch((e) => {
				// The API names the municipality `ags`.
				if (e instanceof DomainError && e.fieldErrors['body.area_ags']) {
					e.fieldErrors['body.ags'] = e.fieldErrors['body.area_ags'];
					delete e.fieldErrors['body.area_ags'];
				}
				throw e;
			});
			return { id: r.id, status: r.status, sessions: r.sessions.map((s) => ({ session_id: s.sessionId, status: s.status })), cancel_token: r.cancelToken, detail: r.reason ?? null };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/events/{id}/registrations',
		operationId: 'listEventRegistrations',
		summary: 'Anmeldungen einer Veranstaltung (Reihenfolge des Eingangs)',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		params: eventIdParam,
		query: pageQuery.extend({
			status: status.optional(),
			q: z.string().trim().max(200).optional().describe('Suche in Name, E-Mail, Organisation, Kommune'),
			session_id: serialId().optional(),
			ags: z.string().regex(/^\d{3}(\d{2}(\d{3})?)?$/).optional()
		}),
		response: listOf(registrationItemSchema),
		async handler({ params, query }) {
			const e = await getEvent(db(), params.id);
			if (!e) throw notFound('Diese Veranstaltung gibt es nicht.');
			const { items, total } = await listRegistrations(db(), params.id, { status: query.status, q: query.q, sessionId: query.session_id, areaAgs: query.ags, limit: query.limit, offset: query.offset });
			return { items: items.map(registrationItem), total };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/registrations/{id}/cancel',
		operationId: 'cancelRegistration',
		summary: 'Anmeldung absagen',
		description: 'Für die Koordinierungsstelle, die angemeldete Person (eigenes Konto) oder jede Person, die das cancel_token der Anmeldung sendet. Der frei gewordene Platz geht sofort an die nächste Person der Warteliste.',
		tag: 'Veranstaltungen',
		access: 'public',
		params: registrationIdParam,
		body: z.object({ cancel_token: z.string().max(200).optional() }),
		response: z.object({ id, status, promoted: z.array(id).describe('Anmeldungen, die dadurch nachgerückt sind') }),
		async handler({ actor, params, body }) {
			const r = await apiFields(() => cancelRegistration(db(), actor, { registrationId: params.id, token: body.cancel_token }));
			return { id: r.id, status: r.status, promoted: r.promoted };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/registrations/{id}/check-in',
		operationId: 'checkInRegistration',
		summary: 'Einlass: Anwesenheit vermerken (present: false nimmt es zurück)',
		tag: 'Veranstaltungen',
		access: 'coordinator',
		params: registrationIdParam,
		body: z.object({ present: z.boolean().optional() }),
		response: z.object({ id, checked_in_at: z.string().nullable() }),
		async handler({ actor, params, body }) {
			const r = await apiFields(() => checkIn(db(), actor, { registrationId: params.id, present: body.present ?? true }));
			return { id: r.id, checked_in_at: iso(r.checkedInAt) };
		}
	})
];
