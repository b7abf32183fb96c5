import { bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const jobStatus = pgEnum('job_status', ['pending', 'running', 'done', 'failed']);

/**
 * Durable background work. Rows are claimed with `FOR UPDATE SKIP LOCKED`, so with several
 * app processes each job runs in exactly one of them; a job whose worker died is taken up
 * again after its lease (`locked_until`) runs out.
 */
export const jobs = pgTable(
	'jobs',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		/** Handler name, e.g. `mail.send`. */
		kind: text('kind').notNull(),
		payload: jsonb('payload').notNull().default({}),
		status: jobStatus('status').notNull().default('pending'),
		runAt: timestamp('run_at', { withTimezone: true }).notNull().defaultNow(),
		attempts: integer('attempts').notNull().default(0),
		maxAttempts: integer('max_attempts').notNull().default(8),
		lockedBy: text('locked_by'),
		lockedUntil: timestamp('locked_until', { withTimezone: true }),
		lastError: text('last_error'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		finishedAt: timestamp('finished_at', { withTimezone: true })
	},
	(t) => [index('jobs_due_idx').on(t.status, t.runAt), index('jobs_kind_idx').on(t.kind)]
);
