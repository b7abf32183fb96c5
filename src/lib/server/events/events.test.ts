import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { anonymousActor, cliActor, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import { outboxMails } from '../mail/schema';
import { jobs } from '../jobs/schema';
import { startWorker } from '../jobs';
import { DomainError } from '../errors';
import { actorFor, createApiToken, createUser, type SessionUser } from '../accounts';
import {
	addCarouselRound,
	addCarouselStation,
	addSession,
	autoAssignCarousel,
	cancelRegistration,
	changeSessions,
	checkIn,
	chooseCarouselStations,
	createEvent,
	eventJobHandlers,
	listRegistrations,
	messageParticipants,
	personalSchedule,
	publishQuote,
	register,
	registrationByToken,
	setFeedbackOpen,
	submitFeedback,
	updateEvent,
	feedbackResults,
	getEvent,
	listEvents,
	publishedQuotes,
	type CreateEventInput
} from '.';
import { registrations, registrationSessions } from './schema';
import { fromBerlin } from '../../events';

const t = useTestDatabase();
const conn = () => t.database.db;

const system: Actor = cliActor;
const visitor = anonymousActor('192.0.2.10');
const DAY = 86_400_000;
let coordToken: string;
let coordActor: Actor;
let memberActor: Actor;
let memberToken: string;
let partnerToken: string;

beforeAll(async () => {
	const coord = await createUser(conn(), cliActor, { email: 'kora@example.org', name: 'Kora Koordination', role: 'coordinator', password: 'richtig-geheim-2026' });
	coordActor = actorFor(coord as SessionUser, '127.0.0.1');
	coordToken = (await createApiToken(conn(), cliActor, { userId: coord.id, name: 'Test' })).token;
	const member = await createUser(conn(), cliActor, { email: 'anna@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: '05711000', password: 'richtig-geheim-2026' });
	memberActor = actorFor(member as SessionUser, '127.0.0.1');
	memberToken = (await createApiToken(conn(), cliActor, { userId: member.id, name: 'Test' })).token;
	const partner = await createUser(conn(), cliActor, { email: 'tobias@rheine.example', name: 'Tobias Vorlage', role: 'partner', password: 'richtig-geheim-2026' });
	partnerToken = (await createApiToken(conn(), cliActor, { userId: partner.id, name: 'Test' })).token;
});

let n = 0;
async function newEvent(extra: Partial<CreateEventInput> = {}) {
	n++;
	const start = new Date(Date.now() + 30 * DAY);
	return createEvent(conn(), system, {
		kind: 'network_meeting',
		title: `Netzwerktreffen ${n}`,
		startsAt: start,
		endsAt: new Date(start.getTime() + 6 * 3_600_000),
		audience: 'public',
		venue: 'Stadthalle',
		...extra
	});
}

function person(i: number, extra: Record<string, unknown> = {}) {
	return { name: `Person ${i}`, email: `person${i}.${n}@example.org`, ...extra };
}

async function domainError(p: Promise<unknown>): Promise<DomainError> {
	try {
		await p;
	} catch (e) {
		if (e instanceof DomainError) return e;
		throw e;
	}
	throw new Error('expected a DomainError');
}

async function mailsTo(address: string) {
	return conn().select().from(outboxMails).where(eq(outboxMails.toAddress, address)).orderBy(asc(outboxMails.id));
}

async function statuses(eventId: number) {
	return conn().select({ id: registrations.id, status: registrations.status, email: registrations.email }).from(registrations).where(eq(registrations.eventId, eventId)).orderBy(asc(registrations.id));
}

describe('capacity, waitlist and promotion', () => {
	it('confirms up to the capacity, then waitlists in order, and promotes with a mail when a place frees up', async () => {
		const e = await newEvent({ capacity: 2 });
		const a = await register(conn(), visitor, { eventId: e.id, ...person(1) });
		const b = await register(conn(), visitor, { eventId: e.id, ...person(2) });
		const c = await register(conn(), visitor, { eventId: e.id, ...person(3) });
		const d = await register(conn(), visitor, { eventId: e.id, ...person(4) });
		expect([a.status, b.status, c.status, d.status]).toEqual(['confirmed', 'confirmed', 'waitlisted', 'waitlisted']);
		expect((await mailsTo(person(3).email))[0].template).toBe('event_waitlist');
		expect((await mailsTo(person(3).email))[0].text).toContain('Platz 1');
		expect((await mailsTo(person(4).email))[0].text).toContain('Platz 2');

		const res = await cancelRegistration(conn(), visitor, { registrationId: a.id, token: a.cancelToken });
		expect(res.promoted).toEqual([c.id]);
		expect((await statuses(e.id)).map((r) => r.status)).toEqual(['cancelled', 'confirmed', 'confirmed', 'waitlisted']);
		const mails = await mailsTo(person(3).email);
		expect(mails.map((m) => m.template)).toEqual(['event_waitlist', 'event_promotion']);
		expect(mails[1].attachments?.[0].filename).toBe('veranstaltung.ics');
		// The promotion mail carries a new link; the old one no longer works.
		const newToken = /\/veranstaltungen\/anmeldung\/([A-Za-z0-9_-]+)/.exec(mails[1].text)![1];
		expect(newToken).not.toBe(c.cancelToken);
		expect((await registrationByToken(conn(), newToken))?.id).toBe(c.id);
		expect(await registrationByToken(conn(), c.cancelToken)).toBeUndefined();
		expect((await mailsTo(person(1).email)).map((m) => m.template)).toEqual(['event_confirmation', 'event_cancellation']);

		// Cancelling twice changes nothing and promotes nobody.
		const again = await cancelRegistration(conn(), coordActor, { registrationId: a.id });
		expect(again.promoted).toEqual([]);
		expect((await statuses(e.id)).filter((r) => r.status === 'confirmed')).toHaveLength(2);
	});

	it('refuses a second active registration with the same address (case-insensitive)', async () => {
		const e = await newEvent();
		await register(conn(), visitor, { eventId: e.id, name: 'Eva', email: 'eva@example.org' });
		const err = await domainError(register(conn(), visitor, { eventId: e.id, name: 'Eva', email: 'EVA@example.org' }));
		expect(err.kind).toBe('conflict');
		expect(err.fieldErrors.email).toBeDefined();
	});

	it('more places promote people from the waitlist', async () => {
		const e = await newEvent({ capacity: 1 });
		await register(conn(), visitor, { eventId: e.id, ...person(1) });
		const w1 = await register(conn(), visitor, { eventId: e.id, ...person(2) });
		const w2 = await register(conn(), visitor, { eventId: e.id, ...person(3) });
		await updateEvent(conn(), system, { eventId: e.id, capacity: 2 });
		const s = await statuses(e.id);
		expect(s.find((r) => r.id === w1.id)!.status).toBe('confirmed');
		expect(s.find((r) => r.id === w2.id)!.status).toBe('waitlisted');
	});

	it('limits places per member municipality and promotes the next person of another municipality first', async () => {
		const e = await newEvent({ capacity: 3, perAreaLimit: 1 });
		const a = await register(conn(), visitor, { eventId: e.id, ...person(1, { areaAgs: '05711000' }) });
		const b = await register(conn(), visitor, { eventId: e.id, ...person(2, { areaAgs: '05711000' }) });
		const c = await register(conn(), visitor, { eventId: e.id, ...person(3, { areaAgs: '05113000' }) });
		expect([a.status, b.status, c.status]).toEqual(['confirmed', 'waitlisted', 'confirmed']);
		expect(b.reason).toContain('Kommune');
		const unknownArea = await domainError(register(conn(), visitor, { eventId: e.id, ...person(4, { areaAgs: '05999999' }) }));
		expect(unknownArea.fieldErrors.areaAgs).toBeDefined();
		// Bielefeld's place frees up: its waiting person moves up.
		await cancelRegistration(conn(), coordActor, { registrationId: a.id });
		expect((await statuses(e.id)).find((r) => r.id === b.id)!.status).toBe('confirmed');
	});

	it('member contacts register for their municipality by default', async () => {
		const e = await newEvent({ audience: 'members', perAreaLimit: 5 });
		const r = await register(conn(), memberActor, { eventId: e.id, name: 'Anna Beispiel', email: 'anna@bielefeld.example' });
		const [row] = await conn().select().from(registrations).where(eq(registrations.id, r.id));
		expect(row.areaAgs).toBe('05711000');
		expect(row.userId).toBe(memberActor.userId);
	});
});

describe('under a rush', () => {
	it('200 concurrent registrations for 50 places: exactly 50 confirmed, 150 waitlisted in arrival order, none lost', async () => {
		const e = await newEvent({ capacity: 50 });
		const ws = await addSession(conn(), system, { eventId: e.id, kind: 'workshop', title: 'Workshop A', startsAt: new Date(e.startsAt.getTime() + 3_600_000), endsAt: new Date(e.startsAt.getTime() + 7_200_000), capacity: 10 });
		const results = await Promise.allSettled(
			Array.from({ length: 200 }, (_, i) => register(conn(), anonymousActor(`198.51.100.${i % 250}`), { eventId: e.id, name: `Ansturm ${i}`, email: `ansturm${i}@example.org`, sessionIds: [ws.id] }))
		);
		const rejected = results.filter((r) => r.status === 'rejected');
		expect(rejected).toEqual([]);
		const ok = results.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof register>>>).value);
		expect(ok.filter((r) => r.status === 'confirmed')).toHaveLength(50);
		expect(ok.filter((r) => r.status === 'waitlisted')).toHaveLength(150);

		const rows = await statuses(e.id);
		expect(rows).toHaveLength(200);
		// Arrival order = order of the lock: the 50 first ids hold the places, the rest wait in id order.
		expect(rows.slice(0, 50).every((r) => r.status === 'confirmed')).toBe(true);
		expect(rows.slice(50).every((r) => r.status === 'waitlisted')).toBe(true);
		// Each waitlist mail names a distinct position 1…150, increasing with the id.
		const mails = await conn()
			.select({ to: outboxMails.toAddress, text: outboxMails.text })
			.from(outboxMails)
			.where(and(eq(outboxMails.template, 'event_waitlist'), inArray(outboxMails.toAddress, rows.map((r) => r.email))));
		const position = new Map(mails.map((m) => [m.to, Number(/Platz (\d+)\)/.exec(m.text)![1])]));
		expect(rows.slice(50).map((r) => position.get(r.email))).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
		// The audit records were written in the same order, one per registration.
		const audit = await conn()
			.select({ objectId: auditLog.objectId })
			.from(auditLog)
			.where(and(eq(auditLog.action, 'registration.created'), inArray(auditLog.objectId, rows.map((r) => String(r.id)))))
			.orderBy(asc(auditLog.id));
		expect(audit.map((a) => Number(a.objectId))).toEqual(rows.map((r) => r.id));
		const [{ sessionConfirmed }] = await conn()
			.select({ sessionConfirmed: sql<number>`count(*)::int` })
			.from(registrationSessions)
			.where(and(eq(registrationSessions.sessionId, ws.id), eq(registrationSessions.status, 'confirmed')));
		expect(sessionConfirmed).toBe(10);
		const detail = (await getEvent(conn(), e.id))!;
		expect([detail.confirmed, detail.waitlisted]).toEqual([50, 150]);
		expect(detail.sessions.map((s) => [s.confirmed, s.waitlisted])).toEqual([[10, 190]]);
		expect((await listRegistrations(conn(), e.id, { sessionId: ws.id, status: 'confirmed', limit: 5 })).total).toBe(50);
		expect((await listEvents(conn(), { q: e.title })).items[0]).toMatchObject({ confirmed: 50, waitlisted: 150 });

		// 20 concurrent cancellations promote exactly the next 20, in order.
		const byEmail = new Map(ok.map((r, i) => [`ansturm${i}@example.org`, r]));
		const confirmedRows = rows.slice(0, 20);
		await Promise.all(confirmedRows.map((r) => cancelRegistration(conn(), visitor, { registrationId: r.id, token: byEmail.get(r.email)!.cancelToken })));
		const after = await statuses(e.id);
		expect(after.filter((r) => r.status === 'confirmed')).toHaveLength(50);
		expect(after.filter((r) => r.status === 'confirmed').map((r) => r.id)).toEqual([...rows.slice(20, 50), ...rows.slice(50, 70)].map((r) => r.id));
		const [{ sessionAfter }] = await conn()
			.select({ sessionAfter: sql<number>`count(*)::int` })
			.from(registrationSessions)
			.where(and(eq(registrationSessions.sessionId, ws.id), eq(registrationSessions.status, 'confirmed')));
		expect(sessionAfter).toBe(10);
	}, 120_000);
});

describe('programme and session choice', () => {
	it('one workshop per time slot, per-session capacity with its own waitlist, and changing the choice', async () => {
		const e = await newEvent({ kind: 'congress', capacity: 100 });
		const at = (h: number) => new Date(e.startsAt.getTime() + h * 3_600_000);
		const keynote = await addSession(conn(), system, { eventId: e.id, kind: 'keynote', title: 'Impulsvortrag', startsAt: at(0), endsAt: at(1) });
		const w1 = await addSession(conn(), system, { eventId: e.id, kind: 'workshop', title: 'Junges Engagement fördern', startsAt: at(2), endsAt: at(4), capacity: 1 });
		const w2 = await addSession(conn(), system, { eventId: e.id, kind: 'workshop', title: 'Engagement im Sozialraum', startsAt: at(2), endsAt: at(4) });
		const w3 = await addSession(conn(), system, { eventId: e.id, kind: 'workshop', title: 'Spätrunde', startsAt: at(4), endsAt: at(5) });

		const both = await domainError(register(conn(), visitor, { eventId: e.id, ...person(1), sessionIds: [w1.id, w2.id] }));
		expect(both.fieldErrors.sessionIds[0]).toContain('gleichzeitig');
		const plenary = await domainError(register(conn(), visitor, { eventId: e.id, ...person(1), sessionIds: [keynote.id] }));
		expect(plenary.message).toContain('kein Workshop');
		const outside = await domainError(addSession(conn(), system, { eventId: e.id, kind: 'workshop', title: 'Zu spät', startsAt: at(5), endsAt: at(8) }));
		expect(outside.kind).toBe('validation');

		const a = await register(conn(), visitor, { eventId: e.id, ...person(1), sessionIds: [w1.id, w3.id] });
		expect(a.status).toBe('confirmed');
		expect(a.sessions).toEqual([
			{ sessionId: w1.id, status: 'confirmed' },
			{ sessionId: w3.id, status: 'confirmed' }
		]);
		const b = await register(conn(), visitor, { eventId: e.id, ...person(2), sessionIds: [w1.id] });
		expect(b.status).toBe('confirmed');
		expect(b.sessions).toEqual([{ sessionId: w1.id, status: 'waitlisted' }]);
		expect((await mailsTo(person(2).email))[0].text).toContain('Warteliste');

		// a switches to w2: b moves up in w1 and gets a mail.
		const now = await changeSessions(conn(), visitor, { registrationId: a.id, token: a.cancelToken, sessionIds: [w2.id, w3.id] });
		expect(now.map((s) => s.sessionId).sort()).toEqual([w2.id, w3.id].sort());
		const [bw1] = await conn().select().from(registrationSessions).where(and(eq(registrationSessions.registrationId, b.id), eq(registrationSessions.sessionId, w1.id)));
		expect(bw1.status).toBe('confirmed');
		expect((await mailsTo(person(2).email)).map((m) => m.template)).toContain('event_session_promotion');

		const schedule = await personalSchedule(conn(), a.id);
		expect(schedule!.items.map((i) => i.title)).toEqual(['Impulsvortrag', 'Engagement im Sozialraum', 'Spätrunde']);
	});
});

describe('registration window and audience', () => {
	it('refuses registrations before the window opens and after it closes', async () => {
		const early = await newEvent({ registrationOpensAt: new Date(Date.now() + DAY) });
		const e1 = await domainError(register(conn(), visitor, { eventId: early.id, ...person(1) }));
		expect(e1.kind).toBe('conflict');
		expect(e1.message).toContain('beginnt am');
		const closed = await newEvent({ registrationOpensAt: new Date(Date.now() - 2 * DAY), registrationClosesAt: new Date(Date.now() - DAY) });
		const e2 = await domainError(register(conn(), visitor, { eventId: closed.id, ...person(2) }));
		expect(e2.message).toContain('geschlossen');
		const res = await api('POST', `/events/${closed.id}/registrations`, { body: person(3) });
		expect(res.status).toBe(409);
	});

	it('members-only events need a member contact; members_partners also admits partners', async () => {
		const members = await newEvent({ audience: 'members' });
		expect((await api('POST', `/events/${members.id}/registrations`, { body: person(1) })).status).toBe(401);
		expect((await api('POST', `/events/${members.id}/registrations`, { body: person(1), token: partnerToken })).status).toBe(403);
		expect((await api('POST', `/events/${members.id}/registrations`, { body: person(1), token: memberToken })).status).toBe(201);
		const mixed = await newEvent({ audience: 'members_partners' });
		expect((await api('POST', `/events/${mixed.id}/registrations`, { body: person(2), token: partnerToken })).status).toBe(201);
	});

	it('a cancelled event takes no registrations', async () => {
		const e = await newEvent();
		await updateEvent(conn(), system, { eventId: e.id, status: 'cancelled' });
		expect((await domainError(register(conn(), visitor, { eventId: e.id, ...person(1) }))).message).toContain('abgesagt');
	});
});

describe('API', () => {
	it('creates an event, adds sessions, registers with the documented answer shape and lists registrations', async () => {
		const created = await api('POST', '/events', {
			token: coordToken,
			body: {
				kind: 'congress',
				title: 'Engagementkongress NRW 2027',
				starts_at: '2027-10-18T09:30:00+02:00',
				ends_at: '2027-10-18T16:30:00+02:00',
				venue: 'Stadthalle Bad Godesberg',
				address: 'Koblenzer Str. 80, 53177 Bonn',
				audience: 'public',
				capacity: 1,
				video_url: 'https://video.example/kongress'
			}
		});
		expect(created.status).toBe(201);
		const id = created.body.id;
		expect(created.body.starts_at).toBe('2027-10-18T07:30:00.000Z');
		const s = await api('POST', `/events/${id}/sessions`, {
			token: coordToken,
			body: { kind: 'workshop', title: 'Junges Engagement fördern', starts_at: '2027-10-18T13:30:00+02:00', ends_at: '2027-10-18T15:00:00+02:00', capacity: 30 }
		});
		expect(s.status).toBe(201);

		const r1 = await api('POST', `/events/${id}/registrations`, { body: { name: 'Lena Lang', email: 'lena@example.org', ags: '05314000', session_ids: [s.body.id] } });
		expect(r1.status).toBe(201);
		expect(r1.body).toMatchObject({ status: 'confirmed', sessions: [{ session_id: s.body.id, status: 'confirmed' }] });
		expect(typeof r1.body.cancel_token).toBe('string');
		expect(Object.keys(r1.body).sort()).toEqual(['cancel_token', 'detail', 'id', 'sessions', 'status']);
		const r2 = await api('POST', `/events/${id}/registrations`, { body: { name: 'Max Kurz', email: 'max@example.org', session_ids: [s.body.id] } });
		expect(r2.body).toMatchObject({ status: 'waitlisted', sessions: [{ session_id: s.body.id, status: 'waitlisted' }] });

		const bad = await api('POST', `/events/${id}/registrations`, { body: { name: 'X', email: 'kein-mail', ags: '12' } });
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.body.errors)).toEqual(expect.arrayContaining(['body.name', 'body.email', 'body.ags']));
		expect((await api('POST', `/events/999999/registrations`, { body: { name: 'Xaver', email: 'x@example.org' } })).status).toBe(404);

		expect((await api('GET', `/events/${id}/registrations`)).status).toBe(401);
		expect((await api('GET', `/events/${id}/registrations`, { token: memberToken })).status).toBe(403);
		const list = await api('GET', `/events/${id}/registrations`, { token: coordToken });
		expect(list.body.total).toBe(2);
		expect(list.body.items[0]).toMatchObject({ id: r1.body.id, email: 'lena@example.org', status: 'confirmed', sessions: [{ session_id: s.body.id, status: 'confirmed' }] });

		// Video link only for coordinators (and confirmed participants).
		expect((await api('GET', `/events/${id}`)).body.video_url).toBeNull();
		expect((await api('GET', `/events/${id}`, { token: coordToken })).body.video_url).toBe('https://video.example/kongress');
		const listed = await api('GET', '/events?year=2027&kind=congress');
		expect(listed.body.items.map((e: { id: number }) => e.id)).toContain(id);

		// Cancel: wrong token 403, the right one works and promotes Max.
		expect((await api('POST', `/registrations/${r1.body.id}/cancel`, { body: { cancel_token: r2.body.cancel_token } })).status).toBe(403);
		expect((await api('POST', `/registrations/${r1.body.id}/cancel`, { body: {} })).status).toBe(401);
		const c = await api('POST', `/registrations/${r1.body.id}/cancel`, { body: { cancel_token: r1.body.cancel_token } });
		expect(c.body).toEqual({ id: r1.body.id, status: 'cancelled', promoted: [r2.body.id] });
		const list2 = await api('GET', `/events/${id}/registrations?status=confirmed`, { token: coordToken });
		expect(list2.body.items.map((i: { id: number }) => i.id)).toEqual([r2.body.id]);
		expect(list2.body.items[0].sessions).toEqual([{ session_id: s.body.id, status: 'confirmed' }]);

		const patched = await api('PATCH', `/events/${id}`, { token: coordToken, body: { room: 'Großer Saal' } });
		expect(patched.status).toBe(200);
		expect(patched.body.room).toBe('Großer Saal');
		expect((await api('PATCH', `/events/${id}`, { token: coordToken, body: { ends_at: '2027-10-18T08:00:00+02:00' } })).status).toBe(400);
		expect((await api('PATCH', `/events/${id}`, { token: memberToken, body: { room: 'x' } })).status).toBe(403);
	});
});

describe('mails', () => {
	it('the confirmation carries an .ics in Europe/Berlin; changes and cancellation reach everybody registered', async () => {
		const start = fromBerlin('2030-10-16', '09:30')!;
		const e = await newEvent({ capacity: 1, startsAt: start, endsAt: fromBerlin('2030-10-16', '16:30')!, title: 'Kongress 2030' });
		await register(conn(), visitor, { eventId: e.id, ...person(1) });
		await register(conn(), visitor, { eventId: e.id, ...person(2) });
		const [confirmation] = await mailsTo(person(1).email);
		expect(confirmation.template).toBe('event_confirmation');
		const ics = Buffer.from(confirmation.attachments![0].content, 'base64').toString('utf8');
		expect(ics).toContain('DTSTART;TZID=Europe/Berlin:20301016T093000');
		expect(ics).toContain('DTEND;TZID=Europe/Berlin:20301016T163000');
		expect(ics).toContain('BEGIN:VTIMEZONE');
		expect(ics).toContain('SUMMARY:Kongress 2030');
		expect(confirmation.text).toContain('Mittwoch, 16.10.2030, 09:30 bis 16:30 Uhr');

		await updateEvent(conn(), coordActor, { eventId: e.id, startsAt: fromBerlin('2030-10-17', '09:30')!, endsAt: fromBerlin('2030-10-17', '16:30')! });
		for (const p of [person(1), person(2)]) expect((await mailsTo(p.email)).map((m) => m.template)).toContain('event_changed');
		const changed = (await mailsTo(person(1).email)).find((m) => m.template === 'event_changed')!;
		expect(changed.text).toContain('17.10.2030');
		expect(changed.text).toContain('vorher');

		await updateEvent(conn(), coordActor, { eventId: e.id, status: 'cancelled', cancelReason: 'Der Saal ist nicht verfügbar.' });
		for (const p of [person(1), person(2)]) {
			const m = (await mailsTo(p.email)).at(-1)!;
			expect(m.template).toBe('event_cancelled');
			expect(m.text).toContain('Der Saal ist nicht verfügbar.');
		}
	});

	it('schedules a reminder days before and sends it once to confirmed participants only', async () => {
		const e = await newEvent({ capacity: 1, reminderDays: 3 });
		await register(conn(), visitor, { eventId: e.id, ...person(1) });
		await register(conn(), visitor, { eventId: e.id, ...person(2) });
		const [job] = await conn().select().from(jobs).where(and(eq(jobs.kind, 'events.reminder'), sql`${jobs.payload}->>'eventId' = ${String(e.id)}`));
		expect(Math.abs(job.runAt.getTime() - (e.startsAt.getTime() - 3 * DAY))).toBeLessThan(1000);
		await conn().update(jobs).set({ runAt: new Date() }).where(eq(jobs.id, job.id));
		const worker = startWorker({ pool: t.database.pool, handlers: eventJobHandlers(() => conn()) }, false);
		await worker.drain();
		// Running the handler again (a retried job) sends nothing twice.
		await eventJobHandlers(() => conn())['events.reminder'](job.payload as Record<string, unknown>, { id: job.id, attempts: 2, maxAttempts: 8 });
		await worker.stop();
		expect((await mailsTo(person(1).email)).filter((m) => m.template === 'event_reminder')).toHaveLength(1);
		expect((await mailsTo(person(2).email)).filter((m) => m.template === 'event_reminder')).toHaveLength(0);
	});

	it('mails a message to all confirmed participants', async () => {
		const e = await newEvent({ capacity: 1 });
		await register(conn(), visitor, { eventId: e.id, ...person(1) });
		await register(conn(), visitor, { eventId: e.id, ...person(2) });
		expect(await messageParticipants(conn(), coordActor, { eventId: e.id, subject: 'Anreise', body: 'Bitte nutzen Sie den Eingang Nord.\n\nBis bald!' })).toBe(1);
		expect((await mailsTo(person(1).email)).at(-1)!.subject).toBe(`Anreise – ${e.title}`);
		expect(await domainError(messageParticipants(conn(), memberActor, { eventId: e.id, subject: 'x', body: 'y' }))).toMatchObject({ kind: 'forbidden' });
	});
});

describe('Lernkarussell', () => {
	it('stations and rounds: choose each station once within capacity, auto-assign the rest, personal schedule', async () => {
		const e = await newEvent({ kind: 'congress' });
		const at = (m: number) => new Date(e.startsAt.getTime() + m * 60_000);
		const carousel = await addSession(conn(), system, { eventId: e.id, kind: 'carousel', title: 'Lernkarussell', startsAt: at(60), endsAt: at(150) });
		const s1 = await addCarouselStation(conn(), system, { sessionId: carousel.id, title: 'Ehrenamtskarte in Hagen', areaAgs: '05914000', capacity: 1 });
		const s2 = await addCarouselStation(conn(), system, { sessionId: carousel.id, title: 'Freiwilligenbörse Essen', areaAgs: '05113000' });
		const s3 = await addCarouselStation(conn(), system, { sessionId: carousel.id, title: 'Quartiersarbeit Witten', areaAgs: '05954036' });
		const r1 = await addCarouselRound(conn(), system, { sessionId: carousel.id, startsAt: at(60), endsAt: at(90) });
		const r2 = await addCarouselRound(conn(), system, { sessionId: carousel.id, startsAt: at(90), endsAt: at(120) });
		expect([r1.number, r2.number]).toEqual([1, 2]);

		const a = await register(conn(), visitor, { eventId: e.id, ...person(1) });
		const b = await register(conn(), visitor, { eventId: e.id, ...person(2) });
		const c = await register(conn(), visitor, { eventId: e.id, ...person(3) });
		await chooseCarouselStations(conn(), visitor, { registrationId: a.id, token: a.cancelToken, choices: { [r1.id]: s1.id, [r2.id]: s2.id } });
		const twice = await domainError(chooseCarouselStations(conn(), visitor, { registrationId: b.id, token: b.cancelToken, choices: { [r1.id]: s2.id, [r2.id]: s2.id } }));
		expect(twice.message).toContain('Stationen');
		const full = await domainError(chooseCarouselStations(conn(), visitor, { registrationId: b.id, token: b.cancelToken, choices: { [r1.id]: s1.id } }));
		expect(Object.values(full.fieldErrors).flat()[0]).toContain('voll');
		const noToken = await domainError(chooseCarouselStations(conn(), visitor, { registrationId: b.id, choices: { [r1.id]: s3.id } }));
		expect(noToken.kind).toBe('unauthorized');
		await chooseCarouselStations(conn(), visitor, { registrationId: b.id, token: b.cancelToken, choices: { [r1.id]: s3.id } });

		const made = await autoAssignCarousel(conn(), system, { sessionId: carousel.id });
		expect(made).toBe(3); // b round 2, c rounds 1 and 2
		const schedule = await personalSchedule(conn(), c.id);
		const titles = schedule!.items.map((i) => i.title);
		expect(titles).toHaveLength(2);
		expect(titles[0]).toMatch(/^Lernkarussell, Runde 1: /);
		expect(titles[0]).not.toContain('Hagen'); // s1 is full in round 1
		const bSchedule = await personalSchedule(conn(), b.id);
		expect(bSchedule!.items[0].title).toContain('Witten');
		expect(bSchedule!.items[1].title).not.toContain('Witten');
	});
});

describe('check-in and feedback', () => {
	it('checks in confirmed participants only; feedback once opened, quotes only with consent', async () => {
		const e = await newEvent({ capacity: 1 });
		const a = await register(conn(), visitor, { eventId: e.id, ...person(1) });
		const b = await register(conn(), visitor, { eventId: e.id, ...person(2) });
		expect((await checkIn(conn(), coordActor, { registrationId: a.id })).checkedInAt).toBeInstanceOf(Date);
		expect((await domainError(checkIn(conn(), coordActor, { registrationId: b.id }))).kind).toBe('conflict');
		expect((await checkIn(conn(), coordActor, { registrationId: a.id, present: false })).checkedInAt).toBeNull();
		expect((await api('POST', `/registrations/${a.id}/check-in`, { token: coordToken, body: {} })).body.checked_in_at).toBeTruthy();
		const present = await listRegistrations(conn(), e.id, { checkedIn: true });
		expect(present.items.map((r) => r.id)).toEqual([a.id]);

		expect((await domainError(submitFeedback(conn(), visitor, { token: a.cancelToken, rating: 5 }))).message).toContain('nicht geöffnet');
		await setFeedbackOpen(conn(), coordActor, { eventId: e.id, open: true });
		const f = await submitFeedback(conn(), visitor, { token: a.cancelToken, rating: 5, text: 'Ich bin nicht allein mit meinen Fragen.', quoteConsent: true });
		await submitFeedback(conn(), visitor, { token: a.cancelToken, rating: 4, text: 'Ich bin nicht allein mit meinen Fragen.', quoteConsent: true });
		expect((await domainError(submitFeedback(conn(), visitor, { token: b.cancelToken, rating: 3 }))).kind).toBe('forbidden');
		const results = await feedbackResults(conn(), e.id);
		expect(results).toMatchObject({ count: 1, average: 4, distribution: [0, 0, 0, 1, 0] });
		await publishQuote(conn(), coordActor, { feedbackId: f.id, publish: true });
		expect((await publishedQuotes(conn(), e.id)).map((q) => q.text)).toEqual(['Ich bin nicht allein mit meinen Fragen.']);
		// Withdrawing consent withdraws the quote.
		await submitFeedback(conn(), visitor, { token: a.cancelToken, rating: 4, text: 'Ich bin nicht allein mit meinen Fragen.', quoteConsent: false });
		expect(await publishedQuotes(conn(), e.id)).toEqual([]);
		expect((await domainError(publishQuote(conn(), coordActor, { feedbackId: f.id, publish: true }))).kind).toBe('conflict');
	});
});
