import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { useTestDatabase } from '../testing';
import { purgeExpiredData, scheduleRetention, RETENTION_DAYS } from '.';
import { createUser } from '../accounts';
import { cliActor } from '../audit';

const t = useTestDatabase();
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);

describe('data retention', () => {
	it('deletes what is past its period and keeps the rest', async () => {
		const conn = t.database.db;
		const user = await createUser(conn, cliActor, { email: 'alt@example.org', name: 'Alte Daten', role: 'partner', password: 'ein-langes-passwort' });
		await conn.execute(sql`insert into login_attempts (email, ip, success, at) values
			('a@example.org', '1.2.3.4', false, ${daysAgo(RETENTION_DAYS.loginAttempts + 1)}),
			('a@example.org', '1.2.3.4', false, ${daysAgo(1)})`);
		await conn.execute(sql`insert into sessions (id, user_id, expires_at) values ('old', ${user.id}, ${daysAgo(1)}), ('new', ${user.id}, ${daysAgo(-5)})`);
		await conn.execute(sql`insert into outbox_mails (to_address, subject, text, html, template, status, message_id, sent_at) values
			('x@example.org', 'alt', 't', 'h', 'test', 'sent', '<a@x>', ${daysAgo(RETENTION_DAYS.sentMails + 1)}),
			('x@example.org', 'neu', 't', 'h', 'test', 'sent', '<b@x>', ${daysAgo(2)}),
			('x@example.org', 'wartet', 't', 'h', 'test', 'queued', '<c@x>', null)`);
		await conn.execute(sql`insert into audit_log (at, actor_label, action, object_type) values (${daysAgo(RETENTION_DAYS.auditLog + 1)}, 'x', 'old.thing', 'x')`);

		const counts = await purgeExpiredData(conn);
		expect(counts).toMatchObject({ loginAttempts: 1, expiredSessions: 1, sentMails: 1, auditLog: 1 });
		const left = async (table: string) => (await conn.execute(sql.raw(`select count(*)::int as n from ${table}`))).rows[0].n;
		expect(await left('login_attempts')).toBe(1);
		expect(await left('sessions')).toBe(1);
		expect(await left('outbox_mails')).toBe(2);
		const audit = await conn.execute(sql`select changes from audit_log where action = 'retention.purged'`);
		expect(audit.rows).toHaveLength(1);
		expect(await left(`audit_log where action = 'old.thing'`)).toBe(0);
	});

	it('deletes Infomail subscription requests never confirmed within the period, keeps proof of consent and opt-outs', async () => {
		const conn = t.database.db;
		const old = daysAgo(RETENTION_DAYS.unconfirmedSubscriptions + 1);
		const recent = daysAgo(5);
		const sub = async (email: string, status: string, createdAt: Date) =>
			(
				await conn.execute<{ id: number }>(
					sql`insert into infomail_subscribers (email, status, token_hash, created_at) values (${email}, ${status}::infomail_subscriber_status, ${'h-' + email}, ${createdAt}) returning id`
				)
			).rows[0].id;
		const consent = async (subscriberId: number, email: string, requestedAt: Date, extra: { confirmedAt?: Date; withdrawnAt?: Date } = {}) =>
			conn.execute(sql`insert into infomail_consents (subscriber_id, email, source, consent_version, requested_at, request_ip, confirm_token_hash, confirmed_at, withdrawn_at)
				values (${subscriberId}, ${email}, 'Formular /infomail', '2026-01', ${requestedAt}, '192.0.2.1', ${'c-' + email + requestedAt.getTime()},
				        ${extra.confirmedAt ?? null}, ${extra.withdrawnAt ?? null})`);

		const stale = await sub('alt-unbestaetigt@example.org', 'pending', old);
		await consent(stale, 'alt-unbestaetigt@example.org', old);
		const fresh = await sub('neu-unbestaetigt@example.org', 'pending', recent);
		await consent(fresh, 'neu-unbestaetigt@example.org', recent);
		// Asked long ago, asked again last week: the new request keeps the subscriber.
		const again = await sub('erneut@example.org', 'pending', old);
		await consent(again, 'erneut@example.org', old);
		await consent(again, 'erneut@example.org', recent);
		// Unsubscribed long ago and asked again without confirming: the opt-out and its proof stay.
		const optOut = await sub('abgemeldet@example.org', 'unsubscribed', daysAgo(400));
		await consent(optOut, 'abgemeldet@example.org', daysAgo(400), { confirmedAt: daysAgo(400), withdrawnAt: daysAgo(300) });
		await consent(optOut, 'abgemeldet@example.org', old);
		const confirmed = await sub('bestaetigt@example.org', 'confirmed', daysAgo(400));
		await consent(confirmed, 'bestaetigt@example.org', daysAgo(400), { confirmedAt: daysAgo(400) });

		const counts = await purgeExpiredData(conn);
		expect(counts).toMatchObject({ unconfirmedConsents: 3, unconfirmedSubscriptions: 1 });
		const subs = await conn.execute<{ email: string; status: string }>(sql`select email, status from infomail_subscribers order by email`);
		expect(subs.rows.map((r) => r.email)).toEqual(['abgemeldet@example.org', 'bestaetigt@example.org', 'erneut@example.org', 'neu-unbestaetigt@example.org']);
		const consents = await conn.execute<{ email: string; confirmed: boolean }>(
			sql`select email, confirmed_at is not null as confirmed from infomail_consents order by email, requested_at`
		);
		expect(consents.rows).toEqual([
			{ email: 'abgemeldet@example.org', confirmed: true },
			{ email: 'bestaetigt@example.org', confirmed: true },
			{ email: 'erneut@example.org', confirmed: false },
			{ email: 'neu-unbestaetigt@example.org', confirmed: false }
		]);
		expect(stale).toBeGreaterThan(0);
	});

	it('keeps exactly one scheduled purge job however often it is scheduled', async () => {
		const conn = t.database.db;
		await Promise.all([scheduleRetention(conn), scheduleRetention(conn), scheduleRetention(conn)]);
		await scheduleRetention(conn);
		const jobs = await conn.execute(sql`select count(*)::int as n from jobs where kind = 'retention.purge' and status = 'pending'`);
		expect(jobs.rows[0].n).toBe(1);
	});
});
