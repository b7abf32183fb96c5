import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { loadDemoData } from '../demo';
import { events, eventSessions, registrations } from './schema';
import { listEvents, myRegistrations } from '.';
import { findUserByEmail } from '../accounts';

const t = useTestDatabase();

describe('demo events', () => {
	it('loads past congresses, network meetings and an upcoming congress with six parallel workshops, a Lernkarussell and registrations', async () => {
		await loadDemoData(t.database.db);
		const conn = t.database.db;
		const congresses = await conn.select().from(events).where(eq(events.kind, 'congress')).orderBy(events.startsAt);
		expect(congresses.map((c) => c.startsAt.getUTCFullYear())).toEqual([2013, 2015, 2017, 2027]);
		expect(congresses[2].venue).toBe('Stadthalle Bad Godesberg');
		expect(congresses[2].startsAt.toISOString()).toBe('2017-10-16T07:30:00.000Z');
		const upcoming = congresses[3];
		const ws = await conn.select().from(eventSessions).where(and(eq(eventSessions.eventId, upcoming.id), eq(eventSessions.kind, 'workshop')));
		expect(ws).toHaveLength(6);
		expect(new Set(ws.map((w) => w.startsAt.getTime())).size).toBe(1);
		const [{ n }] = await conn.select({ n: sql<number>`count(*)::int` }).from(registrations).where(and(eq(registrations.eventId, upcoming.id), eq(registrations.status, 'confirmed')));
		expect(n).toBe(60);
		const meetings = await listEvents(conn, { kind: 'network_meeting' });
		expect(meetings.total).toBe(6);
		expect((await listEvents(conn, { kind: 'network_meeting', when: 'upcoming' })).total).toBeGreaterThanOrEqual(2);
		const anna = await findUserByEmail(conn, 'a.beispiel@bielefeld.example');
		expect((await myRegistrations(conn, anna!)).map((r) => r.event.id)).toContain(upcoming.id);
	});
});
