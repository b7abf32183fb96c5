/**
 * How long the platform keeps personal data — the periods promised on /datenschutz, in one
 * place. A daily job deletes what is older; each run writes one audit record with the counts.
 */
import { sql } from 'drizzle-orm';
import { recordAudit, systemActor } from '../audit';
import type { Db, DbOrTx } from '../db';
import { enqueueJob, type JobHandler } from '../jobs';

/** Retention periods in days, as stated on /datenschutz. */
export const RETENTION_DAYS = {
	/** Login attempts (throttling needs only 15 minutes). */
	loginAttempts: 30,
	/** Expired browser sessions. */
	expiredSessions: 0,
	/** Used or expired password-reset and invitation links. */
	accountTokens: 30,
	/** Sent mails in the outbox. */
	sentMails: 90,
	/** Audit log entries. */
	auditLog: 365,
	/** Accessibility feedback, counted from when it was marked done. */
	doneFeedback: 365,
	/** Finished background jobs. */
	finishedJobs: 30,
	/**
	 * Infomail subscription requests never confirmed (double opt-in): the request's consent
	 * record and, when nothing else is left of it, the pending subscriber. The link dies after
	 * 7 days; the rest of the month lets a confused subscriber's question still be answered.
	 * Confirmed and withdrawn consents stay as proof, and an opt-out is never deleted here.
	 */
	unconfirmedSubscriptions: 30
} as const;

const JOB_KIND = 'retention.purge';
const DAY_MS = 86_400_000;

/** Deletes everything past its retention period; returns the counts per kind. */
export async function purgeExpiredData(conn: Db, now = new Date()): Promise<Record<string, number>> {
	return conn.transaction(async (tx) => {
		const before = (days: number) => new Date(now.getTime() - days * DAY_MS);
		const count = async (q: ReturnType<typeof sql>) => (await tx.execute(q)).rowCount ?? 0;
		const counts = {
			loginAttempts: await count(sql`delete from login_attempts where at < ${before(RETENTION_DAYS.loginAttempts)}`),
			expiredSessions: await count(sql`delete from sessions where expires_at < ${before(RETENTION_DAYS.expiredSessions)}`),
			accountTokens: await count(
				sql`delete from account_tokens where (used_at is not null or expires_at < ${now}) and created_at < ${before(RETENTION_DAYS.accountTokens)}`
			),
			sentMails: await count(sql`delete from outbox_mails where status = 'sent' and sent_at < ${before(RETENTION_DAYS.sentMails)}`),
			auditLog: await count(sql`delete from audit_log where at < ${before(RETENTION_DAYS.auditLog)}`),
			doneFeedback: await count(sql`delete from accessibility_feedback where done_at < ${before(RETENTION_DAYS.doneFeedback)}`),
			finishedJobs: await count(sql`delete from jobs where status in ('done', 'failed') and finished_at < ${before(RETENTION_DAYS.finishedJobs)}`),
			unconfirmedConsents: await count(
				sql`delete from infomail_consents where confirmed_at is null and requested_at < ${before(RETENTION_DAYS.unconfirmedSubscriptions)}`
			),
			// After the statement above, a pending subscriber without any consent record has only old, unconfirmed requests.
			unconfirmedSubscriptions: await count(sql`delete from infomail_subscribers s where s.status = 'pending'
				and s.created_at < ${before(RETENTION_DAYS.unconfirmedSubscriptions)}
				and not exists (select 1 from infomail_consents c where c.subscriber_id = s.id)`)
		};
		if (Object.values(counts).some((n) => n > 0)) {
			await recordAudit(tx, systemActor, { action: 'retention.purged', objectType: 'system', changes: counts });
		}
		return counts;
	});
}

/** Makes sure one purge job is scheduled (called on every start; several processes are fine). */
export async function scheduleRetention(conn: Db): Promise<void> {
	await conn.transaction(async (tx) => {
		await tx.execute(sql`select pg_advisory_xact_lock(4711202614)`);
		const pending = await tx.execute(sql`select 1 from jobs where kind = ${JOB_KIND} and status in ('pending', 'running') limit 1`);
		if (!pending.rowCount) await enqueueJob(tx, JOB_KIND, {}, { runAt: new Date(Date.now() + 60_000) });
	});
}

export function retentionJobHandlers(conn: () => Db): Record<string, JobHandler> {
	return {
		[JOB_KIND]: async () => {
			await purgeExpiredData(conn());
			// The next run is scheduled by this one, so exactly one chain of daily runs exists.
			await enqueueJob(conn(), JOB_KIND, {}, { runAt: new Date(Date.now() + DAY_MS) });
		}
	};
}


