import { bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** A file attached to a mail; small files only (they are stored in the outbox row). */
export interface MailAttachment {
	filename: string;
	contentType: string;
	/** The file's bytes, base64-encoded. */
	content: string;
}

/**
 * queued: waiting for the worker; sent: accepted by the SMTP server; held: no SMTP_URL
 * configured, readable in the outbox only; failed: gave up after retries or a permanent error.
 */
export const mailStatus = pgEnum('mail_status', ['queued', 'sent', 'held', 'failed']);

/** Every mail the platform sends, written in the transaction of the change that causes it. */
export const outboxMails = pgTable(
	'outbox_mails',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		toAddress: text('to_address').notNull(),
		toName: text('to_name'),
		subject: text('subject').notNull(),
		text: text('text').notNull(),
		html: text('html').notNull(),
		/** Extra headers (Reply-To, List-Unsubscribe, …). */
		headers: jsonb('headers').$type<Record<string, string>>(),
		/** Files sent with the mail (e.g. an .ics invitation); content base64-encoded. */
		attachments: jsonb('attachments').$type<MailAttachment[]>(),
		/** Template name, e.g. `password_reset`, for filtering in the outbox. */
		template: text('template').notNull(),
		status: mailStatus('status').notNull().default('queued'),
		messageId: text('message_id').notNull(),
		attempts: integer('attempts').notNull().default(0),
		lastError: text('last_error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		sentAt: timestamp('sent_at', { withTimezone: true })
	},
	(t) => [index('outbox_mails_created_idx').on(t.createdAt), index('outbox_mails_to_idx').on(t.toAddress)]
);
