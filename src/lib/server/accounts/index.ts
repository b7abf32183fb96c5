/**
 * Accounts: users and roles, browser sessions, login with throttling, API tokens.
 * Every state change is one exported command that validates its input and writes its audit
 * record in the same transaction.
 */
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit, type Actor } from '../audit';
import { db, type DbOrTx } from '../db';
import { DomainError } from '../errors';
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from './passwords';
import { apiTokens, loginAttempts, sessions, users } from './schema';
import { newSecret, sha256 } from './tokens';
import { areas } from '../areas/schema';

export type Role = 'coordinator' | 'member_contact' | 'partner';
export const ROLES: Role[] = ['coordinator', 'member_contact', 'partner'];
export const ROLE_LABELS: Record<Role, string> = {
	coordinator: 'Koordinierungsstelle',
	member_contact: 'Kommunale Ansprechperson',
	partner: 'Lokaler Partner'
};

/** What a request knows of its logged-in user. */
export interface SessionUser {
	id: number;
	email: string;
	name: string;
	role: Role;
	areaAgs: string | null;
}

export function actorFor(user: SessionUser | null, ip?: string): Actor {
	if (!user) return { label: 'Anonym', ip };
	return { userId: user.id, label: `${user.name} <${user.email}>`, role: user.role, areaAgs: user.areaAgs, ip };
}

export const emailSchema = z
	.string({ error: 'Bitte geben Sie eine E-Mail-Adresse an.' })
	.trim()
	.min(1, 'Bitte geben Sie eine E-Mail-Adresse an.')
	.max(254, 'Die E-Mail-Adresse ist zu lang.')
	.pipe(z.email({ error: 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@stadt.de.' }));

export const createUserInput = z
	.object({
		/** Login and contact address; unique regardless of case. */
		email: emailSchema,
		/** Full name as shown to others. */
		name: z.string({ error: 'Bitte geben Sie einen Namen an.' }).trim().min(2, 'Bitte geben Sie einen Namen an.').max(200),
		/** coordinator, member_contact or partner. */
		role: z.enum(ROLES, { error: 'Die Rolle muss coordinator, member_contact oder partner sein.' }),
		/** Member contacts: the AGS of the municipality or Kreis they act for. */
		areaAgs: z
			.string()
			.trim()
			.regex(/^\d{3}(\d{2}(\d{3})?)?$/, 'Der AGS hat 3, 5 oder 8 Ziffern.')
			.nullish(),
		organisation: z.string().trim().max(200).nullish(),
		position: z.string().trim().max(200).nullish(),
		/** Initial password; without one the user is `invited` and sets it through a link. */
		password: z.string().optional()
	})
	.superRefine((v, ctx) => {
		if (v.role === 'member_contact' && !v.areaAgs)
			ctx.addIssue({ code: 'custom', path: ['areaAgs'], message: 'Eine kommunale Ansprechperson braucht den AGS ihrer Kommune.' });
		const p = v.password !== undefined ? passwordProblem(v.password) : undefined;
		if (p) ctx.addIssue({ code: 'custom', path: ['password'], message: p });
	});
export type CreateUserInput = z.input<typeof createUserInput>;

/** Creates a user account. Fails with a DomainError (409) when the e-mail address is taken. */
export async function createUser(tx: DbOrTx, actor: Actor, input: CreateUserInput) {
	const v = createUserInput.parse(input);
	if (v.areaAgs) {
		const [area] = await tx.select({ ags: areas.ags }).from(areas).where(eq(areas.ags, v.areaAgs));
		if (!area) throw new DomainError('validation', `Es gibt kein Gebiet mit dem AGS ${v.areaAgs}.`, { areaAgs: ['Unbekannter AGS.'] });
	}
	const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${v.email})`);
	if (existing) throw new DomainError('conflict', `Es gibt bereits ein Konto mit der E-Mail-Adresse ${v.email}.`, { email: ['Diese Adresse ist bereits vergeben.'] });
	const [user] = await tx
		.insert(users)
		.values({
			email: v.email,
			name: v.name,
			role: v.role,
			areaAgs: v.areaAgs ?? null,
			organisation: v.organisation ?? null,
			position: v.position ?? null,
			status: v.password ? 'active' : 'invited',
			passwordHash: v.password ? await hashPassword(v.password) : null
		})
		.returning();
	await recordAudit(tx, actor, {
		action: 'user.created',
		objectType: 'user',
		objectId: user.id,
		changes: { email: user.email, name: user.name, role: user.role, areaAgs: user.areaAgs, status: user.status }
	});
	return user;
}

export async function findUserByEmail(conn: DbOrTx, email: string) {
	const [user] = await conn.select().from(users).where(sql`lower(${users.email}) = lower(${email.trim()})`);
	return user;
}

export async function getUser(conn: DbOrTx, id: number) {
	const [user] = await conn.select().from(users).where(eq(users.id, id));
	return user;
}

function toSessionUser(u: { id: number; email: string; name: string; role: Role; areaAgs: string | null }): SessionUser {
	return { id: u.id, email: u.email, name: u.name, role: u.role, areaAgs: u.areaAgs };
}

// ---------------------------------------------------------------------------------------
// Login throttling

/** At most this many failed logins per account and per IP address … */
export const MAX_FAILURES = 10;
/** … within this window. */
export const FAILURE_WINDOW_MINUTES = 15;

/** Seconds until the next attempt is allowed, or 0. Counted in the database for all processes. */
export async function loginRetryAfter(conn: DbOrTx, email: string, ip: string): Promise<number> {
	const res = await conn.execute<{ by_email: number; by_ip: number; oldest_email: string | null; oldest_ip: string | null }>(sql`
		select
		  count(*) filter (where lower(email) = lower(${email}))::int as by_email,
		  count(*) filter (where ip = ${ip})::int as by_ip,
		  min(at) filter (where lower(email) = lower(${email})) as oldest_email,
		  min(at) filter (where ip = ${ip}) as oldest_ip
		from login_attempts
		where not success and at > now() - make_interval(mins => ${FAILURE_WINDOW_MINUTES})
		  and (lower(email) = lower(${email}) or ip = ${ip})`);
	const row = res.rows[0];
	if (row.by_email < MAX_FAILURES && row.by_ip < MAX_FAILURES) return 0;
	const oldest = [row.by_email >= MAX_FAILURES ? row.oldest_email : null, row.by_ip >= MAX_FAILURES ? row.oldest_ip : null]
		.filter((x): x is string => !!x)
		.map((x) => new Date(x).getTime());
	const until = Math.max(...oldest) + FAILURE_WINDOW_MINUTES * 60_000;
	return Math.max(1, Math.ceil((until - Date.now()) / 1000));
}

export type LoginResult =
	| { ok: true; user: SessionUser; sessionToken: string; expiresAt: Date }
	| { ok: false; reason: 'invalid' }
	| { ok: false; reason: 'throttled'; retryAfter: number };

export const SESSION_DAYS = 14;

export interface LoginInput {
	/** Address as typed; matched case-insensitively. */
	email: string;
	password: string;
	/** Client address, for throttling and the audit log. */
	ip: string;
	userAgent?: string | null;
}

/**
 * Checks the password and opens a session. Throttled before the password is checked, so an
 * attacker learns nothing once the limit is reached. Every attempt is recorded.
 */
export async function login(input: LoginInput): Promise<LoginResult> {
	const email = input.email.trim().slice(0, 254);
	const retryAfter = await loginRetryAfter(db(), email, input.ip);
	if (retryAfter > 0) return { ok: false, reason: 'throttled', retryAfter };
	const user = await findUserByEmail(db(), email);
	const valid = user && user.status === 'active' ? await verifyPassword(user.passwordHash, input.password) : (await verifyDummy(input.password), false);
	return db().transaction(async (tx) => {
		await tx.insert(loginAttempts).values({ email, ip: input.ip, success: !!valid });
		if (!valid || !user) {
			if (user) await recordAudit(tx, { label: email, ip: input.ip }, { action: 'session.login_failed', objectType: 'user', objectId: user.id });
			return { ok: false, reason: 'invalid' } as const;
		}
		const token = newSecret();
		const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
		await tx.insert(sessions).values({ id: sha256(token), userId: user.id, expiresAt, ip: input.ip, userAgent: input.userAgent?.slice(0, 500) ?? null });
		await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
		const su = toSessionUser(user);
		await recordAudit(tx, actorFor(su, input.ip), { action: 'session.created', objectType: 'user', objectId: user.id });
		return { ok: true, user: su, sessionToken: token, expiresAt } as const;
	});
}

/** The user of a session cookie, or null when unknown, expired or the account is not active. */
export async function userForSession(token: string): Promise<{ user: SessionUser; sessionId: string } | null> {
	const id = sha256(token);
	const [row] = await db()
		.select({ user: users, lastSeenAt: sessions.lastSeenAt })
		.from(sessions)
		.innerJoin(users, eq(users.id, sessions.userId))
		.where(and(eq(sessions.id, id), gt(sessions.expiresAt, new Date()), eq(users.status, 'active')));
	if (!row) return null;
	// Touch at most every 10 minutes to keep reads cheap.
	if (Date.now() - row.lastSeenAt.getTime() > 600_000) {
		await db().update(sessions).set({ lastSeenAt: new Date() }).where(eq(sessions.id, id));
	}
	return { user: toSessionUser(row.user), sessionId: id };
}

export async function logout(actor: Actor, sessionId: string): Promise<void> {
	await db().transaction(async (tx) => {
		const deleted = await tx.delete(sessions).where(eq(sessions.id, sessionId)).returning({ userId: sessions.userId });
		if (deleted.length) await recordAudit(tx, actor, { action: 'session.ended', objectType: 'user', objectId: deleted[0].userId });
	});
}

// ---------------------------------------------------------------------------------------
// API tokens

export const TOKEN_PREFIX = 'knt_';

export interface CreateApiTokenInput {
	userId: number;
	/** What the token is for, e.g. "Tabellenabgleich". */
	name: string;
}

/** Creates a personal API token; the secret is returned once and stored only as a hash. */
export async function createApiToken(tx: DbOrTx, actor: Actor, input: CreateApiTokenInput) {
	const name = input.name.trim().slice(0, 100) || 'API-Zugang';
	const token = newSecret(TOKEN_PREFIX);
	const [row] = await tx
		.insert(apiTokens)
		.values({ userId: input.userId, name, tokenHash: sha256(token), prefix: token.slice(0, TOKEN_PREFIX.length + 6) })
		.returning({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt });
	await recordAudit(tx, actor, { action: 'api_token.created', objectType: 'api_token', objectId: row.id, changes: { userId: input.userId, name } });
	return { ...row, token };
}

export async function listApiTokens(conn: DbOrTx, userId: number) {
	return conn
		.select({ id: apiTokens.id, name: apiTokens.name, prefix: apiTokens.prefix, createdAt: apiTokens.createdAt, lastUsedAt: apiTokens.lastUsedAt })
		.from(apiTokens)
		.where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
		.orderBy(desc(apiTokens.createdAt));
}

/** Revokes one of the user's own tokens. Returns false when there is no such active token. */
export async function revokeApiToken(tx: DbOrTx, actor: Actor, input: { userId: number; tokenId: number }): Promise<boolean> {
	const rows = await tx
		.update(apiTokens)
		.set({ revokedAt: new Date() })
		.where(and(eq(apiTokens.id, input.tokenId), eq(apiTokens.userId, input.userId), isNull(apiTokens.revokedAt)))
		.returning({ id: apiTokens.id });
	if (!rows.length) return false;
	await recordAudit(tx, actor, { action: 'api_token.revoked', objectType: 'api_token', objectId: input.tokenId });
	return true;
}

/** The user of a bearer token, or null. */
export async function userForApiToken(token: string): Promise<SessionUser | null> {
	if (!token.startsWith(TOKEN_PREFIX)) return null;
	const [row] = await db()
		.select({ user: users, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
		.from(apiTokens)
		.innerJoin(users, eq(users.id, apiTokens.userId))
		.where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt), eq(users.status, 'active')));
	if (!row) return null;
	if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 600_000) {
		await db().update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.tokenId));
	}
	return toSessionUser(row.user);
}
