import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** coordinator: the coordination office; member_contact: official of one member; partner: local partner. */
export const userRole = pgEnum('user_role', ['coordinator', 'member_contact', 'partner']);
/** invited: has not yet set a password; disabled: may not log in. */
export const userStatus = pgEnum('user_status', ['invited', 'active', 'disabled']);

export const users = pgTable(
	'users',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		/** Stored as entered; unique case-insensitively. */
		email: text('email').notNull(),
		name: text('name').notNull(),
		role: userRole('role').notNull(),
		status: userStatus('status').notNull().default('active'),
		/** The official area a member contact acts for (or a partner belongs to). */
		areaAgs: text('area_ags'),
		organisation: text('organisation'),
		/** Function or office, e.g. "Engagementbeauftragte". */
		position: text('position'),
		phone: text('phone'),
		passwordHash: text('password_hash'),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
		lastLoginAt: timestamp('last_login_at', { withTimezone: true })
	},
	(t) => [uniqueIndex('users_email_lower_idx').on(sql`lower(${t.email})`), index('users_area_idx').on(t.areaAgs)]
);

/** Browser sessions; the cookie holds a random token, the table only its SHA-256. */
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull().defaultNow(),
		userAgent: text('user_agent'),
		ip: text('ip')
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

/** Personal API tokens (`Authorization: Bearer`); only the SHA-256 is stored. */
export const apiTokens = pgTable(
	'api_tokens',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		name: text('name').notNull(),
		tokenHash: text('token_hash').notNull().unique(),
		/** First characters of the token, shown so that users can tell their tokens apart. */
		prefix: text('prefix').notNull(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
		revokedAt: timestamp('revoked_at', { withTimezone: true })
	},
	(t) => [index('api_tokens_user_idx').on(t.userId)]
);

/** Every login attempt, for throttling across app processes. */
export const loginAttempts = pgTable(
	'login_attempts',
	{
		id: bigserial('id', { mode: 'number' }).primaryKey(),
		email: text('email').notNull(),
		ip: text('ip').notNull(),
		success: boolean('success').notNull(),
		at: timestamp('at', { withTimezone: true }).notNull().defaultNow()
	},
	(t) => [index('login_attempts_email_idx').on(sql`lower(${t.email})`, t.at), index('login_attempts_ip_idx').on(t.ip, t.at)]
);

export const accountTokenPurpose = pgEnum('account_token_purpose', ['password_reset', 'invitation']);

/** Single-use links sent by mail (password reset, invitation); only the SHA-256 is stored. */
export const accountTokens = pgTable(
	'account_tokens',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		purpose: accountTokenPurpose('purpose').notNull(),
		tokenHash: text('token_hash').notNull().unique(),
		createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
		expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
		usedAt: timestamp('used_at', { withTimezone: true })
	},
	(t) => [index('account_tokens_user_idx').on(t.userId)]
);
