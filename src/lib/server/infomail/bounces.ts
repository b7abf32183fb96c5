/**
 * Bounces reported by the MTA or the mail provider (`POST /api/v1/mail/bounces`). An address
 * with an uncleared hard bounce, or SOFT_BOUNCE_LIMIT soft bounces within SOFT_BOUNCE_DAYS,
 * is left out of every Infomail until a coordinator clears it.
 */
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emailSchema } from '../accounts';
import { recordAudit, type Actor } from '../audit';
import type { DbOrTx } from '../db';
import { requireCoordinator } from '../errors';
import { SOFT_BOUNCE_DAYS, SOFT_BOUNCE_LIMIT, suppressed } from './audiences';
import { infomailRecipients, mailBounces } from './schema';

export const bounceInput = z.object({
	/** The address that bounced. */
	email: emailSchema,
	/** hard: the address does not exist / is refused for good; soft: temporary (mailbox full, …). */
	type: z.enum(['hard', 'soft'], { error: 'type muss hard oder soft sein.' }),
	/** The server's reason, e.g. "550 5.1.1 user unknown". */
	reason: z.string().trim().max(2000).nullish(),
	/** Message-ID of the bounced mail, to link the bounce to its Infomail. */
	messageId: z.string().trim().max(500).nullish(),
	/** When the bounce happened (ISO 8601); default now. */
	occurredAt: z.coerce.date({ error: 'occurred_at muss ein Zeitpunkt nach ISO 8601 sein.' }).nullish()
});
export type BounceInput = z.input<typeof bounceInput>;

/** Records one bounce. Returns its id and whether the address is now left out of Infomails. */
export async function recordBounce(conn: DbOrTx, actor: Actor, input: BounceInput): Promise<{ id: number; suppressed: boolean; infomailId: number | null }> {
	requireCoordinator(actor);
	const v = bounceInput.parse(input);
	const email = v.email.toLowerCase();
	return conn.transaction(async (tx) => {
		let infomailId: number | null = null;
		if (v.messageId) {
			const id = v.messageId.startsWith('<') ? v.messageId : `<${v.messageId}>`;
			const [r] = await tx.select({ infomailId: infomailRecipients.infomailId }).from(infomailRecipients).where(eq(infomailRecipients.messageId, id));
			infomailId = r?.infomailId ?? null;
		}
		const [row] = await tx
			.insert(mailBounces)
			.values({ email, kind: v.type, reason: v.reason ?? null, messageId: v.messageId ?? null, infomailId, occurredAt: v.occurredAt ?? new Date() })
			.returning({ id: mailBounces.id });
		const [{ s }] = (await tx.execute<{ s: boolean }>(sql`select ${suppressed(sql`${email}::text`)} as s`)).rows;
		if (s) {
			// Not mailed any more, also not later in a send under way.
			await tx.execute(sql`update infomail_recipients set status = 'skipped', last_error = 'Adresse unzustellbar (Bounce).' where email = ${email} and status = 'pending'`);
		}
		await recordAudit(tx, actor, { action: 'mail_bounce.recorded', objectType: 'mail_bounce', objectId: row.id, changes: { type: v.type, infomailId, suppressed: s } });
		return { id: row.id, suppressed: s, infomailId };
	});
}

/** Releases an address again (e.g. the mailbox was repaired): its bounces no longer count. */
export async function clearBounces(conn: DbOrTx, actor: Actor, input: { email: string }): Promise<number> {
	requireCoordinator(actor);
	const email = emailSchema.parse(input.email).toLowerCase();
	return conn.transaction(async (tx) => {
		const rows = await tx
			.update(mailBounces)
			.set({ clearedAt: new Date() })
			.where(and(eq(mailBounces.email, email), isNull(mailBounces.clearedAt)))
			.returning({ id: mailBounces.id });
		if (rows.length) await recordAudit(tx, actor, { action: 'mail_bounce.cleared', objectType: 'mail_bounce', objectId: rows[0].id, changes: { bounces: rows.length } });
		return rows.length;
	});
}

export interface BouncedAddress {
	email: string;
	hard: number;
	soft: number;
	lastAt: Date;
	lastReason: string | null;
	suppressed: boolean;
}

/** Addresses with uncleared bounces, newest first; `suppressed` marks those no longer mailed. */
export async function listBouncedAddresses(conn: DbOrTx, opts: { limit?: number; offset?: number } = {}): Promise<{ items: BouncedAddress[]; total: number }> {
	const res = await conn.execute<{ email: string; hard: number; soft: number; last_at: string; last_reason: string | null; suppressed: boolean; total: number }>(sql`
		select b.email,
		       count(*) filter (where kind = 'hard')::int as hard,
		       count(*) filter (where kind = 'soft' and occurred_at > now() - make_interval(days => ${SOFT_BOUNCE_DAYS}))::int as soft,
		       max(occurred_at) as last_at,
		       (array_agg(reason order by occurred_at desc))[1] as last_reason,
		       (count(*) filter (where kind = 'hard') > 0
		         or count(*) filter (where kind = 'soft' and occurred_at > now() - make_interval(days => ${SOFT_BOUNCE_DAYS})) >= ${SOFT_BOUNCE_LIMIT}) as suppressed,
		       count(*) over ()::int as total
		  from mail_bounces b where cleared_at is null
		 group by b.email order by max(occurred_at) desc
		 limit ${opts.limit ?? 100} offset ${opts.offset ?? 0}`);
	return {
		items: res.rows.map((r) => ({ email: r.email, hard: r.hard, soft: r.soft, lastAt: new Date(r.last_at), lastReason: r.last_reason, suppressed: r.suppressed })),
		total: res.rows[0]?.total ?? 0
	};
}

export async function bouncesOfInfomail(conn: DbOrTx, infomailId: number) {
	return conn.select().from(mailBounces).where(eq(mailBounces.infomailId, infomailId)).orderBy(desc(mailBounces.id)).limit(500);
}
