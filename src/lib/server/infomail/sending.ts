/**
 * Sending an Infomail: durable, resumable, each recipient exactly once.
 *
 * When sending starts, the recipients are fixed in `infomail_recipients` (one row per
 * address). A *sending run* (job `infomail.send`) then mails them. Only one run per Infomail
 * is active at a time: it holds a PostgreSQL session advisory lock on its own connection, and
 * writes every state change through that same connection. If the process dies, PostgreSQL
 * ends the session and frees the lock at once; the next run (a watchdog job that is always
 * queued while a send is under way) takes over.
 *
 * Each recipient row goes `pending` → `sending` (claimed in batches) → `sent`/`failed`. The
 * message's final dot is held back until the row's `claimed_at` ("handed over") is committed:
 *   - `sending` without `claimed_at`: the server never saw the end of the message, so it
 *     cannot have accepted it. A run taking over sends it again. No duplicate is possible.
 *   - `sending` with `claimed_at`: the end of the message went out (or was about to, when the
 *     process died). A run taking over counts it as sent (`resumed` + 1, visible to
 *     coordinators), or with INFOMAIL_UNCERTAIN=resend sends it again.
 * So the only window without a guarantee is between the commit of `claimed_at` and the final
 * dot reaching the server (microseconds in the same event-loop turn): a mail killed exactly
 * there is counted but not delivered (at most once). With `resend` the window is instead
 * from the final dot to the commit of `sent` (milliseconds): a duplicate (at least once),
 * recognisable by its unchanged Message-ID.
 */
import { randomInt } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import { recordAudit, systemActor } from '../audit';
import { config } from '../config';
import type { Database, DbOrTx } from '../db';
import { enqueueJob, type JobHandler } from '../jobs';
import { recipientsQuery } from './audiences';
import { infomailHeaders, mailDomain, personalise, renderInfomailTemplate, replyTo, unsubscribeUrls } from './content';
import { infomails, type InfomailSection } from './schema';
import { bulkComposer } from './mime';
import { parseSmtpUrl, SmtpPool, type PendingSend, type SmtpResult } from './smtp-pool';

/** last_error of a row a taking-over run counted as sent (assume-sent): its delivery is uncertain. */
export const ASSUMED_SENT_NOTE = 'Versand wurde während der Übergabe unterbrochen; als gesendet gewertet.';

/** Advisory-lock class of the "one run per Infomail" lock (two-int key space). */
const RUN_LOCK_CLASS = 47_112_026;

function envInt(name: string, fallback: number, min: number, max: number): number {
	const v = Number(process.env[name]);
	return Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

export interface SenderSettings {
	/** SMTP connections of one run (INFOMAIL_SMTP_CONNECTIONS, default 8). */
	connections: number;
	/** Seconds between checks of the watchdog job while a send is under way (INFOMAIL_WATCHDOG_SECONDS, default 15). */
	watchdogSeconds: number;
	/** Attempts per recipient before a temporary failure becomes final (INFOMAIL_MAX_ATTEMPTS, default 6). */
	maxAttempts: number;
	/** What a run taking over does with a mail whose end was handed to the server: `assume-sent` (default) or `resend`. */
	uncertain: 'assume-sent' | 'resend';
}

export function senderSettings(): SenderSettings {
	return {
		connections: envInt('INFOMAIL_SMTP_CONNECTIONS', 8, 1, 100),
		watchdogSeconds: envInt('INFOMAIL_WATCHDOG_SECONDS', 15, 1, 3600),
		maxAttempts: envInt('INFOMAIL_MAX_ATTEMPTS', 6, 1, 50),
		uncertain: process.env.INFOMAIL_UNCERTAIN === 'resend' ? 'resend' : 'assume-sent'
	};
}

/** Delay before attempt n+1 of one recipient: 30 s, 60 s, 120 s … at most one hour. */
export function recipientBackoffSeconds(attempts: number): number {
	return Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));
}

/**
 * Fixes the recipients and starts the send, in the caller's transaction (the Infomail row is
 * locked by the caller). Returns the number of recipients.
 */
export async function fixRecipientsAndStart(tx: DbOrTx, infomailId: number, audienceKeys: string[]): Promise<number> {
	const domain = mailDomain();
	// One statement for any number of recipients; the unique (infomail_id, email) keeps a
	// repeated start from adding anybody twice.
	const res = await tx.execute(sql`
		insert into infomail_recipients (infomail_id, email, name, audience, message_id, unsubscribe_token)
		select ${infomailId}, r.email, r.name, r.audience,
		       '<infomail.' || ${infomailId}::text || '.' || replace(gen_random_uuid()::text, '-', '') || '@' || ${domain}::text || '>',
		       replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
		  from (${recipientsQuery(audienceKeys)}) r
		on conflict (infomail_id, email) do nothing`);
	void res;
	const [{ n }] = (await tx.execute<{ n: number }>(sql`select count(*)::int as n from infomail_recipients where infomail_id = ${infomailId}`)).rows;
	await tx
		.update(infomails)
		.set({ status: 'sending', startedAt: new Date(), recipientCount: n, updatedAt: new Date() })
		.where(eq(infomails.id, infomailId));
	await scheduleSender(tx, infomailId, new Date());
	return n;
}

/**
 * Makes sure a pending `infomail.send` job exists for the Infomail, due at `at` at the latest.
 * There is never more than one pending: a run that ends early or the watchdog moves it.
 */
export async function scheduleSender(tx: DbOrTx, infomailId: number, at: Date): Promise<void> {
	const moved = await tx.execute(sql`
		update jobs set run_at = least(run_at, ${at.toISOString()}::timestamptz)
		 where kind = 'infomail.send' and status = 'pending' and payload->>'infomailId' = ${String(infomailId)}
		returning id`);
	if (moved.rows.length) {
		await tx.execute(sql`select pg_notify('kommunennetz_jobs', 'infomail.send')`);
		return;
	}
	await enqueueJob(tx, 'infomail.send', { infomailId }, { runAt: at, maxAttempts: 1000 });
}

interface ClaimedRow {
	id: number;
	email: string;
	name: string | null;
	audience: string;
	message_id: string;
	unsubscribe_token: string;
	attempts: number;
}

type Outcome = { id: number; status: 'sent' | 'pending' | 'failed'; error: string | null; delay: number };

export interface RunReport {
	/** Why the run ended. */
	ended: 'finished' | 'busy' | 'not_sending' | 'paused' | 'cancelled' | 'more_later';
	sent: number;
	failed: number;
	retried: number;
	/** Rows found `sending` from a dead run: sent again (certainly undelivered) … */
	takenOverResent: number;
	/** … and handed over before the run died (counted as sent, or resent with `resend`). */
	takenOverUncertain: number;
}

/**
 * One sending run for an Infomail. Returns when everything due is done, the send was
 * cancelled, the SMTP server is unreachable (resumed later), or another run is active.
 */
export async function runSender(database: Pick<Database, 'db' | 'pool'>, infomailId: number, settings: SenderSettings = senderSettings()): Promise<RunReport> {
	const report: RunReport = { ended: 'finished', sent: 0, failed: 0, retried: 0, takenOverResent: 0, takenOverUncertain: 0 };
	const client = await database.pool.connect();
	let locked = false;
	let clientBroken = false;
	client.on('error', () => (clientBroken = true));
	try {
		locked = (await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [RUN_LOCK_CLASS, infomailId])).rows[0].ok;
		if (!locked) {
			// Another run is alive; this job only keeps the watchdog queued.
			const [row] = await database.db.select({ status: infomails.status }).from(infomails).where(eq(infomails.id, infomailId));
			if (row?.status === 'sending') await scheduleSender(database.db, infomailId, new Date(Date.now() + settings.watchdogSeconds * 1000));
			report.ended = 'busy';
			return report;
		}
		const [mail] = await database.db.select().from(infomails).where(eq(infomails.id, infomailId));
		if (!mail || mail.status !== 'sending') {
			report.ended = 'not_sending';
			return report;
		}
		const smtpUrl = config().smtpUrl;
		if (!smtpUrl) throw new Error('Kein SMTP-Server eingerichtet (SMTP_URL).');

		// Holding the lock, every row still `sending` belongs to a run that died.
		const takeover = await client.query<{ handed: boolean; n: number }>(
			`with s as (
			   select id, claimed_at is not null as handed from infomail_recipients
			    where infomail_id = $1 and status = 'sending' for update),
			 u as (
			   update infomail_recipients r
			      set status = case when s.handed and $2 = 'assume-sent' then 'sent'::infomail_recipient_status else 'pending'::infomail_recipient_status end,
			          sent_at = case when s.handed and $2 = 'assume-sent' then r.claimed_at else r.sent_at end,
			          resumed = r.resumed + case when s.handed then 1 else 0 end,
			          last_error = case when s.handed then
			                         case when $2 = 'assume-sent' then $3::text
			                              else 'Versand wurde während der Übergabe unterbrochen; erneut gesendet.' end
			                       else r.last_error end,
			          claimed_at = null, lease_owner = null
			     from s where r.id = s.id
			   returning s.handed)
			 select handed, count(*)::int as n from u group by handed`,
			[infomailId, settings.uncertain, ASSUMED_SENT_NOTE]
		);
		for (const r of takeover.rows) {
			if (r.handed) report.takenOverUncertain += r.n;
			else report.takenOverResent += r.n;
		}
		// A watchdog: should this process die, the next run starts within watchdogSeconds.
		await scheduleSender(database.db, infomailId, new Date(Date.now() + settings.watchdogSeconds * 1000));

		const owner = randomInt(1, 2 ** 31 - 1);
		const from = config().mailFrom;
		const envelopeFrom = from.match(/<([^>]+)>/)?.[1] ?? from.trim();
		const reply = replyTo();
		const template = renderInfomailTemplate({ id: mail.id, subject: mail.subject, intro: mail.intro, sections: mail.sections as InfomailSection[] });
		const pool = new SmtpPool(parseSmtpUrl(smtpUrl), settings.connections);
		const rate = Math.max(1, mail.ratePerSecond);

		let stop: RunReport['ended'] | undefined;
		const queue: ClaimedRow[] = [];
		let exhausted = false;
		let claiming: Promise<void> | undefined;
		let lastStatusCheck = Date.now();

		// Every write goes through `client`, the connection that holds the lock: if that session
		// is gone, so is the right to write, and another run may take over.
		const committer = new GroupCommitter(client, infomailId, owner, () => (clientBroken = true));

		async function refill(): Promise<void> {
			const batch = Math.max(20, Math.min(500, Math.ceil(rate / 2)));
			const res = await client.query<ClaimedRow>(
				`update infomail_recipients r set status = 'sending', lease_owner = $2, claimed_at = null
				  where r.id in (select id from infomail_recipients
				                  where infomail_id = $1 and status = 'pending' and next_attempt_at <= now()
				                  order by id limit $3 for update skip locked)
				    and exists (select 1 from infomails i where i.id = $1 and i.status = 'sending')
				 returning r.id, r.email, r.name, r.audience, r.message_id, r.unsubscribe_token, r.attempts`,
				[infomailId, owner, batch]
			);
			if (!res.rows.length) exhausted = true;
			queue.push(...res.rows.sort((a, b) => a.id - b.id));
		}
		async function next(): Promise<ClaimedRow | undefined> {
			while (!queue.length && !exhausted && !stop) {
				claiming ??= refill().finally(() => (claiming = undefined));
				await claiming;
			}
			return stop ? undefined : queue.shift();
		}
		async function checkStatus(): Promise<void> {
			if (Date.now() - lastStatusCheck < 1000) return;
			lastStatusCheck = Date.now();
			const r = await client.query<{ status: string }>('select status from infomails where id = $1', [infomailId]);
			if (r.rows[0]?.status !== 'sending') stop ??= 'cancelled';
		}

		// Even spacing at the configured rate; a slow moment may be caught up for at most one second.
		let nextSlot = Date.now();
		async function pace(): Promise<void> {
			const now = Date.now();
			nextSlot = Math.max(nextSlot, now - 1000);
			const wait = nextSlot - now;
			nextSlot += 1000 / rate;
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		}

		const composeMime = bulkComposer({ from, replyTo: reply, subject: template.subject, headers: {} });
		function compose(row: ClaimedRow): Buffer {
			const urls = unsubscribeUrls(row.unsubscribe_token);
			const body = personalise(template, { name: row.name, unsubscribeUrl: urls.page, audience: row.audience });
			return composeMime({ to: row.email, name: row.name, messageId: row.message_id, date: new Date(), headers: infomailHeaders(row.unsubscribe_token), text: body.text, html: body.html });
		}

		async function deliver(row: ClaimedRow): Promise<void> {
			const raw = compose(row);
			const pending: PendingSend = await pool.start({ from: envelopeFrom, to: row.email }, raw);
			// Hand over only once the server is ready for the data: until then it cannot accept the mail.
			if (await pending.ready) {
				try {
					await committer.handOver(row.id);
				} catch (e) {
					// Not recorded as handed over: the message must not be completed.
					pending.abort();
					throw e;
				}
				pending.release();
			}
			const result: SmtpResult = await pending.result;
			if (result.ok) {
				report.sent++;
				committer.outcome({ id: row.id, status: 'sent', error: null, delay: 0 });
				return;
			}
			const permanent = result.responseCode !== undefined && result.responseCode >= 500;
			const attempts = row.attempts + 1;
			if (permanent || attempts >= settings.maxAttempts) {
				report.failed++;
				committer.outcome({ id: row.id, status: 'failed', error: describe(result), delay: 0 });
			} else {
				report.retried++;
				committer.outcome({ id: row.id, status: 'pending', error: describe(result), delay: recipientBackoffSeconds(attempts) });
			}
			// Server unreachable: pause the whole run instead of burning every recipient's attempts.
			if (result.network) stop ??= 'paused';
		}

		async function slot(): Promise<void> {
			for (;;) {
				await checkStatus();
				if (stop) return;
				const row = await next();
				if (!row) return;
				await pace();
				if (stop) {
					queue.unshift(row);
					return;
				}
				await deliver(row);
				if (clientBroken) throw new Error('Die Datenbankverbindung des Versandlaufs ist abgerissen.');
			}
		}

		try {
			await Promise.all(Array.from({ length: settings.connections }, () => slot()));
			await committer.flush();
		} finally {
			pool.close();
		}
		// Claimed but never started: back to the queue, or left out when cancelled.
		if (queue.length && !clientBroken) {
			const ids = queue.map((r) => r.id);
			await client.query(
				`update infomail_recipients set status = $3::infomail_recipient_status, lease_owner = null
				  where id = any($1::bigint[]) and lease_owner = $2 and status = 'sending' and claimed_at is null`,
				[ids, owner, stop === 'cancelled' ? 'cancelled' : 'pending']
			);
		}
		if (stop === 'cancelled') {
			report.ended = 'cancelled';
			return report;
		}

		const left = (
			await client.query<{ pending: number; sending: number; next_at: Date | null }>(
				`select count(*) filter (where status = 'pending')::int as pending,
				        count(*) filter (where status = 'sending')::int as sending,
				        min(next_attempt_at) filter (where status = 'pending') as next_at
				   from infomail_recipients where infomail_id = $1`,
				[infomailId]
			)
		).rows[0];
		if (left.pending === 0 && left.sending === 0) {
			await database.db.transaction(async (tx) => {
				const done = await tx
					.update(infomails)
					.set({ status: 'sent', finishedAt: new Date(), updatedAt: new Date() })
					.where(sql`${infomails.id} = ${infomailId} and ${infomails.status} = 'sending'`)
					.returning({ id: infomails.id });
				if (done.length) await recordAudit(tx, systemActor, { action: 'infomail.sent', objectType: 'infomail', objectId: infomailId });
			});
			report.ended = 'finished';
			return report;
		}
		const at = stop === 'paused' ? new Date(Date.now() + 30_000) : new Date(Math.max(Date.now() + 1000, left.next_at?.getTime() ?? Date.now() + 30_000));
		await database.db.execute(sql`update jobs set run_at = ${at.toISOString()}::timestamptz
		  where kind = 'infomail.send' and status = 'pending' and payload->>'infomailId' = ${String(infomailId)}`);
		report.ended = stop === 'paused' ? 'paused' : 'more_later';
		return report;
	} finally {
		if (locked && !clientBroken) await client.query('select pg_advisory_unlock($1, $2)', [RUN_LOCK_CLASS, infomailId]).catch(() => undefined);
		// A broken session is not given back to the pool.
		client.release(clientBroken ? new Error('broken') : undefined);
	}
}

function describe(r: SmtpResult): string {
	return (r.responseCode ? `${r.responseCode} ${r.error ?? ''}` : (r.error ?? 'Unbekannter Fehler')).slice(0, 1000);
}

/**
 * Batches the run's row updates into few commits ("group commit"): everything that arrives
 * while one statement runs goes into the next. `handOver` resolves once the row's hand-over
 * is committed; outcomes need no wait.
 */
class GroupCommitter {
	private handed: { id: number; resolve: () => void; reject: (e: Error) => void }[] = [];
	private outcomes: Outcome[] = [];
	private running: Promise<void> | undefined;
	private failed: Error | undefined;

	constructor(
		private client: pg.PoolClient,
		private infomailId: number,
		private owner: number,
		private onBroken: () => void
	) {}

	handOver(id: number): Promise<void> {
		if (this.failed) return Promise.reject(this.failed);
		return new Promise((resolve, reject) => {
			this.handed.push({ id, resolve, reject });
			this.kick();
		});
	}

	outcome(o: Outcome): void {
		this.outcomes.push(o);
		this.kick();
	}

	async flush(): Promise<void> {
		while (this.running) await this.running;
		if (this.failed) throw this.failed;
	}

	private kick() {
		this.running ??= this.loop().finally(() => (this.running = undefined));
	}

	private async loop(): Promise<void> {
		while (this.handed.length || this.outcomes.length) {
			const handed = this.handed.splice(0);
			const outcomes = this.outcomes.splice(0);
			try {
				await this.client.query(
					`with h as (
					   update infomail_recipients set claimed_at = now()
					    where id = any($1::bigint[]) and lease_owner = $3 and status = 'sending'
					   returning id),
					 o as (
					   update infomail_recipients r
					      set status = v.status::infomail_recipient_status,
					          sent_at = case when v.status = 'sent' then now() else r.sent_at end,
					          attempts = r.attempts + 1,
					          last_error = v.error,
					          next_attempt_at = case when v.status = 'pending' then now() + make_interval(secs => v.delay) else r.next_attempt_at end,
					          claimed_at = null, lease_owner = null
					     from unnest($2::bigint[], $4::text[], $5::text[], $6::int[]) as v(id, status, error, delay)
					    where r.id = v.id and r.lease_owner = $3 and r.status = 'sending'
					   returning r.id)
					 select (select count(*) from h)::int as h, (select count(*) from o)::int as o`,
					[handed.map((h) => h.id), outcomes.map((o) => o.id), this.owner, outcomes.map((o) => o.status), outcomes.map((o) => o.error), outcomes.map((o) => o.delay)]
				);
				for (const h of handed) h.resolve();
			} catch (e) {
				this.failed = e as Error;
				this.onBroken();
				for (const h of [...handed, ...this.handed.splice(0)]) h.reject(this.failed);
				this.outcomes = [];
				return;
			}
		}
	}
}

/** Job handlers of the Infomail: `infomail.start` (a scheduled send is due) and `infomail.send` (a sending run). */
export function infomailJobHandlers(database: () => Pick<Database, 'db' | 'pool'>): Record<string, JobHandler> {
	return {
		'infomail.start': async (payload) => {
			const id = Number(payload.infomailId);
			if (!Number.isSafeInteger(id)) return;
			await database().db.transaction(async (tx) => {
				const [mail] = await tx.select().from(infomails).where(eq(infomails.id, id)).for('update');
				// Cancelled, already started, or moved to a later time by a newer job.
				if (!mail || mail.status !== 'scheduled' || (mail.scheduledAt && mail.scheduledAt.getTime() > Date.now() + 1000)) return;
				const n = await fixRecipientsAndStart(tx, id, mail.audiences);
				await recordAudit(tx, systemActor, { action: 'infomail.started', objectType: 'infomail', objectId: id, changes: { recipients: n, scheduled: true } });
			});
		},
		'infomail.send': async (payload) => {
			const id = Number(payload.infomailId);
			if (!Number.isSafeInteger(id)) return;
			await runSender(database(), id);
		}
	};
}
