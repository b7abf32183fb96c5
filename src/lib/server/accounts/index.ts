/**
 * Accounts: users and roles, browser sessions, login with throttling, API tokens.
 * Every state change is one exported command that validates its input and writes its audit
 * record in the same transaction.
 */
import { and, asc, desc, eq, gt, ilike, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { cliActor, diff, recordAudit, systemActor, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import { db, type DbOrTx } from '../db';
import { DomainError, fieldErrorsOf, forbidden, notFound } from '../errors';
import { enqueueMail } from '../mail';
import { invitationMail, passwordResetMail } from './mails';
import { hashPassword, passwordProblem, verifyDummy, verifyPassword } from './passwords';
import { accountTokens, apiTokens, loginAttempts, sessions, users } from './schema';
import { newSecret, sha256 } from './tokens';
import { areas } from '../areas/schema';
import { optionalText } from '../validation';

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
	const user = await insertUser(tx, v);
	await recordAudit(tx, actor, {
		action: 'user.created',
		objectType: 'user',
		objectId: user.id,
		changes: { email: user.email, name: user.name, role: user.role, areaAgs: user.areaAgs, status: user.status }
	});
	return user;
}

async function assertAreaExists(tx: DbOrTx, ags: string): Promise<void> {
	const [area] = await tx.select({ ags: areas.ags }).from(areas).where(eq(areas.ags, ags));
	if (!area)
		throw new DomainError('validation', `Es gibt kein Gebiet mit dem AGS ${ags}.`, {
			areaAgs: [`Es gibt kein Gebiet mit dem AGS ${ags}. Den AGS Ihrer Kommune finden Sie unter „Gebiete“.`]
		});
}

/** The insert shared by createUser and inviteUser; the caller writes the audit record. */
async function insertUser(tx: DbOrTx, v: z.output<typeof createUserInput>) {
	if (v.areaAgs) {
		await assertAreaExists(tx, v.areaAgs);
	}
	const [existing] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = lower(${v.email})`);
	if (existing) throw emailTaken(v.email);
	const passwordHash = v.password ? await hashPassword(v.password) : null;
	try {
		const [user] = await tx
			.insert(users)
			.values({
				email: v.email,
				name: v.name,
				role: v.role,
				areaAgs: v.areaAgs ?? null,
				organisation: v.organisation ?? null,
				position: v.position ?? null,
				status: passwordHash ? 'active' : 'invited',
				passwordHash
			})
			.returning();
		return user;
	} catch (e) {
		// Two requests for the same address at once: the unique index decides.
		if (pgErrorCode(e) === '23505') throw emailTaken(v.email);
		throw e;
	}
}

function emailTaken(email: string): DomainError {
	return new DomainError('conflict', `Es gibt bereits ein Konto mit der E-Mail-Adresse ${email}.`, { email: ['Diese Adresse ist bereits vergeben.'] });
}

function pgErrorCode(e: unknown): string | undefined {
	return (e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
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
		const session = await openSession(tx, toSessionUser(user), input.ip, input.userAgent);
		return { ok: true, user: toSessionUser(user), ...session } as const;
	});
}

/** Creates a session row (the cookie gets the token) and records the login. */
async function openSession(tx: DbOrTx, user: SessionUser, ip: string | undefined, userAgent: string | null | undefined) {
	const token = newSecret();
	const expiresAt = new Date(Date.now() + SESSION_DAYS * 86_400_000);
	await tx.insert(sessions).values({ id: sha256(token), userId: user.id, expiresAt, ip: ip ?? null, userAgent: userAgent?.slice(0, 500) ?? null });
	await tx.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
	await recordAudit(tx, actorFor(user, ip), { action: 'session.created', objectType: 'user', objectId: user.id });
	return { sessionToken: token, expiresAt };
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

// ---------------------------------------------------------------------------------------
// Shared validation

/** Parses a command's input; failures become a DomainError with German messages per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
	const r = schema.safeParse(input);
	if (!r.success) throw new DomainError('validation', 'Bitte prüfen Sie die markierten Angaben.', fieldErrorsOf(r.error));
	return r.data;
}

/** A new password, checked against PASSWORD_RULE. */
export const passwordSchema = z
	.string({ error: 'Bitte geben Sie ein Passwort an.' })
	.min(1, 'Bitte geben Sie ein Passwort an.')
	.superRefine((p, ctx) => {
		const problem = passwordProblem(p);
		if (problem) ctx.addIssue({ code: 'custom', message: problem });
	});


const agsSchema = z
	.string()
	.trim()
	.regex(/^\d{3}(\d{2}(\d{3})?)?$/, 'Der AGS hat 3, 5 oder 8 Ziffern, z. B. 05711000 für Bielefeld.');

/**
 * Coordinators, and the operator at the command line or the system itself (no user, no
 * request), may manage accounts. Anonymous visitors carry an IP address and are refused.
 */
function requireAccountAdmin(actor: Actor): void {
	if (actor.role === 'coordinator') return;
	if (actor.userId === undefined && !actor.ip && (actor.label === cliActor.label || actor.label === systemActor.label)) return;
	throw forbidden('Das darf nur die Koordinierungsstelle.');
}

function requireSelf(actor: Actor): number {
	if (!actor.userId) throw new DomainError('unauthorized', 'Bitte melden Sie sich an.');
	return actor.userId;
}

export type UserRow = typeof users.$inferSelect;
export type UserStatus = UserRow['status'];
export const USER_STATUSES: UserStatus[] = ['invited', 'active', 'disabled'];
export const STATUS_LABELS: Record<UserStatus, string> = { invited: 'Eingeladen', active: 'Aktiv', disabled: 'Deaktiviert' };

// ---------------------------------------------------------------------------------------
// Single-use links (password reset, invitation)

export type AccountTokenPurpose = 'password_reset' | 'invitation';

/** Validity of a password reset link. */
export const RESET_MINUTES = 60;
/** Reset mails per address and hour; more requests get the same answer but no mail. */
export const RESET_MAX_PER_ADDRESS = 5;
/** Reset mails per client address and hour, against mail floods to many accounts. */
export const RESET_MAX_PER_IP = 20;
/** Validity of an invitation link. */
export const INVITATION_DAYS = 7;

export type TokenProblem = 'unknown' | 'used' | 'expired' | 'inactive';

export type TokenCheck = { ok: true; user: UserRow; expiresAt: Date } | { ok: false; reason: TokenProblem; message: string };

const TOKEN_MESSAGES: Record<AccountTokenPurpose, Record<TokenProblem, string>> = {
	password_reset: {
		unknown: 'Dieser Link ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der E-Mail übernommen haben.',
		used: 'Dieser Link wurde bereits verwendet. Jeder Link gilt nur einmal.',
		expired: 'Dieser Link ist abgelaufen oder wurde durch einen neueren ersetzt.',
		inactive: 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Koordinierungsstelle.'
	},
	invitation: {
		unknown: 'Dieser Einladungslink ist ungültig. Bitte prüfen Sie, ob Sie ihn vollständig aus der E-Mail übernommen haben.',
		used: 'Diese Einladung wurde bereits angenommen. Bitte melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.',
		expired: 'Diese Einladung ist abgelaufen oder wurde durch eine neuere ersetzt. Die Koordinierungsstelle kann Ihnen eine neue Einladung schicken.',
		inactive: 'Dieses Konto ist deaktiviert. Bitte wenden Sie sich an die Koordinierungsstelle.'
	}
};

/** Link secrets are base64url; anything else cannot be one of ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

/** Whether a link from a mail can still be used, and if not, why (German message included). */
export async function checkAccountToken(conn: DbOrTx, purpose: AccountTokenPurpose, token: string): Promise<TokenCheck> {
	const fail = (reason: TokenProblem): TokenCheck => ({ ok: false, reason, message: TOKEN_MESSAGES[purpose][reason] });
	if (!TOKEN_SHAPE.test(token)) return fail('unknown');
	const [row] = await conn
		.select({ user: users, usedAt: accountTokens.usedAt, expiresAt: accountTokens.expiresAt })
		.from(accountTokens)
		.innerJoin(users, eq(users.id, accountTokens.userId))
		.where(and(eq(accountTokens.tokenHash, sha256(token)), eq(accountTokens.purpose, purpose)));
	if (!row) return fail('unknown');
	if (row.usedAt) return fail('used');
	if (row.expiresAt.getTime() <= Date.now()) return fail('expired');
	if (row.user.status === 'disabled') return fail('inactive');
	if (purpose === 'invitation' && row.user.status !== 'invited') return fail('used');
	return { ok: true, user: row.user, expiresAt: row.expiresAt };
}

/**
 * Marks the link used in one statement, so that two simultaneous submissions cannot both
 * succeed. Throws the German reason when the link is not usable.
 */
async function consumeAccountToken(tx: DbOrTx, purpose: AccountTokenPurpose, token: string): Promise<UserRow> {
	const check = await checkAccountToken(tx, purpose, token);
	if (!check.ok) throw new DomainError('validation', check.message, { token: [check.message] });
	const consumed = await tx
		.update(accountTokens)
		.set({ usedAt: new Date() })
		.where(and(eq(accountTokens.tokenHash, sha256(token)), eq(accountTokens.purpose, purpose), isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, new Date())))
		.returning({ id: accountTokens.id });
	if (!consumed.length) throw new DomainError('validation', TOKEN_MESSAGES[purpose].used, { token: [TOKEN_MESSAGES[purpose].used] });
	return check.user;
}

/** Ends all outstanding links of a user (of one purpose, or all) by letting them expire now. */
async function expireAccountTokens(tx: DbOrTx, userId: number, purpose?: AccountTokenPurpose): Promise<void> {
	const now = new Date();
	await tx
		.update(accountTokens)
		.set({ expiresAt: now })
		.where(and(eq(accountTokens.userId, userId), purpose ? eq(accountTokens.purpose, purpose) : undefined, isNull(accountTokens.usedAt), gt(accountTokens.expiresAt, now)));
}

async function insertAccountToken(tx: DbOrTx, userId: number, purpose: AccountTokenPurpose, expiresAt: Date): Promise<string> {
	const token = newSecret();
	await tx.insert(accountTokens).values({ userId, purpose, tokenHash: sha256(token), expiresAt });
	return token;
}

export const requestPasswordResetInput = z.object({
	/** The address as typed; matched case-insensitively. */
	email: emailSchema
});
export type RequestPasswordResetInput = z.input<typeof requestPasswordResetInput>;

/**
 * Mails a reset link to an active or invited account. Callers answer the same in every case,
 * so that nobody learns whether an address is registered; for the same reason unknown
 * addresses and throttled requests end silently.
 */
export async function requestPasswordReset(conn: DbOrTx, actor: Actor, input: RequestPasswordResetInput): Promise<void> {
	const v = parseInput(requestPasswordResetInput, input);
	await conn.transaction(async (tx) => {
		const user = await findUserByEmail(tx, v.email);
		if (!user || user.status === 'disabled') return;
		// Serialises simultaneous requests for one account, so the count below holds.
		await tx.execute(sql`select id from users where id = ${user.id} for update`);
		const hourAgo = new Date(Date.now() - 3_600_000);
		const [{ n: byAddress }] = await tx
			.select({ n: sql<number>`count(*)::int` })
			.from(accountTokens)
			.where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, 'password_reset'), gt(accountTokens.createdAt, hourAgo)));
		if (byAddress >= RESET_MAX_PER_ADDRESS) return;
		if (actor.ip) {
			const [{ n: byIp }] = await tx
				.select({ n: sql<number>`count(*)::int` })
				.from(auditLog)
				.where(and(eq(auditLog.action, 'password_reset.requested'), eq(auditLog.ip, actor.ip), gt(auditLog.at, hourAgo)));
			if (byIp >= RESET_MAX_PER_IP) return;
		}
		await expireAccountTokens(tx, user.id, 'password_reset');
		const expiresAt = new Date(Date.now() + RESET_MINUTES * 60_000);
		const token = await insertAccountToken(tx, user.id, 'password_reset', expiresAt);
		await enqueueMail(tx, { to: user.email, toName: user.name, template: 'password_reset', ...passwordResetMail({ name: user.name, token, minutes: RESET_MINUTES }) });
		await recordAudit(tx, actor, { action: 'password_reset.requested', objectType: 'user', objectId: user.id, changes: { expiresAt: expiresAt.toISOString() } });
	});
}

export const resetPasswordInput = z.object({
	/** The secret from the mail link. */
	token: z.string({ error: 'Der Link ist unvollständig.' }),
	/** The new password (PASSWORD_RULE). */
	password: passwordSchema
});
export type ResetPasswordInput = z.input<typeof resetPasswordInput>;

/**
 * Sets a new password through a reset link: the link is used up, every session of the account
 * ends, an invited account becomes active and earlier login failures of the address are
 * forgiven (whoever holds the link controls the mailbox).
 */
export async function resetPassword(conn: DbOrTx, actor: Actor, input: ResetPasswordInput): Promise<{ userId: number; email: string }> {
	const v = parseInput(resetPasswordInput, input);
	const passwordHash = await hashPassword(v.password);
	return conn.transaction(async (tx) => {
		const user = await consumeAccountToken(tx, 'password_reset', v.token);
		const status = user.status === 'invited' ? 'active' : user.status;
		await tx.update(users).set({ passwordHash, status, updatedAt: new Date() }).where(eq(users.id, user.id));
		await tx.delete(sessions).where(eq(sessions.userId, user.id));
		await expireAccountTokens(tx, user.id);
		await tx.delete(loginAttempts).where(and(sql`lower(${loginAttempts.email}) = lower(${user.email})`, eq(loginAttempts.success, false)));
		await recordAudit(tx, actorFor(toSessionUser(user), actor.ip), {
			action: 'password_reset.completed',
			objectType: 'user',
			objectId: user.id,
			changes: user.status !== status ? { status: [user.status, status] } : null
		});
		return { userId: user.id, email: user.email };
	});
}

// ---------------------------------------------------------------------------------------
// Invitations

export type InviteUserInput = Omit<CreateUserInput, 'password'>;

async function sendInvitation(tx: DbOrTx, actor: Actor, user: UserRow): Promise<Date> {
	await expireAccountTokens(tx, user.id, 'invitation');
	const expiresAt = new Date(Date.now() + INVITATION_DAYS * 86_400_000);
	const token = await insertAccountToken(tx, user.id, 'invitation', expiresAt);
	const [area] = user.areaAgs ? await tx.select({ name: areas.name }).from(areas).where(eq(areas.ags, user.areaAgs)) : [];
	const [inviter] = actor.userId ? await tx.select({ name: users.name }).from(users).where(eq(users.id, actor.userId)) : [];
	const mail = invitationMail({
		name: user.name,
		token,
		inviterName: inviter?.name ?? null,
		roleLabel: ROLE_LABELS[user.role],
		areaName: area?.name ?? null,
		expiresAt,
		days: INVITATION_DAYS
	});
	await enqueueMail(tx, { to: user.email, toName: user.name, template: 'invitation', ...mail });
	return expiresAt;
}

/**
 * Creates an account without password (status `invited`) and mails a link, valid
 * INVITATION_DAYS days, with which the person sets a password. Coordinators only.
 */
export async function inviteUser(conn: DbOrTx, actor: Actor, input: InviteUserInput): Promise<UserRow> {
	requireAccountAdmin(actor);
	const v = parseInput(createUserInput, { ...input, password: undefined });
	return conn.transaction(async (tx) => {
		const user = await insertUser(tx, v);
		const expiresAt = await sendInvitation(tx, actor, user);
		await recordAudit(tx, actor, {
			action: 'user.invited',
			objectType: 'user',
			objectId: user.id,
			changes: {
				email: user.email,
				name: user.name,
				role: user.role,
				areaAgs: user.areaAgs,
				organisation: user.organisation,
				position: user.position,
				invitationExpiresAt: expiresAt.toISOString()
			}
		});
		return user;
	});
}

export interface ResendInvitationInput {
	userId: number;
}

/** Sends a new invitation link to an invited account; earlier links stop working. */
export async function resendInvitation(conn: DbOrTx, actor: Actor, input: ResendInvitationInput): Promise<{ expiresAt: Date }> {
	requireAccountAdmin(actor);
	return conn.transaction(async (tx) => {
		const user = await getUser(tx, input.userId);
		if (!user) throw notFound('Dieses Konto gibt es nicht.');
		if (user.status === 'active') throw new DomainError('conflict', `${user.name} hat die Einladung bereits angenommen; das Konto ist aktiv.`);
		if (user.status === 'disabled') throw new DomainError('conflict', `Das Konto von ${user.name} ist deaktiviert. Bitte reaktivieren Sie es zuerst.`);
		const expiresAt = await sendInvitation(tx, actor, user);
		await recordAudit(tx, actor, { action: 'user.invitation_resent', objectType: 'user', objectId: user.id, changes: { invitationExpiresAt: expiresAt.toISOString() } });
		return { expiresAt };
	});
}

export const acceptInvitationInput = z.object({
	/** The secret from the invitation link. */
	token: z.string({ error: 'Der Link ist unvollständig.' }),
	/** The password the person chooses (PASSWORD_RULE). */
	password: passwordSchema,
	/** Browser, for the new session. */
	userAgent: z.string().nullish()
});
export type AcceptInvitationInput = z.input<typeof acceptInvitationInput>;

/** Sets the first password of an invited account, activates it and opens a session. */
export async function acceptInvitation(conn: DbOrTx, actor: Actor, input: AcceptInvitationInput): Promise<{ user: SessionUser; sessionToken: string; expiresAt: Date }> {
	const v = parseInput(acceptInvitationInput, input);
	const passwordHash = await hashPassword(v.password);
	return conn.transaction(async (tx) => {
		const row = await consumeAccountToken(tx, 'invitation', v.token);
		await tx.update(users).set({ passwordHash, status: 'active', updatedAt: new Date() }).where(eq(users.id, row.id));
		await expireAccountTokens(tx, row.id);
		const user = toSessionUser(row);
		await recordAudit(tx, actorFor(user, actor.ip), { action: 'user.invitation_accepted', objectType: 'user', objectId: row.id, changes: { status: [row.status, 'active'] } });
		const session = await openSession(tx, user, actor.ip, v.userAgent);
		return { user, ...session };
	});
}

// ---------------------------------------------------------------------------------------
// User administration

export interface SetUserStatusInput {
	userId: number;
	/** `active` reactivates (an account that never set a password returns to `invited`), `disabled` blocks login and API tokens. */
	status: 'active' | 'disabled';
}

/** Deactivates or reactivates an account. Deactivation ends its sessions; nobody can deactivate themselves. */
export async function setUserStatus(conn: DbOrTx, actor: Actor, input: SetUserStatusInput): Promise<UserRow> {
	requireAccountAdmin(actor);
	const v = parseInput(z.object({ userId: z.number().int(), status: z.enum(['active', 'disabled'], { error: 'Der Status muss active oder disabled sein.' }) }), input);
	if (v.status === 'disabled' && actor.userId === v.userId) throw new DomainError('conflict', 'Sie können Ihr eigenes Konto nicht deaktivieren.');
	return conn.transaction(async (tx) => {
		const user = await getUser(tx, v.userId);
		if (!user) throw notFound('Dieses Konto gibt es nicht.');
		const status: UserStatus = v.status === 'disabled' ? 'disabled' : user.status !== 'disabled' ? user.status : user.passwordHash ? 'active' : 'invited';
		if (status === user.status) return user;
		const [updated] = await tx.update(users).set({ status, updatedAt: new Date() }).where(eq(users.id, user.id)).returning();
		if (status === 'disabled') {
			await tx.delete(sessions).where(eq(sessions.userId, user.id));
			await expireAccountTokens(tx, user.id);
		}
		await recordAudit(tx, actor, {
			action: status === 'disabled' ? 'user.disabled' : 'user.reactivated',
			objectType: 'user',
			objectId: user.id,
			changes: { status: [user.status, status] }
		});
		return updated;
	});
}

export const updateUserInput = z.object({
	/** The account to change. */
	userId: z.number().int(),
	/** Full name. */
	name: z.string().trim().min(2, 'Bitte geben Sie einen Namen an.').max(200, 'Bitte höchstens 200 Zeichen.').optional(),
	/** New role; a member contact needs an area. */
	role: z.enum(ROLES, { error: 'Die Rolle muss coordinator, member_contact oder partner sein.' }).optional(),
	/** AGS of the area the account acts for; null removes it. */
	areaAgs: agsSchema.nullish(),
	organisation: optionalText(200),
	position: optionalText(200),
	/** active or disabled, as with setUserStatus. */
	status: z.enum(['active', 'disabled'], { error: 'Der Status muss active oder disabled sein.' }).optional()
});
export type UpdateUserInput = z.input<typeof updateUserInput>;

/** Changes another account's name, role, area or status (coordinators only); one audit record with the differences. */
export async function updateUser(conn: DbOrTx, actor: Actor, input: UpdateUserInput): Promise<UserRow> {
	requireAccountAdmin(actor);
	const v = parseInput(updateUserInput, input);
	return conn.transaction(async (tx) => {
		const user = await getUser(tx, v.userId);
		if (!user) throw notFound('Dieses Konto gibt es nicht.');
		const next = { name: v.name, role: v.role, areaAgs: v.areaAgs === undefined ? undefined : (v.areaAgs ?? null), organisation: v.organisation, position: v.position };
		if (actor.userId === user.id && next.role && next.role !== user.role)
			throw new DomainError('conflict', 'Sie können Ihre eigene Rolle nicht ändern; das muss eine andere Person der Koordinierungsstelle tun.', { role: ['Die eigene Rolle lässt sich nicht ändern.'] });
		const role = next.role ?? user.role;
		const areaAgs = next.areaAgs === undefined ? user.areaAgs : next.areaAgs;
		if (role === 'member_contact' && !areaAgs)
			throw new DomainError('validation', 'Eine kommunale Ansprechperson braucht den AGS ihrer Kommune.', { areaAgs: ['Eine kommunale Ansprechperson braucht den AGS ihrer Kommune.'] });
		if (next.areaAgs && next.areaAgs !== user.areaAgs) await assertAreaExists(tx, next.areaAgs);
		const changes = diff(user, next);
		let updated = user;
		if (Object.keys(changes).length) {
			const set = Object.fromEntries(Object.keys(changes).map((k) => [k, next[k as keyof typeof next]]));
			[updated] = await tx
				.update(users)
				.set({ ...set, updatedAt: new Date() })
				.where(eq(users.id, user.id))
				.returning();
			await recordAudit(tx, actor, { action: 'user.updated', objectType: 'user', objectId: user.id, changes });
		}
		if (v.status) updated = await setUserStatus(tx, actor, { userId: user.id, status: v.status });
		return updated;
	});
}

export interface UserFilter {
	/** Name, e-mail, organisation, AGS or area name. */
	q?: string;
	role?: Role;
	status?: UserStatus;
	areaAgs?: string;
	limit?: number;
	offset?: number;
}

const userColumns = {
	id: users.id,
	email: users.email,
	name: users.name,
	role: users.role,
	status: users.status,
	areaAgs: users.areaAgs,
	areaName: areas.name,
	organisation: users.organisation,
	position: users.position,
	phone: users.phone,
	createdAt: users.createdAt,
	lastLoginAt: users.lastLoginAt
};

/** Accounts for the administration, sorted by name, with the area's name. */
export async function listUsers(conn: DbOrTx, f: UserFilter = {}) {
	const where: SQL[] = [];
	if (f.role) where.push(eq(users.role, f.role));
	if (f.status) where.push(eq(users.status, f.status));
	if (f.areaAgs) where.push(eq(users.areaAgs, f.areaAgs));
	const q = f.q?.trim();
	if (q) {
		const like = `%${q.replace(/[%_\\]/g, '\\$&')}%`;
		where.push(or(ilike(users.name, like), ilike(users.email, like), ilike(users.organisation, like), ilike(areas.name, like), sql`${users.areaAgs} like ${q.replace(/[%_\\]/g, '\\$&') + '%'}`)!);
	}
	const cond = where.length ? and(...where) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select(userColumns)
			.from(users)
			.leftJoin(areas, eq(areas.ags, users.areaAgs))
			.where(cond)
			.orderBy(sql`lower(${users.name})`, asc(users.id))
			.limit(f.limit ?? 50)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(users).leftJoin(areas, eq(areas.ags, users.areaAgs)).where(cond)
	]);
	return { items, total };
}

export type UserSummary = Awaited<ReturnType<typeof listUsers>>['items'][number];

/** One account with its area's name (no secrets). */
export async function getUserSummary(conn: DbOrTx, id: number): Promise<UserSummary | undefined> {
	const [row] = await conn.select(userColumns).from(users).leftJoin(areas, eq(areas.ags, users.areaAgs)).where(eq(users.id, id));
	return row;
}

// ---------------------------------------------------------------------------------------
// The own account

export const updateOwnAccountInput = z.object({
	/** Full name as shown to others. */
	name: z.string({ error: 'Bitte geben Sie Ihren Namen an.' }).trim().min(2, 'Bitte geben Sie Ihren Namen an.').max(200, 'Bitte höchstens 200 Zeichen.').optional(),
	/** Administration or organisation, e.g. "Stadt Bielefeld". */
	organisation: optionalText(200),
	/** Function or office, e.g. "Engagementbeauftragte". */
	position: optionalText(200),
	/** Telephone number for colleagues in the network. */
	phone: optionalText(50).refine((p) => !p || /^[+()\d][\d\s()/+-]*$/.test(p), 'Bitte geben Sie nur Ziffern, Leerzeichen und + ( ) / - an, z. B. 0521 51-0.')
});
export type UpdateOwnAccountInput = z.input<typeof updateOwnAccountInput>;

/** Changes the acting user's own data; e-mail, role and area are the coordination's to change. */
export async function updateOwnAccount(conn: DbOrTx, actor: Actor, input: UpdateOwnAccountInput): Promise<UserRow> {
	const userId = requireSelf(actor);
	const v = parseInput(updateOwnAccountInput, input);
	return conn.transaction(async (tx) => {
		const user = await getUser(tx, userId);
		if (!user) throw new DomainError('unauthorized', 'Bitte melden Sie sich an.');
		const changes = diff(user, v);
		if (!Object.keys(changes).length) return user;
		const set = Object.fromEntries(Object.keys(changes).map((k) => [k, v[k as keyof typeof v]]));
		const [updated] = await tx
			.update(users)
			.set({ ...set, updatedAt: new Date() })
			.where(eq(users.id, userId))
			.returning();
		await recordAudit(tx, actor, { action: 'user.updated', objectType: 'user', objectId: userId, changes });
		return updated;
	});
}

export interface ChangePasswordInput {
	/** The password in use now. */
	currentPassword: string;
	/** The new password (PASSWORD_RULE). */
	newPassword: string;
	/** The session to keep open (the one changing the password); all others end. */
	keepSessionId?: string | null;
}

/**
 * Changes the own password after checking the current one. A wrong current password counts as
 * a failed login for the throttle, so a stolen session cannot be used to guess it.
 */
export async function changePassword(conn: DbOrTx, actor: Actor, input: ChangePasswordInput): Promise<void> {
	const userId = requireSelf(actor);
	const v = parseInput(
		z.object({
			currentPassword: z.string({ error: 'Bitte geben Sie Ihr aktuelles Passwort an.' }).min(1, 'Bitte geben Sie Ihr aktuelles Passwort an.'),
			newPassword: passwordSchema,
			keepSessionId: z.string().nullish()
		}),
		input
	);
	const user = await getUser(conn, userId);
	if (!user) throw new DomainError('unauthorized', 'Bitte melden Sie sich an.');
	const ip = actor.ip ?? 'unbekannt';
	const retryAfter = await loginRetryAfter(conn, user.email, ip);
	if (retryAfter > 0)
		throw new DomainError('throttled', `Zu viele Fehlversuche. Bitte warten Sie ${Math.ceil(retryAfter / 60)} Minuten.`, {}, retryAfter);
	if (!(await verifyPassword(user.passwordHash, v.currentPassword))) {
		await conn.insert(loginAttempts).values({ email: user.email, ip, success: false });
		throw new DomainError('validation', 'Das aktuelle Passwort stimmt nicht.', { currentPassword: ['Das aktuelle Passwort stimmt nicht.'] });
	}
	const passwordHash = await hashPassword(v.newPassword);
	await conn.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, userId));
		await tx.delete(sessions).where(and(eq(sessions.userId, userId), v.keepSessionId ? ne(sessions.id, v.keepSessionId) : undefined));
		await expireAccountTokens(tx, userId, 'password_reset');
		await recordAudit(tx, actor, { action: 'user.password_changed', objectType: 'user', objectId: userId });
	});
}

/** The open browser sessions of a user, newest first (ids are hashes, never the cookie). */
export async function listSessions(conn: DbOrTx, userId: number) {
	return conn
		.select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, expiresAt: sessions.expiresAt, userAgent: sessions.userAgent, ip: sessions.ip })
		.from(sessions)
		.where(and(eq(sessions.userId, userId), gt(sessions.expiresAt, new Date())))
		.orderBy(desc(sessions.lastSeenAt));
}

export interface EndOtherSessionsInput {
	/** The session that stays open (the one asking). */
	keepSessionId: string;
}

/** Logs the acting user out everywhere else, e.g. after using a shared computer. Returns how many sessions ended. */
export async function endOtherSessions(conn: DbOrTx, actor: Actor, input: EndOtherSessionsInput): Promise<number> {
	const userId = requireSelf(actor);
	return conn.transaction(async (tx) => {
		const ended = await tx
			.delete(sessions)
			.where(and(eq(sessions.userId, userId), ne(sessions.id, input.keepSessionId)))
			.returning({ id: sessions.id });
		if (ended.length) await recordAudit(tx, actor, { action: 'session.ended_others', objectType: 'user', objectId: userId, changes: { count: ended.length } });
		return ended.length;
	});
}
