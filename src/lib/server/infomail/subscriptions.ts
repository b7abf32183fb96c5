/**
 * Subscriptions with double opt-in and proof of consent. The public side answers the same
 * whether an address is known or not; what differs goes to the mailbox only.
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emailSchema } from '../accounts';
import { newSecret, sha256 } from '../accounts/tokens';
import { recordAudit, type Actor } from '../audit';
import type { DbOrTx } from '../db';
import { DomainError, notFound, requireCoordinator } from '../errors';
import { enqueueMail } from '../mail';
import { absoluteUrl, renderMail } from '../mail/templates';
import { infomailConsents, infomailRecipients, infomails, infomailSubscribers, mailBounces } from './schema';

/**
 * The consent texts people agree to, by version. A changed text gets a new version; old
 * versions stay so that every consent record can be read with the words that were shown.
 */
export const CONSENT_TEXTS: Record<string, string> = {
	'2026-01':
		'Ich möchte die Infomail des Kommunen-Netzwerks „engagiert in NRW“ per E-Mail erhalten. Meine E-Mail-Adresse und, falls angegeben, mein Name werden dafür gespeichert, zusammen mit dem Zeitpunkt und der IP-Adresse der Anmeldung und der Bestätigung als Nachweis. Ich kann die Infomail jederzeit über den Link in jeder Ausgabe oder auf der Seite „Infomail“ abbestellen.',
	import: 'Einwilligung wurde außerhalb der Plattform eingeholt und mit der angegebenen Quelle übernommen.'
};
export const CURRENT_CONSENT_VERSION = '2026-01';

/** Days a confirmation link stays valid. */
export const CONFIRM_DAYS = 7;
/** Silent limits against mail bombing through the form: per address and per IP within an hour. */
export const MAX_REQUESTS_PER_ADDRESS = 3;
export const MAX_REQUESTS_PER_IP = 30;

export const subscribeInput = z.object({
	/** The address to subscribe. */
	email: emailSchema,
	/** Name for the salutation (optional). */
	name: z
		.string()
		.trim()
		.max(200, 'Der Name darf höchstens 200 Zeichen lang sein.')
		.nullish()
		.transform((v) => v || null),
	/** Where the request came from, for the consent record. */
	source: z.string().trim().min(1).max(300).default('Formular /infomail'),
	/** Version of the consent text shown (CONSENT_TEXTS). */
	consentVersion: z.string().default(CURRENT_CONSENT_VERSION),
	/** Browser, for the consent record. */
	userAgent: z
		.string()
		.nullish()
		.transform((v) => v?.slice(0, 500) ?? null)
});
export type SubscribeInput = z.input<typeof subscribeInput>;

/**
 * Asks for a subscription: a new consent record and a mail with the confirmation link. An
 * address that is already confirmed gets a note instead (nothing changes). Callers answer the
 * same in every case; throttled requests end silently.
 */
export async function subscribe(conn: DbOrTx, actor: Actor, input: SubscribeInput): Promise<void> {
	const v = subscribeInput.parse(input);
	if (!CONSENT_TEXTS[v.consentVersion] || v.consentVersion === 'import')
		throw new DomainError('validation', 'Unbekannte Version des Einwilligungstextes.', { consentVersion: ['Unbekannte Version des Einwilligungstextes.'] });
	const email = v.email.toLowerCase();
	await conn.transaction(async (tx) => {
		await tx
			.insert(infomailSubscribers)
			.values({ email, name: v.name, status: 'pending', tokenHash: sha256(newSecret()) })
			.onConflictDoNothing();
		const [sub] = await tx.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, email)).for('update');
		const hourAgo = new Date(Date.now() - 3_600_000);
		const [{ n: byAddress }] = await tx
			.select({ n: sql<number>`count(*)::int` })
			.from(infomailConsents)
			.where(and(eq(infomailConsents.subscriberId, sub.id), gt(infomailConsents.requestedAt, hourAgo)));
		if (byAddress >= MAX_REQUESTS_PER_ADDRESS) return;
		if (actor.ip) {
			const [{ n: byIp }] = await tx
				.select({ n: sql<number>`count(*)::int` })
				.from(infomailConsents)
				.where(and(eq(infomailConsents.requestIp, actor.ip), gt(infomailConsents.requestedAt, hourAgo)));
			if (byIp >= MAX_REQUESTS_PER_IP) return;
		}
		if (sub.status === 'confirmed') {
			// A new token for the link in the note; the old one is no longer needed anywhere.
			const token = newSecret();
			await tx.update(infomailSubscribers).set({ tokenHash: sha256(token), updatedAt: new Date() }).where(eq(infomailSubscribers.id, sub.id));
			await enqueueMail(tx, {
				to: email,
				toName: sub.name,
				template: 'infomail_already_subscribed',
				...renderMail({
					subject: 'Sie erhalten die Infomail bereits – Kommunen-Netzwerk NRW',
					greetingName: sub.name,
					paragraphs: [
						'jemand – wahrscheinlich Sie – hat die Infomail des Kommunen-Netzwerks „engagiert in NRW“ für diese Adresse bestellt.',
						'Sie erhalten die Infomail bereits. Es ändert sich nichts, Sie müssen nichts tun.'
					],
					action: { label: 'Infomail abbestellen', url: absoluteUrl(`/infomail/abbestellen/${token}`) },
					after: ['Wenn Sie die Infomail nicht mehr erhalten möchten, können Sie sie über den Link oben abbestellen.']
				})
			});
			await recordAudit(tx, actor, { action: 'infomail_subscription.requested', objectType: 'infomail_subscriber', objectId: sub.id, changes: { source: v.source, alreadyConfirmed: true } });
			return;
		}
		if (v.name && sub.status === 'pending') await tx.update(infomailSubscribers).set({ name: v.name, updatedAt: new Date() }).where(eq(infomailSubscribers.id, sub.id));
		const token = newSecret();
		const expiresAt = new Date(Date.now() + CONFIRM_DAYS * 86_400_000);
		await tx.insert(infomailConsents).values({
			subscriberId: sub.id,
			email,
			source: v.source,
			consentVersion: v.consentVersion,
			requestIp: actor.ip ?? null,
			requestUserAgent: v.userAgent,
			confirmTokenHash: sha256(token),
			confirmExpiresAt: expiresAt
		});
		const name = v.name ?? sub.name;
		await enqueueMail(tx, {
			to: email,
			toName: name,
			template: 'infomail_confirm',
			...renderMail({
				subject: 'Bitte bestätigen Sie Ihre Anmeldung zur Infomail – Kommunen-Netzwerk NRW',
				greetingName: name,
				paragraphs: [
					'jemand – wahrscheinlich Sie – möchte mit dieser E-Mail-Adresse die Infomail des Kommunen-Netzwerks „engagiert in NRW“ erhalten.',
					'Bitte bestätigen Sie das. Erst danach schicken wir Ihnen die Infomail. Der Link führt zu einer Seite, auf der Sie die Anmeldung mit einem Knopf bestätigen.'
				],
				action: { label: 'Anmeldung bestätigen', url: absoluteUrl(`/infomail/bestaetigen/${token}`) },
				after: [
					`Der Link gilt ${CONFIRM_DAYS} Tage.`,
					'Wenn Sie die Infomail nicht bestellt haben, löschen Sie diese E-Mail einfach. Ohne Bestätigung erhalten Sie keine Infomail.'
				]
			})
		});
		await recordAudit(tx, actor, { action: 'infomail_subscription.requested', objectType: 'infomail_subscriber', objectId: sub.id, changes: { source: v.source, consentVersion: v.consentVersion } });
	});
}

export type ConfirmTokenState = { state: 'valid'; email: string } | { state: 'confirmed'; email: string } | { state: 'expired' } | { state: 'unknown' };

/** What a confirmation link is worth, without changing anything (the page shows it on GET). */
export async function confirmTokenState(conn: DbOrTx, token: string): Promise<ConfirmTokenState> {
	if (!token || token.length > 200) return { state: 'unknown' };
	const [c] = await conn.select().from(infomailConsents).where(eq(infomailConsents.confirmTokenHash, sha256(token)));
	if (!c) return { state: 'unknown' };
	if (c.confirmedAt) return { state: 'confirmed', email: c.email };
	if (c.withdrawnAt || (c.confirmExpiresAt && c.confirmExpiresAt.getTime() < Date.now())) return { state: 'expired' };
	return { state: 'valid', email: c.email };
}

export const confirmInput = z.object({
	/** Secret from the confirmation link. */
	token: z.string().min(1, 'Der Link ist unvollständig.').max(200, 'Der Link ist ungültig.')
});

/** Confirms a subscription (POST from the confirmation page). Repeating it changes nothing. */
export async function confirmSubscription(conn: DbOrTx, actor: Actor, input: z.input<typeof confirmInput>): Promise<{ email: string }> {
	const { token } = confirmInput.parse(input);
	return conn.transaction(async (tx) => {
		const [c] = await tx.select().from(infomailConsents).where(eq(infomailConsents.confirmTokenHash, sha256(token))).for('update');
		if (!c) throw notFound('Dieser Bestätigungslink ist ungültig. Bitte melden Sie sich erneut an.');
		if (c.confirmedAt) return { email: c.email };
		if (c.withdrawnAt || (c.confirmExpiresAt && c.confirmExpiresAt.getTime() < Date.now()))
			throw new DomainError('conflict', `Dieser Bestätigungslink ist abgelaufen (er gilt ${CONFIRM_DAYS} Tage). Bitte melden Sie sich erneut an.`);
		const now = new Date();
		await tx.update(infomailConsents).set({ confirmedAt: now, confirmIp: actor.ip ?? null }).where(eq(infomailConsents.id, c.id));
		await tx
			.update(infomailSubscribers)
			.set({ status: 'confirmed', confirmedAt: now, unsubscribedAt: null, updatedAt: now })
			.where(eq(infomailSubscribers.id, c.subscriberId));
		await recordAudit(tx, actor, { action: 'infomail_subscription.confirmed', objectType: 'infomail_subscriber', objectId: c.subscriberId, changes: { consentId: c.id } });
		return { email: c.email };
	});
}

/** The address behind an unsubscribe token: a recipient's (from an Infomail) or a subscriber's (from a note). */
export async function unsubscribeTokenAddress(conn: DbOrTx, token: string): Promise<{ email: string; infomailId: number | null; subscribed: boolean } | undefined> {
	if (!token || token.length > 200 || !/^[\w-]+$/.test(token)) return undefined;
	let email: string | undefined;
	let infomailId: number | null = null;
	const [r] = await conn.select({ email: infomailRecipients.email, infomailId: infomailRecipients.infomailId }).from(infomailRecipients).where(eq(infomailRecipients.unsubscribeToken, token));
	if (r) {
		email = r.email;
		infomailId = r.infomailId;
	} else {
		const [s] = await conn.select({ email: infomailSubscribers.email }).from(infomailSubscribers).where(eq(infomailSubscribers.tokenHash, sha256(token)));
		email = s?.email;
	}
	if (!email || email.endsWith('.invalid')) return undefined;
	const [s] = await conn.select({ status: infomailSubscribers.status }).from(infomailSubscribers).where(eq(infomailSubscribers.email, email));
	return { email, infomailId, subscribed: s?.status !== 'unsubscribed' };
}

export const unsubscribeInput = z.object({
	/** Secret from the link in the mail. */
	token: z.string().min(1).max(200),
	/** How: `one-click` (RFC 8058, by the mail program), `web` (the page's button). */
	method: z.enum(['one-click', 'web']).default('web')
});

/**
 * Unsubscribes the address behind a token: no further Infomails, whether it came as
 * subscriber or as member contact, until it subscribes and confirms again. Open consents are
 * withdrawn, pending confirmation links die, and the address is left out of sends under way.
 * Repeating it changes nothing.
 */
export async function unsubscribe(conn: DbOrTx, actor: Actor, input: z.input<typeof unsubscribeInput>): Promise<{ email: string; changed: boolean }> {
	const v = unsubscribeInput.parse(input);
	return conn.transaction(async (tx) => {
		const found = await unsubscribeTokenAddress(tx, v.token);
		if (!found) throw notFound('Dieser Abmeldelink ist ungültig oder die Adresse wurde bereits gelöscht.');
		const email = found.email;
		const inserted = await tx
			.insert(infomailSubscribers)
			.values({ email, status: 'unsubscribed', tokenHash: sha256(newSecret()), unsubscribedAt: new Date() })
			.onConflictDoNothing()
			.returning({ id: infomailSubscribers.id });
		const [sub] = await tx.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, email)).for('update');
		const changed = inserted.length > 0 || sub.status !== 'unsubscribed';
		const now = new Date();
		if (sub.status !== 'unsubscribed') {
			await tx.update(infomailSubscribers).set({ status: 'unsubscribed', unsubscribedAt: now, updatedAt: now }).where(eq(infomailSubscribers.id, sub.id));
		}
		await tx
			.update(infomailConsents)
			.set({ withdrawnAt: now, withdrawIp: actor.ip ?? null, withdrawMethod: v.method, confirmTokenHash: null })
			.where(and(eq(infomailConsents.subscriberId, sub.id), isNull(infomailConsents.withdrawnAt)));
		await tx.execute(sql`update infomail_recipients set status = 'skipped', last_error = 'Abbestellt, bevor die Mail an der Reihe war.'
		  where email = ${email} and status = 'pending'`);
		// Each unsubscription once in the log, not every repeated click of a mail program.
		if (changed)
			await recordAudit(tx, actor, { action: 'infomail_subscription.unsubscribed', objectType: 'infomail_subscriber', objectId: sub.id, changes: { method: v.method, infomailId: found.infomailId } });
		return { email, changed };
	});
}

export const addressInput = z.object({
	/** The address whose data is meant. */
	email: emailSchema
});

/** Everything stored about an address in the Infomail domain (DSGVO Art. 15). Coordinators only. */
export async function exportSubscriberData(conn: DbOrTx, actor: Actor, input: z.input<typeof addressInput>) {
	requireCoordinator(actor);
	const email = addressInput.parse(input).email.toLowerCase();
	return conn.transaction(async (tx) => {
		const [sub] = await tx.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, email));
		const consents = sub ? await tx.select().from(infomailConsents).where(eq(infomailConsents.subscriberId, sub.id)).orderBy(infomailConsents.id) : [];
		const deliveries = await tx
			.select({
				infomailId: infomailRecipients.infomailId,
				subject: infomails.subject,
				status: infomailRecipients.status,
				audience: infomailRecipients.audience,
				name: infomailRecipients.name,
				sentAt: infomailRecipients.sentAt,
				messageId: infomailRecipients.messageId
			})
			.from(infomailRecipients)
			.innerJoin(infomails, eq(infomails.id, infomailRecipients.infomailId))
			.where(eq(infomailRecipients.email, email))
			.orderBy(infomailRecipients.infomailId);
		const bounces = await tx.select().from(mailBounces).where(eq(mailBounces.email, email)).orderBy(desc(mailBounces.id));
		await recordAudit(tx, actor, { action: 'infomail_subscriber.exported', objectType: 'infomail_subscriber', objectId: sub?.id ?? null });
		return {
			email,
			exportedAt: new Date().toISOString(),
			subscriber: sub
				? { name: sub.name, status: sub.status, createdAt: sub.createdAt.toISOString(), confirmedAt: sub.confirmedAt?.toISOString() ?? null, unsubscribedAt: sub.unsubscribedAt?.toISOString() ?? null }
				: null,
			consents: consents.map((c) => ({
				source: c.source,
				consentVersion: c.consentVersion,
				consentText: CONSENT_TEXTS[c.consentVersion] ?? null,
				requestedAt: c.requestedAt.toISOString(),
				requestIp: c.requestIp,
				requestUserAgent: c.requestUserAgent,
				confirmedAt: c.confirmedAt?.toISOString() ?? null,
				confirmIp: c.confirmIp,
				withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
				withdrawIp: c.withdrawIp,
				withdrawMethod: c.withdrawMethod
			})),
			deliveries: deliveries.map((d) => ({ ...d, sentAt: d.sentAt?.toISOString() ?? null })),
			bounces: bounces.map((b) => ({ kind: b.kind, reason: b.reason, occurredAt: b.occurredAt.toISOString(), clearedAt: b.clearedAt?.toISOString() ?? null }))
		};
	});
}

/**
 * Deletes everything stored about an address in the Infomail domain (DSGVO Art. 17):
 * subscription, consent records, bounces; in the delivery records of past Infomails the
 * address is replaced by a placeholder so the counts stay right. This also deletes an opt-out:
 * a member contact with an active account would receive Infomails again. Coordinators only.
 */
export async function deleteSubscriberData(conn: DbOrTx, actor: Actor, input: z.input<typeof addressInput>): Promise<{ deleted: boolean }> {
	requireCoordinator(actor);
	const email = addressInput.parse(input).email.toLowerCase();
	return conn.transaction(async (tx) => {
		const subs = await tx.delete(infomailSubscribers).where(eq(infomailSubscribers.email, email)).returning({ id: infomailSubscribers.id });
		const bounces = await tx.delete(mailBounces).where(eq(mailBounces.email, email)).returning({ id: mailBounces.id });
		const recipients = await tx.execute(sql`
			update infomail_recipients
			   set email = 'geloescht-' || id::text || '@geloescht.invalid', name = null,
			       status = case when status = 'pending' then 'skipped'::infomail_recipient_status else status end
			 where email = ${email}
			returning id`);
		const deleted = subs.length + bounces.length + recipients.rows.length > 0;
		await recordAudit(tx, actor, {
			action: 'infomail_subscriber.deleted',
			objectType: 'infomail_subscriber',
			objectId: subs[0]?.id ?? null,
			// No address here: the log must not keep what was deleted on request.
			changes: { subscriber: subs.length, bounces: bounces.length, deliveryRecords: recipients.rows.length }
		});
		return { deleted };
	});
}

export interface ImportRow {
	/** Line number in the file (for messages). */
	line: number;
	email: string;
	name?: string | null;
	/** When consent was given, if the old list knows it. */
	consentedAt?: Date | null;
}

export interface ImportResult {
	created: number;
	confirmedAgain: number;
	alreadyConfirmed: number;
	/** Addresses that unsubscribed here stay unsubscribed. */
	keptUnsubscribed: number;
	invalid: { line: number; message: string }[];
}

/**
 * Takes over an existing list of subscribers whose consent was given elsewhere: each becomes
 * confirmed with a consent record naming the source. Unsubscribed addresses stay so.
 * Coordinators and the CLI.
 */
export async function importSubscribers(conn: DbOrTx, actor: Actor, input: { rows: ImportRow[]; source: string }): Promise<ImportResult> {
	if (actor.role !== undefined) requireCoordinator(actor);
	const source = z.string().trim().min(3, 'Bitte geben Sie an, wo die Einwilligung erteilt wurde (--consent-source).').max(300).parse(input.source);
	const result: ImportResult = { created: 0, confirmedAgain: 0, alreadyConfirmed: 0, keptUnsubscribed: 0, invalid: [] };
	await conn.transaction(async (tx) => {
		const seen = new Set<string>();
		for (const row of input.rows) {
			const parsed = emailSchema.safeParse(row.email);
			if (!parsed.success) {
				result.invalid.push({ line: row.line, message: `„${row.email}“ ist keine gültige E-Mail-Adresse.` });
				continue;
			}
			const email = parsed.data.toLowerCase();
			if (seen.has(email)) continue;
			seen.add(email);
			const name = row.name?.trim().slice(0, 200) || null;
			const at = row.consentedAt ?? new Date();
			const [existing] = await tx.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, email)).for('update');
			if (existing?.status === 'unsubscribed') {
				result.keptUnsubscribed++;
				continue;
			}
			if (existing?.status === 'confirmed') {
				result.alreadyConfirmed++;
				continue;
			}
			let id: number;
			if (existing) {
				id = existing.id;
				await tx.update(infomailSubscribers).set({ status: 'confirmed', name: existing.name ?? name, confirmedAt: at, updatedAt: new Date() }).where(eq(infomailSubscribers.id, id));
				result.confirmedAgain++;
			} else {
				[{ id }] = await tx
					.insert(infomailSubscribers)
					.values({ email, name, status: 'confirmed', tokenHash: sha256(newSecret()), confirmedAt: at })
					.returning({ id: infomailSubscribers.id });
				result.created++;
			}
			await tx.insert(infomailConsents).values({ subscriberId: id, email, source: `Import: ${source}`, consentVersion: 'import', requestedAt: at, confirmedAt: at });
		}
		await recordAudit(tx, actor, {
			action: 'infomail_subscribers.imported',
			objectType: 'infomail_subscriber',
			changes: { source, created: result.created, confirmedAgain: result.confirmedAgain, alreadyConfirmed: result.alreadyConfirmed, keptUnsubscribed: result.keptUnsubscribed, invalid: result.invalid.length }
		});
	});
	return result;
}

/** Subscribers for the coordinators' list. */
export async function listSubscribers(conn: DbOrTx, f: { q?: string; status?: 'pending' | 'confirmed' | 'unsubscribed'; limit?: number; offset?: number }) {
	const where = [];
	if (f.status) where.push(eq(infomailSubscribers.status, f.status));
	if (f.q) where.push(sql`(${infomailSubscribers.email} ilike ${'%' + f.q.replace(/[\\%_]/g, '\\$&') + '%'} or ${infomailSubscribers.name} ilike ${'%' + f.q.replace(/[\\%_]/g, '\\$&') + '%'})`);
	const cond = where.length ? and(...where) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn.select().from(infomailSubscribers).where(cond).orderBy(desc(infomailSubscribers.id)).limit(f.limit ?? 50).offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(infomailSubscribers).where(cond)
	]);
	return { items, total };
}

export async function subscriberCounts(conn: DbOrTx): Promise<Record<'pending' | 'confirmed' | 'unsubscribed', number>> {
	const rows = await conn.select({ status: infomailSubscribers.status, n: sql<number>`count(*)::int` }).from(infomailSubscribers).groupBy(infomailSubscribers.status);
	const out = { pending: 0, confirmed: 0, unsubscribed: 0 };
	for (const r of rows) out[r.status] = r.n;
	return out;
}
