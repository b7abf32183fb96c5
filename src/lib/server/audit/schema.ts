import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per state change, written in the same transaction as the change. */
export const auditLog = pgTable(
	'audit_log',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
		/** The acting user; null for the system, anonymous visitors and the CLI. */
		actorUserId: integer('actor_user_id'),
		/** Who acted, readable even after the user is deleted: name and e-mail, "System", "CLI", … */
		actorLabel: text('actor_label').notNull(),
		/** Dotted verb, e.g. `user.invited`, `session.created`. */
		action: text('action').notNull(),
		objectType: text('object_type').notNull(),
		objectId: text('object_id'),
		/** Changed values: `{field: [old, new]}` or the new values for a creation. */
		changes: jsonb('changes'),
		ip: text('ip')
	},
	(t) => [index('audit_log_at_idx').on(t.at), index('audit_log_object_idx').on(t.objectType, t.objectId), index('audit_log_action_idx').on(t.action)]
);
