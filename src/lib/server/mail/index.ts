/**
 * Mail: every mail goes into the outbox table inside the transaction of the change that
 * causes it, together with a `mail.send` job. The job worker hands it to SMTP (nodemailer)
 * with retries; without SMTP_URL it stays in the outbox ("held"), readable by coordinators.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import nodemailer, { type Transporter } from 'nodemailer';
import { config } from '../config';
import type { DbOrTx } from '../db';
import { enqueueJob, PermanentJobError, type JobHandler } from '../jobs';
import { outboxMails } from './schema';
import type { RenderedMail } from './templates';

export interface OutgoingMail extends RenderedMail {
	to: string;
	toName?: string | null;
	/** Template name for the outbox filter. */
	template: string;
	headers?: Record<string, string>;
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
			template: mail.template,
			messageId: `<${randomUUID()}@${domain}>`
		})
		.returning({ id: outboxMails.id });
	await enqueueJob(tx, 'mail.send', { mailId: row.id });
	return row.id;
}

let transport: Transporter | undefined;
let transportUrl: string | undefined;

function smtpTransport(): Transporter | undefined {
	const url = config().smtpUrl;
	if (!url) return undefined;
	if (!transport || transportUrl !== url) {
		transport = nodemailer.createTransport(url);
		transportUrl = url;
	}
	return transport;
}

/** SMTP reply codes 5xx are permanent (bad address, rejected); others are worth retrying. */
function isPermanent(err: unknown): boolean {
	const code = (err as { responseCode?: number }).responseCode;
	return typeof code === 'number' && code >= 500 && code < 600;
}

/** Job handler `mail.send`: idempotent, a mail already sent is not sent again. */
export function mailJobHandlers(conn: () => DbOrTx): Record<string, JobHandler> {
	return {
		'mail.send': async (payload) => {
			const id = Number(payload.mailId);
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
					headers: mail.headers ?? undefined
				});
			} catch (err) {
				const message = (err as Error).message;
				const permanent = isPermanent(err);
				await conn()
					.update(outboxMails)
					.set({ attempts: sql`${outboxMails.attempts} + 1`, lastError: message, ...(permanent ? { status: 'failed' as const } : {}) })
					.where(eq(outboxMails.id, id));
				if (permanent) throw new PermanentJobError(message);
				throw err;
			}
			await conn()
				.update(outboxMails)
				.set({ status: 'sent', sentAt: new Date(), attempts: sql`${outboxMails.attempts} + 1`, lastError: null })
				.where(eq(outboxMails.id, id));
		}
	};
}

/** Marks mails failed whose job gave up (called by the worker's final failure). */
export interface OutboxFilter {
	q?: string;
	status?: 'queued' | 'sent' | 'held' | 'failed';
	limit?: number;
	offset?: number;
}

export async function listOutbox(conn: DbOrTx, f: OutboxFilter) {
	const where: SQL[] = [];
	if (f.status) where.push(eq(outboxMails.status, f.status));
	if (f.q) {
		const like = `%${f.q.replace(/[%_]/g, '\\$&')}%`;
		where.push(or(ilike(outboxMails.toAddress, like), ilike(outboxMails.subject, like), ilike(outboxMails.template, like))!);
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
	const [mail] = await conn.select().from(outboxMails).where(eq(outboxMails.id, id));
	return mail;
}
