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

	it('keeps exactly one scheduled purge job however often it is scheduled', async () => {
		const conn = t.database.db;
		await Promise.all([scheduleRetention(conn), scheduleRetention(conn), scheduleRetention(conn)]);
		await scheduleRetention(conn);
		const jobs = await conn.execute(sql`select count(*)::int as n from jobs where kind = 'retention.purge' and status = 'pending'`);
		expect(jobs.rows[0].n).toBe(1);
	});
});
