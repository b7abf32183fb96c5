/**
 * Mail: every mail goes into the outbox table inside the transaction of the change that
 * causes it, together with a `mail.send` job. The job worker hands it to SMTP (nodemailer)
 * with retries; without SMTP_URL it stays in the outbox ("held"), readable by coordinators.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit';
import { config } from '../config';
import type { DbOrTx } from '../db';
import { DomainError, notFound, requireCoordinator } from '../errors';
import { enqueueJob, PermanentJobError, type JobHandler } from '../jobs';
import { outboxMails, type MailAttachment } from './schema';
import { absoluteUrl, renderMail, type RenderedMail } from './templates';

export interface OutgoingMail extends RenderedMail {
	to: string;
	toName?: string | null;
	/** Template name for the outbox filter. */
	template: string;
	headers?: Record<string, string>;
	/** Small files sent with the mail, e.g. an .ics invitation. */
	attachments?: { filename: string; contentType: string; content: string | Buffer }[];
}

/** Writes the mail and its send job in the caller's transaction. Returns the outbox id. */
export async function enqueueMail(tx: DbOrTx, mail: OutgoingMail): Promise<number> {
	const domain = (config().mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'localhost').toLowerCase();
	const [row] = await tx
		.insert(outboxMails)
		.values({
			toAddress: mail.to,
			toName: mail.toName ?? null,
			subject: mail.subject,
			text: mail.text,
			html: mail.html,
			headers: mail.headers ?? null,
			attachments: mail.attachments?.length ? mail.attachments.map(storedAttachment) : null,
			template: mail.template,
			messageId: `<${randomUUID()}@${domain}>`
		})
		.returning({ id: outboxMails.id });
	await enqueueJob(tx, 'mail.send', { mailId: row.id });
	return row.id;
}

function storedAttachment(a: { filename: string; contentType: string; content: string | Buffer }): MailAttachment {
	return { filename: a.filename, contentType: a.contentType, content: (typeof a.content === 'string' ? Buffer.from(a.content, 'utf8') : a.content).toString('base64') };
}

let transport: Transporter | undefined;
let transportUrl: string | undefined;

function smtpTransport(): Transporter | undefined {
	const url = config().smtpUrl;
	if (!url) return undefined;
	if (!transport || transportUrl !== url) {
		transport?.close();
		// Timeouts well below the job lease (5 min): a hanging server must fail this attempt
		// rather than let the lease run out and another worker send the same mail in parallel.
		transport = nodemailer.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
		transportUrl = url;
	}
	return transport;
}

/** SMTP reply codes 5xx are permanent (bad address, rejected); others are worth retrying. */
function isPermanent(err: unknown): boolean {
	const code = (err as { responseCode?: number }).responseCode;
	return typeof code === 'number' && code >= 500 && code < 600;
}

function errorText(err: unknown): string {
	return (err instanceof Error ? err.message : String(err)).slice(0, 2000);
}

/**
 * Job handler `mail.send`. Delivery is at-least-once: a mail marked `sent` (or `failed`) is
 * never sent again, but when the SMTP server accepted a mail and the process died before the
 * outbox row was marked `sent`, the job is taken over after its lease and the mail goes out a
 * second time. There is no way around that without a two-phase commit with the SMTP server,
 * and losing a mail (at-most-once) is worse than a rare duplicate. The Message-ID is fixed
 * when the mail is enqueued and sent unchanged on every attempt, so receiving systems can
 * recognise the duplicate.
 */
export function mailJobHandlers(conn: () => DbOrTx): Record<string, JobHandler> {
	return {
		'mail.send': async (payload, job) => {
			const id = Number(payload.mailId);
			if (!Number.isSafeInteger(id) || id <= 0) throw new PermanentJobError(`Ungültige Mail-Nummer: ${String(payload.mailId)}`);
			const [mail] = await conn().select().from(outboxMails).where(eq(outboxMails.id, id));
			if (!mail || mail.status === 'sent' || mail.status === 'failed') return;
			const smtp = smtpTransport();
			if (!smtp) {
				await conn().update(outboxMails).set({ status: 'held' }).where(eq(outboxMails.id, id));
				return;
			}
			try {
				await smtp.sendMail({
					from: config().mailFrom,
					to: mail.toName ? { name: mail.toName, address: mail.toAddress } : mail.toAddress,
					subject: mail.subject,
					text: mail.text,
					html: mail.html,
					messageId: mail.messageId,
					date: mail.createdAt,
					headers: mail.headers ?? undefined,
					attachments: mail.attachments?.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content, 'base64') }))
				});
			} catch (err) {
				const message = errorText(err);
				// The mail is given up together with its job: on a permanent SMTP error or when
				// this was the job's last attempt. Otherwise it stays `queued` for the retry.
				const final = isPermanent(err) || job.attempts >= job.maxAttempts;
				await conn()
					.update(outboxMails)
					.set({ attempts: sql`${outboxMails.attempts} + 1`, lastError: message, ...(final ? { status: 'failed' as const } : {}) })
					.where(eq(outboxMails.id, id));
				if (isPermanent(err)) throw new PermanentJobError(message);
				throw err;
			}
			await conn()
				.update(outboxMails)
				.set({ status: 'sent', sentAt: new Date(), attempts: sql`${outboxMails.attempts} + 1`, lastError: null })
				.where(eq(outboxMails.id, id));
		}
	};
}

export const MAIL_STATUSES = ['queued', 'sent', 'held', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];
/** The statuses as coordinators read them. */
export const MAIL_STATUS_LABELS: Record<MailStatus, string> = {
	queued: 'wartet',
	sent: 'gesendet',
	held: 'nur im Postausgang (kein SMTP)',
	failed: 'fehlgeschlagen'
};

/** Escapes `\`, `%` and `_` for a LIKE pattern (backslash is PostgreSQL's default escape). */
export function likePattern(s: string): string {
	return `%${s.replace(/[\\%_]/g, '\\$&')}%`;
}

export const outboxFilterSchema = z.object({
	/** Part of the recipient address, the subject or the template name. */
	q: z.string().trim().max(200, 'Der Suchbegriff darf höchstens 200 Zeichen lang sein.').optional(),
	/** Only mails with this status. */
	status: z
		.enum(MAIL_STATUSES, { error: 'Unbekannter Status. Möglich sind queued (wartet), sent (gesendet), held (nur im Postausgang) und failed (fehlgeschlagen).' })
		.optional()
});

export interface OutboxFilter extends z.infer<typeof outboxFilterSchema> {
	limit?: number;
	offset?: number;
}

export async function listOutbox(conn: DbOrTx, f: OutboxFilter) {
	const where: SQL[] = [];
	if (f.status) where.push(eq(outboxMails.status, f.status));
	if (f.q) {
		const like = likePattern(f.q);
		where.push(or(ilike(outboxMails.toAddress, like), ilike(outboxMails.toName, like), ilike(outboxMails.subject, like), ilike(outboxMails.template, like))!);
	}
	const cond = where.length ? and(...where) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select({
				id: outboxMails.id,
				toAddress: outboxMails.toAddress,
				toName: outboxMails.toName,
				subject: outboxMails.subject,
				template: outboxMails.template,
				status: outboxMails.status,
				attempts: outboxMails.attempts,
				lastError: outboxMails.lastError,
				createdAt: outboxMails.createdAt,
				sentAt: outboxMails.sentAt
			})
			.from(outboxMails)
			.where(cond)
			.orderBy(desc(outboxMails.id))
			.limit(f.limit ?? 50)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(outboxMails).where(cond)
	]);
	return { items, total };
}

export async function getOutboxMail(conn: DbOrTx, id: number) {
	if (!Number.isSafeInteger(id) || id <= 0) return undefined;
	const [mail] = await conn.select().from(outboxMails).where(eq(outboxMails.id, id));
	return mail;
}

/** Number of mails per status, every status present (0 when none). */
export async function outboxCounts(conn: DbOrTx): Promise<Record<MailStatus, number>> {
	const rows = await conn
		.select({ status: outboxMails.status, n: sql<number>`count(*)::int` })
		.from(outboxMails)
		.groupBy(outboxMails.status);
	const out = Object.fromEntries(MAIL_STATUSES.map((s) => [s, 0])) as Record<MailStatus, number>;
	for (const r of rows) out[r.status] = r.n;
	return out;
}

export const requeueMailInput = z.object({
	/** Outbox id of a mail that failed or is held. */
	id: z.coerce.number({ error: 'Ungültige Mail-Nummer.' }).int().positive('Ungültige Mail-Nummer.').max(Number.MAX_SAFE_INTEGER, 'Ungültige Mail-Nummer.')
});
export type RequeueMailInput = z.input<typeof requeueMailInput>;

/**
 * Puts a failed or held mail back into the queue (status `queued`, a new `mail.send` job), e.g.
 * after the SMTP setup or the address was fixed. Coordinators only.
 */
export async function requeueMail(conn: DbOrTx, actor: Actor, input: RequeueMailInput): Promise<void> {
	requireCoordinator(actor);
	const { id } = requeueMailInput.parse(input);
	await conn.transaction(async (tx) => {
		const [mail] = await tx.select({ status: outboxMails.status }).from(outboxMails).where(eq(outboxMails.id, id)).for('update');
		if (!mail) throw notFound('Diese Mail gibt es nicht im Postausgang.');
		if (mail.status !== 'failed' && mail.status !== 'held') {
			throw new DomainError('conflict', `Nur fehlgeschlagene oder zurückgehaltene Mails können erneut gesendet werden; diese Mail hat den Status „${MAIL_STATUS_LABELS[mail.status]}“.`);
		}
		await tx.update(outboxMails).set({ status: 'queued', lastError: null }).where(eq(outboxMails.id, id));
		await enqueueJob(tx, 'mail.send', { mailId: id });
		await recordAudit(tx, actor, { action: 'mail.requeued', objectType: 'mail', objectId: id, changes: { status: [mail.status, 'queued'] } });
	});
}

/**
 * Puts every held mail (written while no SMTP server was configured) back into the queue, e.g.
 * after SMTP_URL has been set. Coordinators only; one audit record with the count.
 */
export async function requeueHeldMails(conn: DbOrTx, actor: Actor): Promise<{ requeued: number }> {
	requireCoordinator(actor);
	return conn.transaction(async (tx) => {
		const held = await tx
			.update(outboxMails)
			.set({ status: 'queued', lastError: null })
			.where(eq(outboxMails.status, 'held'))
			.returning({ id: outboxMails.id });
		for (const { id } of held) await enqueueJob(tx, 'mail.send', { mailId: id });
		if (held.length) await recordAudit(tx, actor, { action: 'mail.held_requeued', objectType: 'mail', changes: { count: held.length } });
		return { requeued: held.length };
	});
}

export const sendTestMailInput = z.object({
	/** Address the test mail goes to, e.g. the coordinator's own. */
	// Not accounts' emailSchema: accounts sends mails, an import back would be circular.
	to: z
		.string({ error: 'Bitte geben Sie eine E-Mail-Adresse an.' })
		.trim()
		.min(1, 'Bitte geben Sie eine E-Mail-Adresse an.')
		.max(254, 'Die E-Mail-Adresse ist zu lang.')
		.pipe(z.email({ error: 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@stadt.de.' }))
});
export type SendTestMailInput = z.input<typeof sendTestMailInput>;

/**
 * Queues a short test mail, so that a coordinator can check the SMTP setup end to end (outbox,
 * worker, SMTP server, recipient). Coordinators only. Returns the outbox id.
 */
export async function sendTestMail(conn: DbOrTx, actor: Actor, input: SendTestMailInput): Promise<number> {
	requireCoordinator(actor);
	const { to } = sendTestMailInput.parse(input);
	return conn.transaction(async (tx) => {
		const rendered = renderMail({
			subject: 'Testmail der Plattform Kommunennetz',
			paragraphs: [
				'dies ist eine Testmail. Sie wurde in der Verwaltung der Plattform ausgelöst, um den Mailversand zu prüfen.',
				`Wenn Sie diese Mail lesen, funktioniert der Versand. Ausgelöst von: ${actor.label}.`
			],
			action: { label: 'Postausgang öffnen', url: absoluteUrl('/verwaltung/postausgang') }
		});
		const id = await enqueueMail(tx, { ...rendered, to, template: 'test' });
		await recordAudit(tx, actor, { action: 'mail.test_sent', objectType: 'mail', objectId: id, changes: { to } });
		return id;
	});
}
