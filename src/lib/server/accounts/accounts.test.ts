import { beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, sql } from 'drizzle-orm';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { cliActor, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import { outboxMails } from '../mail/schema';
import { DomainError } from '../errors';
import {
	acceptInvitation,
	actorFor,
	changePassword,
	checkAccountToken,
	createApiToken,
	createUser,
	getUser,
	inviteUser,
	listSessions,
	listUsers,
	login,
	logout,
	MAX_FAILURES,
	requestPasswordReset,
	resendInvitation,
	resetPassword,
	RESET_MAX_PER_ADDRESS,
	setUserStatus,
	updateOwnAccount,
	updateUser,
	userForApiToken,
	userForSession,
	type SessionUser
} from '.';
import { accountTokens, loginAttempts, sessions } from './schema';
import { formFailure, safeTarget } from './forms';

const t = useTestDatabase();
const conn = () => t.database.db;

const PASSWORD = 'richtig-geheim-2026';
let coordinator: SessionUser;
let coordActor: Actor;
let coordToken: string;
let partnerToken: string;

function sessionUser(u: { id: number; email: string; name: string; role: SessionUser['role']; areaAgs: string | null }): SessionUser {
	return { id: u.id, email: u.email, name: u.name, role: u.role, areaAgs: u.areaAgs };
}

let seq = 0;
/** A fresh active account with PASSWORD, so that tests do not share throttle counters. */
async function newUser(role: SessionUser['role'] = 'partner', extra: { areaAgs?: string } = {}) {
	seq++;
	const u = await createUser(conn(), cliActor, { email: `person${seq}@example.org`, name: `Person ${seq}`, role, password: PASSWORD, ...extra });
	return sessionUser(u);
}

async function mailsTo(address: string) {
	return conn().select().from(outboxMails).where(eq(outboxMails.toAddress, address)).orderBy(asc(outboxMails.id));
}

function linkToken(text: string, path: 'passwort-neu' | 'einladung'): string {
	const m = new RegExp(`http://127\\.0\\.0\\.1:3999/${path}/([A-Za-z0-9_-]+)`).exec(text);
	if (!m) throw new Error(`no /${path}/ link in mail:\n${text}`);
	return m[1];
}

async function auditActions(userId: number): Promise<string[]> {
	const rows = await conn()
		.select({ action: auditLog.action })
		.from(auditLog)
		.where(and(eq(auditLog.objectType, 'user'), eq(auditLog.objectId, String(userId))))
		.orderBy(asc(auditLog.id));
	return rows.map((r) => r.action);
}

async function domainError(p: Promise<unknown>): Promise<DomainError> {
	try {
		await p;
	} catch (e) {
		if (e instanceof DomainError) return e;
		throw e;
	}
	throw new Error('expected a DomainError');
}

let ipSeq = 0;
const freshIp = () => `10.0.${Math.floor(++ipSeq / 250)}.${ipSeq % 250}`;

beforeAll(async () => {
	const c = await createUser(conn(), cliActor, { email: 'koordination@example.org', name: 'Kora Koordination', role: 'coordinator', password: PASSWORD });
	coordinator = sessionUser(c);
	coordActor = actorFor(coordinator, '127.0.0.1');
	coordToken = (await createApiToken(conn(), cliActor, { userId: c.id, name: 'Test' })).token;
	const p = await newUser('partner');
	partnerToken = (await createApiToken(conn(), cliActor, { userId: p.id, name: 'Test' })).token;
});

describe('login and sessions', () => {
	it('opens a session with the right password and answers wrong and unknown alike', async () => {
		const u = await newUser();
		const ok = await login({ email: u.email.toUpperCase(), password: PASSWORD, ip: freshIp() });
		expect(ok.ok).toBe(true);
		if (!ok.ok) return;
		expect((await userForSession(ok.sessionToken))?.user.id).toBe(u.id);
		expect(await login({ email: u.email, password: 'falsch-falsch', ip: freshIp() })).toEqual({ ok: false, reason: 'invalid' });
		expect(await login({ email: 'niemand@example.org', password: 'falsch-falsch', ip: freshIp() })).toEqual({ ok: false, reason: 'invalid' });
		expect(await auditActions(u.id)).toEqual(expect.arrayContaining(['session.created', 'session.login_failed']));
		expect((await getUser(conn(), u.id))?.lastLoginAt).toBeInstanceOf(Date);
	});

	it('throttles the 11th attempt for one account within 15 minutes, even with the right password', async () => {
		const u = await newUser();
		for (let i = 0; i < MAX_FAILURES; i++) {
			expect((await login({ email: u.email, password: `falsch-${i}-xxxx`, ip: freshIp() })).ok).toBe(false);
		}
		const r = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		expect(r).toMatchObject({ ok: false, reason: 'throttled' });
		if (r.ok || r.reason !== 'throttled') return;
		expect(r.retryAfter).toBeGreaterThan(0);
		expect(r.retryAfter).toBeLessThanOrEqual(15 * 60);
		// Once the failures are older than the window, the account is free again.
		await conn()
			.update(loginAttempts)
			.set({ at: sql`now() - interval '16 minutes'` })
			.where(eq(loginAttempts.email, u.email));
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(true);
	});

	it('counts failures per IP address across different accounts', async () => {
		const ip = '192.0.2.77';
		for (let i = 0; i < MAX_FAILURES; i++) {
			expect((await login({ email: `fremd${i}@example.org`, password: 'falsch-falsch', ip })).ok).toBe(false);
		}
		const u = await newUser();
		expect(await login({ email: u.email, password: PASSWORD, ip })).toMatchObject({ ok: false, reason: 'throttled' });
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(true);
	});

	it('ends a session on logout and when it expires', async () => {
		const u = await newUser();
		const a = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		const b = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		if (!a.ok || !b.ok) throw new Error('login failed');
		const found = await userForSession(a.sessionToken);
		await logout(actorFor(u, '127.0.0.1'), found!.sessionId);
		expect(await userForSession(a.sessionToken)).toBeNull();
		expect(await auditActions(u.id)).toContain('session.ended');
		expect(await userForSession(b.sessionToken)).not.toBeNull();
		await conn()
			.update(sessions)
			.set({ expiresAt: sql`now() - interval '1 second'` })
			.where(eq(sessions.userId, u.id));
		expect(await userForSession(b.sessionToken)).toBeNull();
	});
});

describe('password reset', () => {
	it('mails a single-use link that sets a new password and ends all sessions', async () => {
		const u = await newUser();
		const s = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		if (!s.ok) throw new Error('login failed');
		await login({ email: u.email, password: 'falsch-falsch', ip: freshIp() });
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: ` ${u.email.toUpperCase()} ` });
		const [mail] = await mailsTo(u.email);
		expect(mail).toMatchObject({ template: 'password_reset', toName: u.name, status: 'queued' });
		expect(mail.subject).toContain('Passwort');
		expect(mail.text).toContain('60 Minuten');
		const token = linkToken(mail.text, 'passwort-neu');
		expect(mail.html).toContain(`/passwort-neu/${token}`);
		// Only the hash is stored.
		expect(await conn().select().from(accountTokens).where(eq(accountTokens.tokenHash, token))).toHaveLength(0);
		expect(await checkAccountToken(conn(), 'password_reset', token)).toMatchObject({ ok: true });
		expect(await checkAccountToken(conn(), 'invitation', token)).toMatchObject({ ok: false, reason: 'unknown' });

		const tooShort = await domainError(resetPassword(conn(), { label: 'Anonym' }, { token, password: 'kurz' }));
		expect(tooShort.fieldErrors.password?.[0]).toMatch(/mindestens 10 Zeichen/);
		expect(await checkAccountToken(conn(), 'password_reset', token)).toMatchObject({ ok: true });

		await resetPassword(conn(), { label: 'Anonym', ip: '127.0.0.1' }, { token, password: 'ganz-neues-passwort' });
		expect(await userForSession(s.sessionToken)).toBeNull();
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(false);
		expect((await login({ email: u.email, password: 'ganz-neues-passwort', ip: freshIp() })).ok).toBe(true);

		const again = await domainError(resetPassword(conn(), { label: 'Anonym' }, { token, password: 'noch-ein-passwort' }));
		expect(again.message).toMatch(/bereits verwendet/);
		expect(await checkAccountToken(conn(), 'password_reset', token)).toMatchObject({ ok: false, reason: 'used' });
		expect(await auditActions(u.id)).toEqual(expect.arrayContaining(['password_reset.requested', 'password_reset.completed']));
	});

	it('rejects expired links and links replaced by a newer one', async () => {
		const u = await newUser();
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: u.email });
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: u.email });
		const [first, second] = (await mailsTo(u.email)).map((m) => linkToken(m.text, 'passwort-neu'));
		expect(await checkAccountToken(conn(), 'password_reset', first)).toMatchObject({ ok: false, reason: 'expired' });
		expect(await checkAccountToken(conn(), 'password_reset', second)).toMatchObject({ ok: true });
		await conn()
			.update(accountTokens)
			.set({ expiresAt: sql`now() - interval '1 minute'` })
			.where(eq(accountTokens.userId, u.id));
		const check = await checkAccountToken(conn(), 'password_reset', second);
		expect(check).toMatchObject({ ok: false, reason: 'expired' });
		const e = await domainError(resetPassword(conn(), { label: 'Anonym' }, { token: second, password: 'ganz-neues-passwort' }));
		expect(e.message).toMatch(/abgelaufen/);
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(true);
	});

	it('treats unknown and malformed links as invalid', async () => {
		expect(await checkAccountToken(conn(), 'password_reset', 'abc')).toMatchObject({ ok: false, reason: 'unknown' });
		expect(await checkAccountToken(conn(), 'password_reset', 'A'.repeat(43))).toMatchObject({ ok: false, reason: 'unknown' });
		expect((await domainError(resetPassword(conn(), { label: 'Anonym' }, { token: '../../etc', password: 'ganz-neues-passwort' }))).kind).toBe('validation');
	});

	it('answers unknown and disabled addresses the same way, without a mail', async () => {
		const before = await conn().select({ n: sql<number>`count(*)::int` }).from(outboxMails);
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: 'unbekannt@example.org' });
		const u = await newUser();
		await setUserStatus(conn(), coordActor, { userId: u.id, status: 'disabled' });
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: u.email });
		const after = await conn().select({ n: sql<number>`count(*)::int` }).from(outboxMails);
		expect(after[0].n).toBe(before[0].n);
		expect((await domainError(requestPasswordReset(conn(), { label: 'Anonym' }, { email: 'keine-adresse' }))).fieldErrors.email).toBeDefined();
	});

	it('sends at most five reset mails per address and hour, silently', async () => {
		const u = await newUser();
		for (let i = 0; i < RESET_MAX_PER_ADDRESS + 2; i++) await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: u.email });
		expect(await mailsTo(u.email)).toHaveLength(RESET_MAX_PER_ADDRESS);
	});

	it('sends at most twenty reset mails per client address and hour', async () => {
		const ip = '198.51.100.20';
		const people = [];
		for (let i = 0; i < 22; i++) people.push(await createUser(conn(), cliActor, { email: `flut${i}@example.org`, name: `Flut ${i}`, role: 'partner' }));
		for (const p of people) await requestPasswordReset(conn(), { label: 'Anonym', ip }, { email: p.email });
		const [{ n }] = await conn().select({ n: sql<number>`count(*)::int` }).from(outboxMails).where(sql`${outboxMails.toAddress} like 'flut%'`);
		expect(n).toBe(20);
	});
});

describe('invitations', () => {
	it('invites a person, who sets a password through the link and is logged in directly', async () => {
		const invited = await inviteUser(conn(), coordActor, { email: 'anna@bielefeld.example', name: 'Anna Neu', role: 'member_contact', areaAgs: '05711000', position: 'Ehrenamt' });
		expect(invited).toMatchObject({ status: 'invited', passwordHash: null, areaAgs: '05711000' });
		const [mail] = await mailsTo('anna@bielefeld.example');
		expect(mail.template).toBe('invitation');
		expect(mail.text).toContain('Kora Koordination hat Sie');
		expect(mail.text).toContain('Kommunale Ansprechperson für Bielefeld');
		expect(mail.text).toContain('7 Tage');
		const token = linkToken(mail.text, 'einladung');
		expect((await login({ email: 'anna@bielefeld.example', password: 'irgendwas-langes', ip: freshIp() })).ok).toBe(false);

		const e = await domainError(acceptInvitation(conn(), { label: 'Anonym' }, { token, password: 'zu-kurz' }));
		expect(e.fieldErrors.password).toBeDefined();

		const accepted = await acceptInvitation(conn(), { label: 'Anonym', ip: '127.0.0.1' }, { token, password: 'annas-passwort-1', userAgent: 'Test' });
		expect(accepted.user).toMatchObject({ id: invited.id, role: 'member_contact', areaAgs: '05711000' });
		expect((await userForSession(accepted.sessionToken))?.user.id).toBe(invited.id);
		expect((await getUser(conn(), invited.id))?.status).toBe('active');
		expect(await checkAccountToken(conn(), 'invitation', token)).toMatchObject({ ok: false, reason: 'used' });
		expect((await domainError(acceptInvitation(conn(), { label: 'Anonym' }, { token, password: 'anderes-passwort' }))).message).toMatch(/bereits angenommen/);
		expect((await login({ email: 'anna@bielefeld.example', password: 'annas-passwort-1', ip: freshIp() })).ok).toBe(true);
		expect(await auditActions(invited.id)).toEqual(['user.invited', 'session.login_failed', 'user.invitation_accepted', 'session.created', 'session.created']);
	});

	it('checks the AGS, the address and the inviting role', async () => {
		const noArea = await domainError(inviteUser(conn(), coordActor, { email: 'x1@example.org', name: 'Ohne Gebiet', role: 'member_contact' }));
		expect(noArea.fieldErrors.areaAgs).toBeDefined();
		const unknownArea = await domainError(inviteUser(conn(), coordActor, { email: 'x2@example.org', name: 'Falsches Gebiet', role: 'member_contact', areaAgs: '05999999' }));
		expect(unknownArea.fieldErrors.areaAgs?.[0]).toMatch(/05999999/);
		const taken = await domainError(inviteUser(conn(), coordActor, { email: 'KOORDINATION@example.org', name: 'Doppelt', role: 'partner' }));
		expect(taken.kind).toBe('conflict');
		const member = await newUser('member_contact', { areaAgs: '05711000' });
		const forbidden = await domainError(inviteUser(conn(), actorFor(member, '127.0.0.1'), { email: 'x3@example.org', name: 'Nicht erlaubt', role: 'partner' }));
		expect(forbidden.kind).toBe('forbidden');
		const anonymous = await domainError(inviteUser(conn(), { label: 'Kommandozeile', ip: '203.0.113.1' }, { email: 'x4@example.org', name: 'Nicht erlaubt', role: 'partner' }));
		expect(anonymous.kind).toBe('forbidden');
		// The operator at the command line may invite.
		expect((await inviteUser(conn(), cliActor, { email: 'x5@example.org', name: 'Von der CLI', role: 'partner' })).status).toBe('invited');
		expect(await mailsTo('x1@example.org')).toHaveLength(0);
	});

	it('resends an invitation, which replaces the earlier link', async () => {
		const u = await inviteUser(conn(), coordActor, { email: 'nochmal@example.org', name: 'Noch Mal', role: 'partner' });
		await resendInvitation(conn(), coordActor, { userId: u.id });
		const [first, second] = (await mailsTo('nochmal@example.org')).map((m) => linkToken(m.text, 'einladung'));
		expect(await checkAccountToken(conn(), 'invitation', first)).toMatchObject({ ok: false, reason: 'expired' });
		await acceptInvitation(conn(), { label: 'Anonym' }, { token: second, password: 'nochmal-passwort' });
		expect((await domainError(resendInvitation(conn(), coordActor, { userId: u.id }))).kind).toBe('conflict');
		expect((await domainError(resendInvitation(conn(), coordActor, { userId: 999999 }))).kind).toBe('not_found');
		expect(await auditActions(u.id)).toContain('user.invitation_resent');
	});

	it('a password reset link activates an invited account', async () => {
		const u = await inviteUser(conn(), coordActor, { email: 'eingeladen-reset@example.org', name: 'Ein Geladen', role: 'partner' });
		await requestPasswordReset(conn(), { label: 'Anonym', ip: freshIp() }, { email: u.email });
		const mail = (await mailsTo(u.email)).find((m) => m.template === 'password_reset')!;
		await resetPassword(conn(), { label: 'Anonym' }, { token: linkToken(mail.text, 'passwort-neu'), password: 'selbst-gesetzt-1' });
		expect((await getUser(conn(), u.id))?.status).toBe('active');
		const invitation = (await mailsTo(u.email)).find((m) => m.template === 'invitation')!;
		expect(await checkAccountToken(conn(), 'invitation', linkToken(invitation.text, 'einladung'))).toMatchObject({ ok: false });
	});
});

describe('user administration', () => {
	it('deactivation blocks login, sessions and API tokens; reactivation lifts it', async () => {
		const u = await newUser();
		const s = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		if (!s.ok) throw new Error('login failed');
		const { token } = await createApiToken(conn(), cliActor, { userId: u.id, name: 'Skript' });
		expect(await userForApiToken(token)).not.toBeNull();
		const disabled = await setUserStatus(conn(), coordActor, { userId: u.id, status: 'disabled' });
		expect(disabled.status).toBe('disabled');
		expect(await userForSession(s.sessionToken)).toBeNull();
		expect(await conn().select().from(sessions).where(eq(sessions.userId, u.id))).toHaveLength(0);
		expect(await userForApiToken(token)).toBeNull();
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(false);
		await setUserStatus(conn(), coordActor, { userId: u.id, status: 'active' });
		expect((await login({ email: u.email, password: PASSWORD, ip: freshIp() })).ok).toBe(true);
		expect(await userForApiToken(token)).not.toBeNull();
		expect(await auditActions(u.id)).toEqual(expect.arrayContaining(['user.disabled', 'user.reactivated']));
	});

	it('refuses to let coordinators deactivate themselves or change their own role', async () => {
		expect((await domainError(setUserStatus(conn(), coordActor, { userId: coordinator.id, status: 'disabled' }))).kind).toBe('conflict');
		expect((await domainError(updateUser(conn(), coordActor, { userId: coordinator.id, role: 'partner' }))).kind).toBe('conflict');
		expect((await getUser(conn(), coordinator.id))?.status).toBe('active');
	});

	it('an account that never set a password returns to invited when reactivated', async () => {
		const u = await inviteUser(conn(), coordActor, { email: 'nie-aktiv@example.org', name: 'Nie Aktiv', role: 'partner' });
		await setUserStatus(conn(), coordActor, { userId: u.id, status: 'disabled' });
		expect((await setUserStatus(conn(), coordActor, { userId: u.id, status: 'active' })).status).toBe('invited');
	});

	it('changes role and area with an audit diff and requires an area for member contacts', async () => {
		const u = await newUser('partner');
		const e = await domainError(updateUser(conn(), coordActor, { userId: u.id, role: 'member_contact' }));
		expect(e.fieldErrors.areaAgs).toBeDefined();
		const updated = await updateUser(conn(), coordActor, { userId: u.id, role: 'member_contact', areaAgs: '05113000' });
		expect(updated).toMatchObject({ role: 'member_contact', areaAgs: '05113000' });
		const [row] = await conn().select().from(auditLog).where(and(eq(auditLog.action, 'user.updated'), eq(auditLog.objectId, String(u.id))));
		expect(row.changes).toEqual({ role: ['partner', 'member_contact'], areaAgs: [null, '05113000'] });
		expect(row.actorUserId).toBe(coordinator.id);
		// The session reads the role afresh.
		const s = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		if (!s.ok) throw new Error('login failed');
		expect((await userForSession(s.sessionToken))?.user.role).toBe('member_contact');
	});

	it('lists users with search, role and status filters and the area name', async () => {
		await inviteUser(conn(), coordActor, { email: 'liste@essen.example', name: 'Lisa Liste', role: 'member_contact', areaAgs: '05113000' });
		const byName = await listUsers(conn(), { q: 'lisa' });
		expect(byName.items.map((u) => u.email)).toContain('liste@essen.example');
		expect(byName.items[0].areaName).toBe('Essen');
		expect((await listUsers(conn(), { q: 'Essen' })).items.map((u) => u.email)).toContain('liste@essen.example');
		const coordinators = await listUsers(conn(), { role: 'coordinator' });
		expect(coordinators.items.every((u) => u.role === 'coordinator')).toBe(true);
		expect(coordinators.total).toBe(coordinators.items.length);
		const invited = await listUsers(conn(), { status: 'invited', limit: 2 });
		expect(invited.items).toHaveLength(2);
		expect(invited.total).toBeGreaterThan(2);
		expect((await listUsers(conn(), { q: '%' })).total).toBe(0);
	});
});

describe('own account', () => {
	it('updates the own data with an audit diff and validates the phone number', async () => {
		const u = await newUser();
		const actor = actorFor(u, '127.0.0.1');
		const updated = await updateOwnAccount(conn(), actor, { name: 'Neuer Name', organisation: 'Stadt Münster', position: '', phone: '0251 492-0' });
		expect(updated).toMatchObject({ name: 'Neuer Name', organisation: 'Stadt Münster', position: null, phone: '0251 492-0' });
		const [row] = await conn().select().from(auditLog).where(and(eq(auditLog.action, 'user.updated'), eq(auditLog.objectId, String(u.id))));
		expect(row.changes).toEqual({ name: [u.name, 'Neuer Name'], organisation: [null, 'Stadt Münster'], phone: [null, '0251 492-0'] });
		expect((await domainError(updateOwnAccount(conn(), actor, { phone: 'ruf mich an' }))).fieldErrors.phone).toBeDefined();
		expect((await domainError(updateOwnAccount(conn(), { label: 'Anonym' }, { name: 'X Y' }))).kind).toBe('unauthorized');
	});

	it('changes the password after checking the current one and ends the other sessions', async () => {
		const u = await newUser();
		const a = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		const b = await login({ email: u.email, password: PASSWORD, ip: freshIp() });
		if (!a.ok || !b.ok) throw new Error('login failed');
		const keep = (await userForSession(a.sessionToken))!.sessionId;
		const actor = actorFor(u, '127.0.0.1');
		const wrong = await domainError(changePassword(conn(), actor, { currentPassword: 'falsch-falsch', newPassword: 'neues-passwort-1', keepSessionId: keep }));
		expect(wrong.fieldErrors.currentPassword).toBeDefined();
		const [{ n }] = await conn().select({ n: sql<number>`count(*)::int` }).from(loginAttempts).where(and(eq(loginAttempts.email, u.email), eq(loginAttempts.success, false)));
		expect(n).toBe(1);
		await changePassword(conn(), actor, { currentPassword: PASSWORD, newPassword: 'neues-passwort-1', keepSessionId: keep });
		expect(await userForSession(a.sessionToken)).not.toBeNull();
		expect(await userForSession(b.sessionToken)).toBeNull();
		expect(await listSessions(conn(), u.id)).toHaveLength(1);
		expect((await login({ email: u.email, password: 'neues-passwort-1', ip: freshIp() })).ok).toBe(true);
		expect(await auditActions(u.id)).toContain('user.password_changed');
	});
});

describe('form helpers', () => {
	it('accepts only same-site paths as return address after login', () => {
		expect(safeTarget('/verwaltung/benutzer?q=a')).toBe('/verwaltung/benutzer?q=a');
		for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '', null, '/\t/evil.example', 'konto']) {
			expect(safeTarget(bad), String(bad)).toBe('/konto');
		}
	});

	it('maps domain errors to form errors keyed by field name', () => {
		const f = formFailure(new DomainError('validation', 'Bitte prüfen Sie die markierten Angaben.', { areaAgs: ['Unbekannter AGS.'] }));
		expect(f).toEqual({ status: 400, errors: { area_ags: ['Unbekannter AGS.'] } });
		expect(formFailure(new DomainError('conflict', 'Schon vergeben.'))).toEqual({ status: 409, errors: { '': ['Schon vergeben.'] } });
		expect(formFailure(new Error('bug'))).toBeUndefined();
	});
});

describe('API', () => {
	it('POST /auth/password-reset answers 202 for known and unknown addresses, 400 for malformed bodies', async () => {
		const u = await newUser();
		const known = await api('POST', '/auth/password-reset', { body: { email: u.email }, ip: freshIp() });
		expect(known.status).toBe(202);
		expect(await mailsTo(u.email)).toHaveLength(1);
		const unknown = await api('POST', '/auth/password-reset', { body: { email: 'gibt-es-nicht@example.org' }, ip: freshIp() });
		expect(unknown.status).toBe(202);
		expect(unknown.body).toEqual(known.body);
		expect(await mailsTo('gibt-es-nicht@example.org')).toHaveLength(0);
		expect((await api('POST', '/auth/password-reset', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
		const missing = await api('POST', '/auth/password-reset', { body: {} });
		expect(missing.status).toBe(400);
		expect(missing.body.errors['body.email']).toBeDefined();
		const malformed = await api('POST', '/auth/password-reset', { body: { email: 'kein-at-zeichen' } });
		expect(malformed.status).toBe(400);
		expect(malformed.body.errors['body.email']).toBeDefined();
	});

	it('GET and PATCH /me', async () => {
		expect((await api('GET', '/me')).status).toBe(401);
		expect((await api('PATCH', '/me', { body: { name: 'Egal' } })).status).toBe(401);
		const u = await newUser();
		const { token } = await createApiToken(conn(), cliActor, { userId: u.id, name: 'Test' });
		const me = await api('GET', '/me', { token });
		expect(me.body).toMatchObject({ id: u.id, email: u.email, status: 'active', phone: null });
		const patched = await api('PATCH', '/me', { token, body: { phone: '0211 123', position: 'Leitung' } });
		expect(patched.status).toBe(200);
		expect(patched.body).toMatchObject({ name: u.name, phone: '0211 123', position: 'Leitung' });
		const bad = await api('PATCH', '/me', { token, body: { name: 'X' } });
		expect(bad.status).toBe(400);
		expect(bad.body.errors['body.name']).toBeDefined();
		const badPhone = await api('PATCH', '/me', { token, body: { phone: 'abc' } });
		expect(badPhone.status).toBe(400);
		expect(badPhone.body.errors['body.phone']).toBeDefined();
	});

	it('lists, creates and revokes own API tokens', async () => {
		const u = await newUser();
		const { token } = await createApiToken(conn(), cliActor, { userId: u.id, name: 'Erster' });
		expect((await api('GET', '/me/tokens')).status).toBe(401);
		const created = await api('POST', '/me/tokens', { token, body: { name: 'Tabellenabgleich' } });
		expect(created.status).toBe(201);
		expect(created.body.token).toMatch(/^knt_/);
		expect(created.body.prefix).toBe(created.body.token.slice(0, 10));
		expect((await api('GET', '/me', { token: created.body.token })).body.id).toBe(u.id);
		expect((await api('POST', '/me/tokens', { token, body: { name: ' ' } })).status).toBe(400);
		const list = await api('GET', '/me/tokens', { token });
		expect(list.body.total).toBe(2);
		expect(list.body.items.map((x: { name: string }) => x.name)).toEqual(['Tabellenabgleich', 'Erster']);
		expect(JSON.stringify(list.body)).not.toContain(created.body.token);
		// Someone else's token is not found, neither is a malformed id.
		expect((await api('DELETE', `/me/tokens/${created.body.id}`, { token: partnerToken })).status).toBe(404);
		expect((await api('DELETE', '/me/tokens/abc', { token })).status).toBe(404);
		const del = await api('DELETE', `/me/tokens/${created.body.id}`, { token });
		expect(del.status).toBe(204);
		expect((await api('GET', '/me', { token: created.body.token })).status).toBe(401);
		expect((await api('DELETE', `/me/tokens/${created.body.id}`, { token })).status).toBe(404);
	});

	it('/users is for coordinators only', async () => {
		expect((await api('GET', '/users')).status).toBe(401);
		expect((await api('GET', '/users', { token: partnerToken })).status).toBe(403);
		expect((await api('POST', '/users', { token: partnerToken, body: { email: 'x@example.org', name: 'X Y', role: 'partner' } })).status).toBe(403);
		expect((await api('PATCH', '/users/1', { token: partnerToken, body: { status: 'disabled' } })).status).toBe(403);
		expect((await api('POST', '/users/1/invitation', { token: partnerToken })).status).toBe(403);
		expect((await api('GET', '/users/1', { token: partnerToken })).status).toBe(403);
	});

	it('GET /users with filters; GET /users/{id}', async () => {
		const all = await api('GET', '/users?limit=3', { token: coordToken });
		expect(all.status).toBe(200);
		expect(all.body.items).toHaveLength(3);
		expect(all.body.total).toBeGreaterThan(3);
		const coords = await api('GET', '/users?role=coordinator', { token: coordToken });
		expect(coords.body.items.map((u: { email: string }) => u.email)).toContain('koordination@example.org');
		expect((await api('GET', '/users?role=chef', { token: coordToken })).status).toBe(400);
		expect((await api('GET', '/users?status=weg', { token: coordToken })).status).toBe(400);
		const one = await api('GET', `/users/${coordinator.id}`, { token: coordToken });
		expect(one.body).toMatchObject({ id: coordinator.id, role: 'coordinator', status: 'active' });
		expect(one.body).not.toHaveProperty('password_hash');
		expect((await api('GET', '/users/999999', { token: coordToken })).status).toBe(404);
		expect((await api('GET', '/users/abc', { token: coordToken })).status).toBe(404);
	});

	it('POST /users invites (201), 409 for a taken address, 400 for missing or unknown AGS', async () => {
		const r = await api('POST', '/users', { token: coordToken, body: { email: 'api-einladung@example.org', name: 'Api Einladung', role: 'member_contact', area_ags: '05566076' } });
		expect(r.status).toBe(201);
		expect(r.body).toMatchObject({ status: 'invited', area_ags: '05566076', area_name: 'Rheine' });
		expect((await mailsTo('api-einladung@example.org'))[0].template).toBe('invitation');
		const dup = await api('POST', '/users', { token: coordToken, body: { email: 'API-Einladung@example.org', name: 'Doppelt', role: 'partner' } });
		expect(dup.status).toBe(409);
		expect(dup.headers.get('content-type')).toContain('problem+json');
		const noArea = await api('POST', '/users', { token: coordToken, body: { email: 'ohne@example.org', name: 'Ohne Gebiet', role: 'member_contact' } });
		expect(noArea.status).toBe(400);
		expect(noArea.body.errors['body.area_ags']).toBeDefined();
		const unknownArea = await api('POST', '/users', { token: coordToken, body: { email: 'ohne@example.org', name: 'Ohne Gebiet', role: 'member_contact', area_ags: '05999999' } });
		expect(unknownArea.status).toBe(400);
		expect(unknownArea.body.errors['body.area_ags']).toBeDefined();
		expect((await api('POST', '/users', { token: coordToken, body: { email: 'x', name: 'X Y', role: 'partner' } })).body.errors['body.email']).toBeDefined();
		expect((await api('POST', '/users', { token: coordToken, body: { email: 'y@example.org', name: 'Y', role: 'chef' } })).status).toBe(400);
	});

	it('PATCH /users/{id} changes and deactivates, which blocks the API token; not the own account', async () => {
		const u = await newUser();
		const { token } = await createApiToken(conn(), cliActor, { userId: u.id, name: 'Skript' });
		const renamed = await api('PATCH', `/users/${u.id}`, { token: coordToken, body: { name: 'Umbenannt', organisation: 'Kreis Lippe' } });
		expect(renamed.status).toBe(200);
		expect(renamed.body).toMatchObject({ name: 'Umbenannt', organisation: 'Kreis Lippe' });
		const off = await api('PATCH', `/users/${u.id}`, { token: coordToken, body: { status: 'disabled' } });
		expect(off.body.status).toBe('disabled');
		expect((await api('GET', '/me', { token })).status).toBe(401);
		expect((await api('PATCH', `/users/${coordinator.id}`, { token: coordToken, body: { status: 'disabled' } })).status).toBe(409);
		expect((await api('PATCH', '/users/999999', { token: coordToken, body: { name: 'Niemand' } })).status).toBe(404);
		expect((await api('PATCH', `/users/${u.id}`, { token: coordToken, body: { status: 'gelöscht' } })).status).toBe(400);
		expect((await api('PATCH', `/users/${u.id}`, { token: coordToken, body: { role: 'member_contact' } })).body.errors['body.area_ags']).toBeDefined();
	});

	it('POST /users/{id}/invitation resends (202), 409 for active accounts, 404 for unknown ones', async () => {
		const invited = await api('POST', '/users', { token: coordToken, body: { email: 'erneut@example.org', name: 'Er Neut', role: 'partner' } });
		const r = await api('POST', `/users/${invited.body.id}/invitation`, { token: coordToken });
		expect(r.status).toBe(202);
		expect(new Date(r.body.expires_at).getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
		expect(await mailsTo('erneut@example.org')).toHaveLength(2);
		expect((await api('POST', `/users/${coordinator.id}/invitation`, { token: coordToken })).status).toBe(409);
		expect((await api('POST', '/users/999999/invitation', { token: coordToken })).status).toBe(404);
	});

	it('documents the new endpoints in the OpenAPI document', async () => {
		const doc = (await api('GET', '/openapi.json')).body;
		expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/auth/password-reset', '/me/tokens', '/me/tokens/{id}', '/users', '/users/{id}', '/users/{id}/invitation']));
		expect(doc.paths['/auth/password-reset'].post.responses['202']).toBeDefined();
	});
});
