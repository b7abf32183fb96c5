import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema';

/** The four levels an Infomail is ordered by. */
export const INFOMAIL_LEVELS = ['bund', 'land', 'kommune', 'netzwerk'] as const;
export type InfomailLevel = (typeof INFOMAIL_LEVELS)[number];

/** One entry of a section. `ref` links an object of another domain (an event by id, a member by AGS). */
export interface InfomailItem {
	title: string;
	/** Markdown; rendered with marked and cleaned with sanitize-html. */
	text: string;
	link: string | null;
	ref: { kind: string; id: string } | null;
}
export interface InfomailSection {
	level: InfomailLevel;
	items: InfomailItem[];
}

/**
 * draft: being written; scheduled: waits for its start time (a job); sending: recipients are
 * fixed and being mailed; sent: every recipient is done (sent or failed); cancelled: stopped
 * by a coordinator, the recipients not yet mailed were left out.
 */
export const infomailStatus = pgEnum('infomail_status', ['draft', 'scheduled', 'sending', 'sent', 'cancelled']);

export const infomails = pgTable(
	'infomails',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		subject: text('subject').notNull(),
		/** Markdown, shown before the sections. */
		intro: text('intro').notNull().default(''),
		sections: jsonb('sections').$type<InfomailSection[]>().notNull().default([]),
		/** Keys of the audience resolvers (`member_contacts`, `subscribers`, …). */
		audiences: text('audiences').array().notNull().default(sql`'{}'::text[]`),
		status: infomailStatus('status').notNull().default('draft'),
		/** Mails per second while sending. */
		ratePerSecond: integer('rate_per_second').notNull().default(100),
		scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
		startedAt: timestamp('started_at', { withTimezone: true }),
		finishedAt: timestamp('finished_at', { withTimezone: true }),
		cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
		/** Number of recipients fixed when sending started. */
		recipientCount: integer('recipient_count'),
		createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('infomails_status_idx').on(t.status, t.finishedAt)]
);

/**
 * pending: waits (maybe until next_attempt_at after a temporary failure); sending: an SMTP
 * transaction for it is running in the process that holds `lease_owner`; sent: the SMTP server
 * accepted it; failed: permanent error or attempts used up; cancelled: the send was cancelled
 * before it was its turn; skipped: left out later (address deleted on request).
 */
export const recipientStatus = pgEnum('infomail_recipient_status', ['pending', 'sending', 'sent', 'failed', 'cancelled', 'skipped']);

/** The recipients of one Infomail, fixed when sending starts: one row per unique address. */
export const infomailRecipients = pgTable(
	'infomail_recipients',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		infomailId: integer('infomail_id')
			.notNull()
			.references(() => infomails.id, { onDelete: 'cascade' }),
		/** Lower case; unique per Infomail. */
		email: text('email').notNull(),
		name: text('name'),
		/** The audience that contributed the address first (`member_contacts`, `subscribers`, …). */
		audience: text('audience').notNull(),
		status: recipientStatus('status').notNull().default('pending'),
		/** Fixed at insert, the same on every attempt, so duplicates can be recognised downstream. */
		messageId: text('message_id').notNull(),
		/** Secret of the unsubscribe links in this mail. */
		unsubscribeToken: text('unsubscribe_token').notNull(),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
		/** Advisory-lock key of the sending run that holds the row while it is `sending`. */
		leaseOwner: bigint('lease_owner', { mode: 'number' }),
		/** When the current SMTP transaction started (status `sending`). */
		claimedAt: timestamp('claimed_at', { withTimezone: true }),
		/** Times the row was taken over from a sending run that died mid-transaction (delivery uncertain, sent again). */
		resumed: integer('resumed').notNull().default(0),
		lastError: text('last_error'),
		sentAt: timestamp('sent_at', { withTimezone: true })
	},
	(t) => [
		uniqueIndex('infomail_recipients_address_idx').on(t.infomailId, t.email),
		index('infomail_recipients_due_idx').on(t.infomailId, t.status, t.nextAttemptAt),
		uniqueIndex('infomail_recipients_token_idx').on(t.unsubscribeToken),
		index('infomail_recipients_message_idx').on(t.messageId),
		index('infomail_recipients_email_idx').on(t.email)
	]
);

/**
 * Addresses the Infomail knows apart from user accounts: subscribers from the public form,
 * the API or an import; also opt-outs of member contacts (status `unsubscribed`).
 * pending: waits for the confirmation link; confirmed: receives the Infomail; unsubscribed:
 * receives none (not even as a member contact) until subscribing and confirming again.
 */
export const subscriberStatus = pgEnum('infomail_subscriber_status', ['pending', 'confirmed', 'unsubscribed']);

export const infomailSubscribers = pgTable(
	'infomail_subscribers',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** Lower case; unique. */
		email: text('email').notNull(),
		name: text('name'),
		status: subscriberStatus('status').notNull().default('pending'),
		/** Secret of the subscriber's own links (unsubscribe, data); only its SHA-256 is stored. */
		tokenHash: text('token_hash').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
		confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
		unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true })
	},
	(t) => [uniqueIndex('infomail_subscribers_email_idx').on(t.email), uniqueIndex('infomail_subscribers_token_idx').on(t.tokenHash), index('infomail_subscribers_status_idx').on(t.status)]
);

/**
 * Proof of consent (double opt-in): one row per subscription request, never changed except
 * for its confirmation and withdrawal. Subscribing again makes a new row that needs its own
 * confirmation.
 */
export const infomailConsents = pgTable(
	'infomail_consents',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		subscriberId: integer('subscriber_id')
			.notNull()
			.references(() => infomailSubscribers.id, { onDelete: 'cascade' }),
		/** The address as it was requested. */
		email: text('email').notNull(),
		/** Where the request came from: `Formular /infomail`, `API`, `Import: …`. */
		source: text('source').notNull(),
		/** Version of the consent text the person agreed to (CONSENT_TEXTS). */
		consentVersion: text('consent_version').notNull(),
		requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
		requestIp: text('request_ip'),
		requestUserAgent: text('request_user_agent'),
		/** SHA-256 of the confirmation link's secret; null once used or for imports. */
		confirmTokenHash: text('confirm_token_hash'),
		confirmExpiresAt: timestamp('confirm_expires_at', { withTimezone: true }),
		confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
		confirmIp: text('confirm_ip'),
		withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
		withdrawIp: text('withdraw_ip'),
		/** How consent was withdrawn: `one-click`, `web`, `coordinator`, … */
		withdrawMethod: text('withdraw_method')
	},
	(t) => [index('infomail_consents_subscriber_idx').on(t.subscriberId), uniqueIndex('infomail_consents_token_idx').on(t.confirmTokenHash)]
);

export const bounceKind = pgEnum('mail_bounce_kind', ['hard', 'soft']);

/** Bounces reported by the MTA or mail provider. An uncleared hard bounce stops all Infomails to the address. */
export const mailBounces = pgTable(
	'mail_bounces',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** Lower case. */
		email: text('email').notNull(),
		kind: bounceKind('kind').notNull(),
		reason: text('reason'),
		/** Message-ID of the bounced mail, when the reporter knows it. */
		messageId: text('message_id'),
		infomailId: integer('infomail_id').references(() => infomails.id, { onDelete: 'set null' }),
		occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
		recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
		/** A coordinator released the address again (e.g. the mailbox was fixed). */
		clearedAt: timestamp('cleared_at', { withTimezone: true })
	},
	(t) => [index('mail_bounces_email_idx').on(t.email, t.kind), index('mail_bounces_recorded_idx').on(t.recordedAt)]
);
