import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Feedback on barriers, from the form on /barrierefreiheit (required by BITV NRW). */
export const accessibilityFeedback = pgTable('accessibility_feedback', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: text('name'),
	email: text('email'),
	/** The page where the barrier was met. */
	pageUrl: text('page_url'),
	message: text('message').notNull(),
	createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
	/** Set when a coordinator has answered or closed it. */
	doneAt: timestamp('done_at', { withTimezone: true })
});
