/** Shared pieces of the members domain: keys, dates, permissions, recipients. */
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit';
import type { DbOrTx } from '../db';
import { calendarDateSchema, optionalText } from '../validation';
import { DomainError, forbidden, notFound } from '../errors';
import { users } from '../accounts/schema';
import { areas } from '../areas/schema';
import { areaDisplayName } from '../areas/names';
import type { MemberKind } from './labels';
import { bodies, memberContacts, members } from './schema';

/** AGS of a Gemeinde (8 digits) or Kreis (5), or a body key like BR-059. */
export const MEMBER_KEY_RE = /^(\d{5}|\d{8}|BR-\d{3})$/;
export const memberKeySchema = z
	.string({ error: 'Bitte geben Sie den Gemeindeschlüssel (AGS) an.' })
	.trim()
	.toUpperCase()
	.regex(MEMBER_KEY_RE, 'Bitte geben Sie den AGS an: 8 Ziffern für eine Stadt oder Gemeinde (z. B. 05711000 für Bielefeld), 5 für einen Kreis, BR-059 für eine Bezirksregierung.');

/** Today in Germany as `JJJJ-MM-TT`. */
export function todayBerlin(): string {
	return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Berlin' }).format(new Date());
}

/** `JJJJ-MM-TT` or `TT.MM.JJJJ` → `JJJJ-MM-TT`. */
export const dateSchema = calendarDateSchema({ minYear: 1990, example: '04.09.2018', requiredMessage: 'Bitte geben Sie ein Datum an.' });

/** Kept here so that the members domain imports its validators from one place. */
export { optionalText };

/** What a member is about: an area or a body, with the fields copied into `members`. */
export interface Subject {
	key: string;
	areaAgs: string | null;
	bodyKey: string | null;
	kind: MemberKind;
	name: string;
	type: string;
	rbAgs: string;
	kreisAgs: string | null;
}

/** The area or body behind a member key; 404 when there is none, 400 for Regierungsbezirke. */
export async function resolveSubject(conn: DbOrTx, key: string): Promise<Subject> {
	if (/^\d{3}$/.test(key))
		throw new DomainError('validation', `Ein Regierungsbezirk selbst kann nicht Mitglied werden, wohl aber seine Bezirksregierung (Schlüssel BR-${key}).`, {
			ags: [`Für die Bezirksregierung verwenden Sie den Schlüssel BR-${key}.`]
		});
	if (key.startsWith('BR-')) {
		const [b] = await conn.select().from(bodies).where(eq(bodies.key, key));
		if (!b) throw notFound(`Es gibt keine Bezirksregierung mit dem Schlüssel ${key}.`);
		return { key, areaAgs: null, bodyKey: b.key, kind: 'bezirksregierung', name: b.name, type: 'Bezirksregierung', rbAgs: b.rbAgs, kreisAgs: null };
	}
	const [a] = await conn.select({ ags: areas.ags, kind: areas.kind, type: areas.type, name: areas.name, rbAgs: areas.rbAgs, kreisAgs: areas.kreisAgs }).from(areas).where(eq(areas.ags, key));
	if (!a || a.kind === 'regierungsbezirk') throw notFound(`Es gibt keine Kommune und keinen Kreis mit dem AGS ${key}.`);
	const kind: MemberKind = a.kind === 'kreis' ? 'kreis' : a.type === 'kreisfreie Stadt' ? 'kreisfreie_stadt' : 'kreisangehoerige_gemeinde';
	return { key, areaAgs: a.ags, bodyKey: null, kind, name: areaDisplayName(a), type: a.type, rbAgs: a.rbAgs ?? '', kreisAgs: a.kreisAgs };
}

/** "Stadt Bielefeld", "Gemeinde Burbach", "Kreis Lippe", "Bezirksregierung Arnsberg": as on a signature line. */
export function formalName(m: { kind: MemberKind; type: string; name: string }): string {
	if (m.kind === 'kreis' || m.kind === 'bezirksregierung') return m.name;
	if (/stadt/i.test(m.type)) return m.name.startsWith('Stadt ') ? m.name : `Stadt ${m.name}`;
	return `Gemeinde ${m.name}`;
}

/** Coordinators and member contacts count as network members (they see members-only fields). */
export function isNetworkMember(actor: Pick<Actor, 'role'> | null | undefined): boolean {
	return actor?.role === 'coordinator' || actor?.role === 'member_contact';
}

/** The AGS a contact account of this member is bound to (the Regierungsbezirk for a Bezirksregierung). */
export function bindingAgs(m: { areaAgs: string | null; rbAgs: string }): string {
	return m.areaAgs ?? m.rbAgs;
}

/** Coordinators, the member's contacts and member contacts bound to its area may act for it. */
export async function canActFor(conn: DbOrTx, actor: Actor, m: { key: string; areaAgs: string | null; rbAgs: string; bodyKey?: string | null }): Promise<boolean> {
	if (isCoordinatorOrSystem(actor)) return true;
	if (actor.role !== 'member_contact' || !actor.userId) return false;
	if (actor.areaAgs && actor.areaAgs === bindingAgs(m)) return true;
	const [c] = await conn
		.select({ userId: memberContacts.userId })
		.from(memberContacts)
		.where(and(eq(memberContacts.memberKey, m.key), eq(memberContacts.userId, actor.userId)));
	return !!c;
}

export async function requireActFor(conn: DbOrTx, actor: Actor, m: { key: string; name: string; areaAgs: string | null; rbAgs: string }): Promise<void> {
	if (!(await canActFor(conn, actor, m))) {
		if (!actor.userId && !actor.role && actor.ip) throw new DomainError('unauthorized', 'Bitte melden Sie sich an.');
		throw forbidden(`Für ${m.name} handeln nur deren Ansprechpersonen und die Koordinierungsstelle.`);
	}
}

/** Coordinators, and the operator (CLI or system: no user, no request). */
export function isCoordinatorOrSystem(actor: Actor): boolean {
	return actor.role === 'coordinator' || (!actor.userId && !actor.ip && !actor.role);
}

export function requireCoordinatorOrSystem(actor: Actor): void {
	if (!isCoordinatorOrSystem(actor)) throw forbidden('Das darf nur die Koordinierungsstelle.');
}

/** Active coordinator accounts, who get the workflow mails. */
export async function coordinatorRecipients(conn: DbOrTx) {
	return conn
		.select({ id: users.id, email: users.email, name: users.name })
		.from(users)
		.where(and(eq(users.role, 'coordinator'), eq(users.status, 'active')));
}

/** The member's contact accounts that are not disabled, primary first. */
export async function contactRecipients(conn: DbOrTx, memberKey: string) {
	const rows = await conn
		.select({ id: users.id, email: users.email, name: users.name, status: users.status, primary: memberContacts.primary })
		.from(memberContacts)
		.innerJoin(users, eq(users.id, memberContacts.userId))
		.where(eq(memberContacts.memberKey, memberKey));
	return rows.filter((r) => r.status !== 'disabled').sort((a, b) => Number(b.primary) - Number(a.primary));
}

export async function getMemberRow(conn: DbOrTx, key: string) {
	const [m] = await conn.select().from(members).where(eq(members.key, key));
	return m;
}
export type MemberRow = typeof members.$inferSelect;

export function pgErrorCode(e: unknown): string | undefined {
	return (e as { cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
}
