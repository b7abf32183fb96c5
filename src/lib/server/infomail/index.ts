/**
 * Infomail: the network's regular mail about developments at federal, state and municipal
 * level. Compose (drafts, "new from the last issue", preview, test mail), audiences, durable
 * sending (sending.ts), subscriptions with double opt-in (subscriptions.ts), bounces
 * (bounces.ts) and the public archive.
 */
import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emailSchema } from '../accounts';
import { users } from '../accounts/schema';
import { recordAudit, type Actor } from '../audit';
import { config } from '../config';
import type { DbOrTx } from '../db';
import { DomainError, notFound, requireCoordinator } from '../errors';
import { enqueueJob } from '../jobs';
import { enqueueMail } from '../mail';
import { audienceKeys, audienceLabel, audiences, recipientsQuery, suppressed } from './audiences';
import { infomailHeaders, normaliseSections, personalise, renderInfomailTemplate, replyTo, sectionSchema, unsubscribeUrls } from './content';
import { ASSUMED_SENT_NOTE, fixRecipientsAndStart, scheduleSender } from './sending';
import { infomailRecipients, infomails, infomailSubscribers, type InfomailSection } from './schema';

export { audiences, registerAudience, type AudienceResolver } from './audiences';
export { CONSENT_TEXTS, CURRENT_CONSENT_VERSION } from './subscriptions';
export { LEVEL_LABELS, ITEM_REF_KINDS } from './content';

export type InfomailStatus = 'draft' | 'scheduled' | 'sending' | 'sent' | 'cancelled';
export const INFOMAIL_STATUS_LABELS: Record<InfomailStatus, string> = {
	draft: 'Entwurf',
	scheduled: 'geplant',
	sending: 'wird gesendet',
	sent: 'gesendet',
	cancelled: 'abgebrochen'
};
export const RECIPIENT_STATUSES = ['pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];
export const RECIPIENT_STATUS_LABELS: Record<RecipientStatus, string> = {
	pending: 'wartet',
	sending: 'wird übergeben',
	sent: 'gesendet',
	failed: 'fehlgeschlagen',
	cancelled: 'abgebrochen',
	skipped: 'ausgelassen'
};

/** Default and bounds of the sending rate (mails per second). */
export const DEFAULT_RATE = 100;
export const MAX_RATE = 10_000;

const audienceList = z
	.array(z.string(), { error: 'Bitte wählen Sie mindestens einen Empfängerkreis.' })
	.transform((a) => [...new Set(a)])
	.superRefine((a, ctx) => {
		const known = audienceKeys();
		for (const k of a) if (!known.includes(k)) ctx.addIssue({ code: 'custom', message: `Unbekannter Empfängerkreis „${k}“. Möglich: ${known.join(', ')}.` });
	});

export const infomailInput = z.object({
	/** Subject line, also the title in the archive. */
	subject: z.string({ error: 'Bitte geben Sie einen Betreff an.' }).trim().min(3, 'Bitte geben Sie einen Betreff an (mindestens 3 Zeichen).').max(200, 'Der Betreff darf höchstens 200 Zeichen lang sein.'),
	/** Introduction (markdown). */
	intro: z.string().max(20_000, 'Die Einleitung darf höchstens 20.000 Zeichen lang sein.').default(''),
	/** Sections by level with their items; empty sections are dropped. */
	sections: z.array(sectionSchema).max(8).default([]),
	/** Audience keys, e.g. ["member_contacts", "subscribers"]. */
	audiences: audienceList.default(['member_contacts', 'subscribers'])
});
export type InfomailInput = z.input<typeof infomailInput>;

/** Creates a draft. Coordinators only. */
export async function createInfomail(conn: DbOrTx, actor: Actor, input: InfomailInput): Promise<number> {
	requireCoordinator(actor);
	const v = infomailInput.parse(input);
	return conn.transaction(async (tx) => {
		const [row] = await tx
			.insert(infomails)
			.values({ subject: v.subject, intro: v.intro, sections: normaliseSections(v.sections), audiences: v.audiences, createdBy: actor.userId ?? null, ratePerSecond: DEFAULT_RATE })
			.returning({ id: infomails.id });
		await recordAudit(tx, actor, { action: 'infomail.created', objectType: 'infomail', objectId: row.id, changes: { subject: v.subject, audiences: v.audiences } });
		return row.id;
	});
}

export const idInput = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

async function lockInfomail(tx: DbOrTx, id: number) {
	const [mail] = await tx.select().from(infomails).where(eq(infomails.id, id)).for('update');
	if (!mail) throw notFound('Diese Infomail gibt es nicht.');
	return mail;
}

/** Changes a draft (or a scheduled Infomail, whose content is taken when sending starts). */
export async function updateInfomail(conn: DbOrTx, actor: Actor, input: InfomailInput & { id: number }): Promise<void> {
	requireCoordinator(actor);
	const { id } = idInput.parse(input);
	const v = infomailInput.parse(input);
	await conn.transaction(async (tx) => {
		const mail = await lockInfomail(tx, id);
		if (mail.status !== 'draft' && mail.status !== 'scheduled')
			throw new DomainError('conflict', `Diese Infomail ist ${INFOMAIL_STATUS_LABELS[mail.status]} und kann nicht mehr geändert werden. Legen Sie eine neue an („Neu aus letzter Ausgabe“).`);
		await tx
			.update(infomails)
			.set({ subject: v.subject, intro: v.intro, sections: normaliseSections(v.sections), audiences: v.audiences, updatedAt: new Date() })
			.where(eq(infomails.id, id));
		const changes: Record<string, unknown> = {};
		if (mail.subject !== v.subject) changes.subject = [mail.subject, v.subject];
		if (JSON.stringify(mail.audiences) !== JSON.stringify(v.audiences)) changes.audiences = [mail.audiences, v.audiences];
		await recordAudit(tx, actor, { action: 'infomail.updated', objectType: 'infomail', objectId: id, changes });
	});
}

/** A new draft with the structure and content of the latest Infomail, as a start for the next issue. */
export async function createInfomailFromLast(conn: DbOrTx, actor: Actor): Promise<number> {
	requireCoordinator(actor);
	return conn.transaction(async (tx) => {
		const [last] = await tx.select().from(infomails).orderBy(desc(infomails.id)).limit(1);
		if (!last) throw notFound('Es gibt noch keine Infomail, die als Vorlage dienen kann.');
		const [row] = await tx
			.insert(infomails)
			.values({ subject: last.subject, intro: last.intro, sections: last.sections, audiences: last.audiences, createdBy: actor.userId ?? null, ratePerSecond: last.ratePerSecond })
			.returning({ id: infomails.id });
		await recordAudit(tx, actor, { action: 'infomail.created', objectType: 'infomail', objectId: row.id, changes: { copiedFrom: last.id } });
		return row.id;
	});
}

/** Deletes a draft. */
export async function deleteInfomail(conn: DbOrTx, actor: Actor, input: { id: number }): Promise<void> {
	requireCoordinator(actor);
	const { id } = idInput.parse(input);
	await conn.transaction(async (tx) => {
		const mail = await lockInfomail(tx, id);
		if (mail.status !== 'draft') throw new DomainError('conflict', 'Nur Entwürfe können gelöscht werden.');
		await tx.delete(infomails).where(eq(infomails.id, id));
		await recordAudit(tx, actor, { action: 'infomail.deleted', objectType: 'infomail', objectId: id, changes: { subject: mail.subject } });
	});
}

export const sendInput = z.object({
	id: z.coerce.number().int().positive().max(2_147_483_647),
	/** Start at this time instead of now. */
	at: z.coerce.date({ error: 'Bitte geben Sie einen gültigen Zeitpunkt an.' }).nullish(),
	/** Mails per second (1–10.000); default 100. */
	rate: z.coerce
		.number({ error: 'Die Versandrate muss eine Zahl sein.' })
		.int('Die Versandrate muss eine ganze Zahl sein.')
		.min(1, 'Die Versandrate ist mindestens 1 Mail pro Sekunde.')
		.max(MAX_RATE, `Die Versandrate ist höchstens ${MAX_RATE} Mails pro Sekunde.`)
		.nullish()
});
export type SendInput = z.input<typeof sendInput>;

function assertSendable(mail: typeof infomails.$inferSelect): void {
	if (!mail.audiences.length) throw new DomainError('validation', 'Bitte wählen Sie mindestens einen Empfängerkreis.', { audiences: ['Bitte wählen Sie mindestens einen Empfängerkreis.'] });
	const sections = mail.sections as InfomailSection[];
	if (!mail.intro.trim() && !sections.some((s) => s.items.length)) throw new DomainError('validation', 'Die Infomail ist leer: Bitte schreiben Sie eine Einleitung oder mindestens einen Beitrag.');
	if (!config().smtpUrl) throw new DomainError('conflict', 'Es ist kein SMTP-Server eingerichtet (SMTP_URL); Infomails können nicht versendet werden.');
}

/**
 * Sends a draft now (recipients are fixed in this transaction) or schedules it for `at`
 * (recipients are fixed when that time comes). Refuses when nobody would receive it.
 */
export async function sendInfomail(conn: DbOrTx, actor: Actor, input: SendInput): Promise<{ status: InfomailStatus; recipients: number | null; scheduledAt: Date | null }> {
	requireCoordinator(actor);
	const v = sendInput.parse(input);
	return conn.transaction(async (tx) => {
		const mail = await lockInfomail(tx, v.id);
		if (mail.status !== 'draft' && mail.status !== 'scheduled')
			throw new DomainError('conflict', `Diese Infomail ist bereits ${INFOMAIL_STATUS_LABELS[mail.status]}.`);
		assertSendable(mail);
		const rate = v.rate ?? mail.ratePerSecond;
		const [{ n }] = (await tx.execute<{ n: number }>(sql`select count(*)::int as n from (${recipientsQuery(mail.audiences)}) r`)).rows;
		if (n === 0) throw new DomainError('conflict', 'Die gewählten Empfängerkreise enthalten keine einzige Adresse. Die Infomail wird nicht versendet.');
		if (v.at && v.at.getTime() > Date.now() + 60_000) {
			await tx.update(infomails).set({ status: 'scheduled', scheduledAt: v.at, ratePerSecond: rate, updatedAt: new Date() }).where(eq(infomails.id, v.id));
			await enqueueJob(tx, 'infomail.start', { infomailId: v.id }, { runAt: v.at });
			await recordAudit(tx, actor, { action: 'infomail.scheduled', objectType: 'infomail', objectId: v.id, changes: { scheduledAt: v.at.toISOString(), rate } });
			return { status: 'scheduled' as const, recipients: null, scheduledAt: v.at };
		}
		if (v.at && v.at.getTime() < Date.now() - 60_000)
			throw new DomainError('validation', 'Der Zeitpunkt liegt in der Vergangenheit.', { at: ['Der Zeitpunkt liegt in der Vergangenheit.'] });
		await tx.update(infomails).set({ ratePerSecond: rate, scheduledAt: null }).where(eq(infomails.id, v.id));
		const count = await fixRecipientsAndStart(tx, v.id, mail.audiences);
		await recordAudit(tx, actor, { action: 'infomail.started', objectType: 'infomail', objectId: v.id, changes: { recipients: count, rate } });
		return { status: 'sending' as const, recipients: count, scheduledAt: null };
	});
}

/**
 * Stops an Infomail: a scheduled one goes back to draft; a running send stops after the
 * mails already being handed over, the others are left out (status cancelled).
 */
export async function cancelInfomail(conn: DbOrTx, actor: Actor, input: { id: number }): Promise<{ status: InfomailStatus }> {
	requireCoordinator(actor);
	const { id } = idInput.parse(input);
	return conn.transaction(async (tx) => {
		const mail = await lockInfomail(tx, id);
		if (mail.status === 'scheduled') {
			await tx.update(infomails).set({ status: 'draft', scheduledAt: null, updatedAt: new Date() }).where(eq(infomails.id, id));
			await recordAudit(tx, actor, { action: 'infomail.unscheduled', objectType: 'infomail', objectId: id });
			return { status: 'draft' as const };
		}
		if (mail.status !== 'sending') throw new DomainError('conflict', `Diese Infomail ist ${INFOMAIL_STATUS_LABELS[mail.status]}; abbrechen lässt sich nur ein geplanter oder laufender Versand.`);
		await tx.update(infomails).set({ status: 'cancelled', cancelledAt: new Date(), finishedAt: new Date(), updatedAt: new Date() }).where(eq(infomails.id, id));
		const res = await tx.execute(sql`update infomail_recipients set status = 'cancelled' where infomail_id = ${id} and status = 'pending' returning id`);
		await recordAudit(tx, actor, { action: 'infomail.cancelled', objectType: 'infomail', objectId: id, changes: { leftOut: res.rows.length } });
		return { status: 'cancelled' as const };
	});
}

/** SQL condition: a row a taking-over run counted as sent although its delivery is uncertain (see sending.ts). */
const uncertainRow = sql`r.status = 'sent' and r.resumed > 0 and r.last_error = ${ASSUMED_SENT_NOTE}`;

/** How many recipients of an Infomail were counted as sent after a crash without certainty (and not yet sent again). */
export async function uncertainCount(conn: DbOrTx, id: number): Promise<number> {
	const res = await conn.execute<{ n: number }>(sql`select count(*)::int as n from infomail_recipients r where r.infomail_id = ${id} and ${uncertainRow}`);
	return res.rows[0].n;
}

/**
 * Sends once more the mails a run taking over after a crash counted as sent although the
 * process died while handing them over (INFOMAIL_UNCERTAIN=assume-sent). Each goes out with
 * its original Message-ID, so a mail that did arrive the first time can be recognised as a
 * duplicate. Addresses unsubscribed or bounced since are left out. A finished Infomail goes
 * back to "sending" until these few are through. Returns how many were queued.
 */
export async function resendUncertain(conn: DbOrTx, actor: Actor, input: { id: number }): Promise<{ resent: number }> {
	requireCoordinator(actor);
	const { id } = idInput.parse(input);
	return conn.transaction(async (tx) => {
		const mail = await lockInfomail(tx, id);
		if (mail.status !== 'sent' && mail.status !== 'sending')
			throw new DomainError('conflict', `Diese Infomail ist ${INFOMAIL_STATUS_LABELS[mail.status]}; erneut senden lässt sich nur bei einer gesendeten oder laufenden Infomail.`);
		if (!config().smtpUrl) throw new DomainError('conflict', 'Es ist kein SMTP-Server eingerichtet (SMTP_URL); Infomails können nicht versendet werden.');
		const res = await tx.execute(sql`
			update infomail_recipients r
			   set status = 'pending', next_attempt_at = now(),
			       last_error = 'Zustellung nach Unterbrechung unsicher; wird auf Wunsch der Koordinierungsstelle erneut gesendet.'
			 where r.infomail_id = ${id} and ${uncertainRow} and not ${suppressed(sql`r.email`)}
			returning r.id`);
		const resent = res.rows.length;
		if (resent === 0) throw new DomainError('conflict', 'Bei dieser Infomail gibt es keine unsicheren Zustellungen (mehr), die erneut gesendet werden könnten.');
		if (mail.status === 'sent') await tx.update(infomails).set({ status: 'sending', finishedAt: null, updatedAt: new Date() }).where(eq(infomails.id, id));
		await scheduleSender(tx, id, new Date());
		await recordAudit(tx, actor, { action: 'infomail.uncertain_resent', objectType: 'infomail', objectId: id, changes: { recipients: resent } });
		return { resent };
	});
}

export const testMailInput = z.object({
	id: z.coerce.number().int().positive().max(2_147_483_647),
	/** Where the test goes. */
	email: emailSchema
});

/**
 * Sends the Infomail as it will look to one address (with its salutation when the address is
 * known), through the outbox, subject marked [Test]. The unsubscribe link in it does nothing.
 */
export async function sendTestInfomail(conn: DbOrTx, actor: Actor, input: z.input<typeof testMailInput>): Promise<number> {
	requireCoordinator(actor);
	const v = testMailInput.parse(input);
	const email = v.email.toLowerCase();
	return conn.transaction(async (tx) => {
		const [mail] = await tx.select().from(infomails).where(eq(infomails.id, v.id));
		if (!mail) throw notFound('Diese Infomail gibt es nicht.');
		const name = await knownName(tx, email);
		const template = renderInfomailTemplate({ id: mail.id, subject: mail.subject, intro: mail.intro, sections: mail.sections as InfomailSection[] });
		const token = 'testmail-ohne-wirkung';
		const body = personalise(template, { name, unsubscribeUrl: unsubscribeUrls(token).page, audience: 'test' });
		const outboxId = await enqueueMail(tx, {
			to: email,
			toName: name,
			template: 'infomail_test',
			subject: `[Test] ${body.subject}`,
			html: body.html,
			text: body.text,
			headers: { ...infomailHeaders(token), 'Reply-To': replyTo() }
		});
		await recordAudit(tx, actor, { action: 'infomail.test_sent', objectType: 'infomail', objectId: v.id, changes: { to: email, outboxId } });
		return outboxId;
	});
}

/** The name of an address, from the accounts or the subscribers, for the salutation. */
async function knownName(tx: DbOrTx, email: string): Promise<string | null> {
	const [u] = await tx.select({ name: users.name }).from(users).where(sql`lower(${users.email}) = ${email}`);
	if (u) return u.name;
	const [s] = await tx.select({ name: infomailSubscribers.name }).from(infomailSubscribers).where(eq(infomailSubscribers.email, email));
	return s?.name ?? null;
}

// ---------------------------------------------------------------------------------------
// Queries

export async function getInfomail(conn: DbOrTx, id: number) {
	if (!Number.isSafeInteger(id) || id <= 0 || id > 2_147_483_647) return undefined;
	const [mail] = await conn.select().from(infomails).where(eq(infomails.id, id));
	return mail ? { ...mail, sections: mail.sections as InfomailSection[] } : undefined;
}
export type Infomail = NonNullable<Awaited<ReturnType<typeof getInfomail>>>;

export interface Progress {
	status: InfomailStatus;
	recipients: number;
	pending: number;
	sending: number;
	sent: number;
	failed: number;
	cancelled: number;
	skipped: number;
	/** Taken over from an interrupted run while being handed over (see sending.ts). */
	resumed: number;
	/** Mails per second since the start (sent only). */
	rate: number | null;
}

export async function infomailProgress(conn: DbOrTx, id: number): Promise<Progress | undefined> {
	const mail = await getInfomail(conn, id);
	if (!mail) return undefined;
	const rows = await conn
		.select({ status: infomailRecipients.status, n: sql<number>`count(*)::int`, resumed: sql<number>`count(*) filter (where ${infomailRecipients.resumed} > 0)::int` })
		.from(infomailRecipients)
		.where(eq(infomailRecipients.infomailId, id))
		.groupBy(infomailRecipients.status);
	const p: Progress = { status: mail.status, recipients: 0, pending: 0, sending: 0, sent: 0, failed: 0, cancelled: 0, skipped: 0, resumed: 0, rate: null };
	for (const r of rows) {
		p[r.status] = r.n;
		p.recipients += r.n;
		p.resumed += r.resumed;
	}
	if (mail.startedAt && p.sent) {
		const end = mail.finishedAt ?? new Date();
		const secs = Math.max(0.001, (end.getTime() - mail.startedAt.getTime()) / 1000);
		p.rate = Math.round((p.sent / secs) * 10) / 10;
	}
	return p;
}

export async function listInfomails(conn: DbOrTx, f: { status?: InfomailStatus; limit?: number; offset?: number } = {}) {
	const cond = f.status ? eq(infomails.status, f.status) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({
				id: infomails.id,
				subject: infomails.subject,
				status: infomails.status,
				audiences: infomails.audiences,
				scheduledAt: infomails.scheduledAt,
				startedAt: infomails.startedAt,
				finishedAt: infomails.finishedAt,
				recipientCount: infomails.recipientCount,
				createdAt: infomails.createdAt,
				updatedAt: infomails.updatedAt
			})
			.from(infomails)
			.where(cond)
			.orderBy(desc(infomails.id))
			.limit(f.limit ?? 50)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(infomails).where(cond)
	]);
	return { items, total };
}

/** How many would receive an Infomail to these audiences now, per audience and in all, with the first addresses. */
export async function previewRecipients(conn: DbOrTx, keys: string[], limit = 20) {
	const valid = keys.filter((k) => audienceKeys().includes(k));
	const q = recipientsQuery(valid);
	const [countRes, sample, perAudience] = await Promise.all([
		conn.execute<{ n: number }>(sql`select count(*)::int as n from (${q}) r`),
		conn.execute<{ email: string; name: string | null; audience: string }>(sql`select * from (${q}) r order by r.email limit ${limit}`),
		conn.execute<{ audience: string; n: number }>(sql`select r.audience, count(*)::int as n from (${q}) r group by r.audience`)
	]);
	return {
		total: countRes.rows[0].n,
		byAudience: valid.map((k) => ({ key: k, label: audienceLabel(k), count: perAudience.rows.find((r) => r.audience === k)?.n ?? 0 })),
		sample: sample.rows
	};
}

export async function listRecipients(conn: DbOrTx, id: number, f: { status?: RecipientStatus; limit?: number; offset?: number } = {}) {
	const cond = f.status ? and(eq(infomailRecipients.infomailId, id), eq(infomailRecipients.status, f.status)) : eq(infomailRecipients.infomailId, id);
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({
				id: infomailRecipients.id,
				email: infomailRecipients.email,
				name: infomailRecipients.name,
				audience: infomailRecipients.audience,
				status: infomailRecipients.status,
				attempts: infomailRecipients.attempts,
				lastError: infomailRecipients.lastError,
				sentAt: infomailRecipients.sentAt,
				resumed: infomailRecipients.resumed
			})
			.from(infomailRecipients)
			.where(cond)
			.orderBy(infomailRecipients.email)
			.limit(f.limit ?? 100)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(infomailRecipients).where(cond)
	]);
	return { items, total };
}

/** The public archive: sent Infomails, newest first. */
export async function listPublished(conn: DbOrTx, opts: { limit?: number; offset?: number } = {}) {
	const cond = eq(infomails.status, 'sent');
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({ id: infomails.id, subject: infomails.subject, intro: infomails.intro, sections: infomails.sections, finishedAt: infomails.finishedAt, startedAt: infomails.startedAt, updatedAt: infomails.updatedAt })
			.from(infomails)
			.where(cond)
			.orderBy(desc(infomails.startedAt), desc(infomails.id))
			.limit(opts.limit ?? 20)
			.offset(opts.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(infomails).where(cond)
	]);
	return { items: items.map((i) => ({ ...i, sections: i.sections as InfomailSection[] })), total };
}

export async function getPublished(conn: DbOrTx, id: number) {
	const mail = await getInfomail(conn, id);
	return mail && mail.status === 'sent' ? mail : undefined;
}
