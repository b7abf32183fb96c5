/**
 * The member registry: members and their status history, contacts, profiles, topics and the
 * five criteria. Every state change is one command with its audit record in the same
 * transaction.
 */
import { and, asc, desc, eq, ilike, inArray, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../accounts';
import { users } from '../accounts/schema';
import { diff, recordAudit, type Actor } from '../audit';
import type { DbOrTx, Tx } from '../db';
import { DomainError, notFound } from '../errors';
import { optionalWebAddress } from '../validation';
import {
	canActFor,
	dateSchema,
	formalName,
	getMemberRow,
	isNetworkMember,
	memberKeySchema,
	optionalText,
	requireActFor,
	requireCoordinatorOrSystem,
	resolveSubject,
	todayBerlin,
	type MemberRow
} from './common';
import { storeFile, type UploadedFile } from './files';
import {
	CRITERIA,
	CRITERION_LABELS,
	DEFAULT_VISIBILITY,
	EHRENAMTSKARTE_OPTIONS,
	MEMBER_KINDS,
	MEMBER_STATUSES,
	PROFILE_FIELDS,
	STRUCTURE_KINDS,
	type Criterion,
	type MemberKind,
	type MemberStatus,
	type ProfileField,
	type Visibility
} from './labels';
import { memberContacts, memberCriteria, memberFiles, memberProfiles, members, memberStatusChanges, memberTopics, signingRounds, signingRoundSignatories, topics } from './schema';

// ---------------------------------------------------------------------------------------
// Members and status

/** Writes a status change with its history row; the caller records the audit entry. */
export async function setStatus(tx: DbOrTx, actor: Actor, m: MemberRow, to: MemberStatus, on: string, note: string | null, extra: Partial<typeof members.$inferInsert> = {}) {
	const dateField = { interested: 'interestedOn', applying: 'applyingOn', member: 'joinedOn', left: 'leftOn' } as const;
	const set: Partial<typeof members.$inferInsert> = { status: to, [dateField[to]]: on, updatedAt: new Date(), ...extra };
	if (to === 'interested' || to === 'applying') set.leftOn = m.status === 'left' ? m.leftOn : null;
	const [updated] = await tx.update(members).set(set).where(eq(members.key, m.key)).returning();
	await tx.insert(memberStatusChanges).values({ memberKey: m.key, fromStatus: m.status, toStatus: to, on, note, actorLabel: actor.label });
	return updated;
}

/** Inserts the member row for a subject with its first status; the caller audits. */
export async function insertMember(tx: DbOrTx, actor: Actor, key: string, status: MemberStatus, on: string, note: string | null) {
	const s = await resolveSubject(tx, key);
	const dateField = { interested: 'interestedOn', applying: 'applyingOn', member: 'joinedOn', left: 'leftOn' } as const;
	const [row] = await tx
		.insert(members)
		.values({
			key: s.key,
			areaAgs: s.areaAgs,
			bodyKey: s.bodyKey,
			kind: s.kind,
			name: s.name,
			type: s.type,
			rbAgs: s.rbAgs,
			kreisAgs: s.kreisAgs,
			status,
			[dateField[status]]: on
		})
		.onConflictDoNothing()
		.returning();
	if (!row) throw new DomainError('conflict', `${s.name} ist bereits im Verzeichnis.`);
	await tx.insert(memberStatusChanges).values({ memberKey: row.key, fromStatus: null, toStatus: status, on, note, actorLabel: actor.label });
	return row;
}

export const registerInterestInput = z.object({
	/** AGS of the Gemeinde or Kreis, or the key of a Bezirksregierung (BR-059). */
	ags: memberKeySchema,
	/** Day the interest was expressed; default today. */
	on: dateSchema.optional(),
	/** E.g. who asked and how. */
	note: optionalText(2000)
});
export type RegisterInterestInput = z.input<typeof registerInterestInput>;

/**
 * Records that a municipality is interested (first contact). Coordinators for any area, member
 * contacts for their own. A member that left becomes interested again.
 */
export async function registerInterest(conn: DbOrTx, actor: Actor, input: RegisterInterestInput): Promise<MemberRow> {
	const v = parseInput(registerInterestInput, input);
	return conn.transaction(async (tx) => {
		const s = await resolveSubject(tx, v.ags);
		await requireActFor(tx, actor, { key: s.key, name: s.name, areaAgs: s.areaAgs, rbAgs: s.rbAgs });
		const on = v.on ?? todayBerlin();
		const existing = await getMemberRow(tx, s.key);
		let row: MemberRow;
		if (!existing) {
			row = await insertMember(tx, actor, s.key, 'interested', on, v.note ?? null);
			await recordAudit(tx, actor, { action: 'member.registered', objectType: 'member', objectId: row.key, changes: { name: row.name, status: 'interested', on } });
		} else if (existing.status === 'left') {
			row = await setStatus(tx, actor, existing, 'interested', on, v.note ?? null);
			await recordAudit(tx, actor, { action: 'member.status_changed', objectType: 'member', objectId: row.key, changes: { status: ['left', 'interested'], on } });
		} else {
			const what = { interested: 'hat bereits Interesse angemeldet', applying: 'ist bereits im Beitrittsverfahren', member: 'ist bereits Mitglied', left: '' }[existing.status];
			throw new DomainError('conflict', `${existing.name} ${what}.`);
		}
		await ensureContact(tx, actor, row.key);
		return row;
	});
}

/** A member contact acting for a member becomes one of its contacts (the first one primary). */
export async function ensureContact(tx: DbOrTx, actor: Actor, memberKey: string): Promise<void> {
	if (actor.role !== 'member_contact' || !actor.userId) return;
	const existing = await tx.select({ userId: memberContacts.userId, primary: memberContacts.primary }).from(memberContacts).where(eq(memberContacts.memberKey, memberKey));
	if (existing.some((c) => c.userId === actor.userId)) return;
	await tx.insert(memberContacts).values({ memberKey, userId: actor.userId, primary: !existing.some((c) => c.primary) });
	await recordAudit(tx, actor, { action: 'member.contact_added', objectType: 'member', objectId: memberKey, changes: { userId: actor.userId, primary: !existing.some((c) => c.primary) } });
}

export const recordMembershipInput = z.object({
	/** AGS or body key. */
	ags: memberKeySchema,
	/** Number of the signing round the member signed in. */
	signingRound: z.number({ error: 'Bitte geben Sie die Nummer der Unterzeichnungsrunde an.' }).int().min(1),
	/** Day of joining; default the round's date. */
	joinedOn: dateSchema.optional(),
	signatoryName: optionalText(200),
	signatoryOffice: optionalText(200),
	partner: z.boolean().optional(),
	note: optionalText(2000)
});
export type RecordMembershipInput = z.input<typeof recordMembershipInput>;

/**
 * Enters an existing membership directly (members who joined before the platform existed).
 * Coordinators and the operator only; new members come in through the accession workflow.
 */
export async function recordMembership(conn: DbOrTx, actor: Actor, input: RecordMembershipInput): Promise<MemberRow> {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(recordMembershipInput, input);
	return conn.transaction(async (tx) => {
		const [round] = await tx.select().from(signingRounds).where(eq(signingRounds.number, v.signingRound));
		if (!round) throw new DomainError('conflict', `Die ${v.signingRound}. Unterzeichnungsrunde gibt es noch nicht. Bitte legen Sie sie zuerst an.`);
		const on = v.joinedOn ?? round.date;
		let m = await getMemberRow(tx, v.ags);
		if (m?.status === 'member') throw new DomainError('conflict', `${m.name} ist bereits Mitglied (seit ${m.joinedOn}).`);
		if (!m) m = await insertMember(tx, actor, v.ags, 'member', on, v.note ?? null);
		else m = await setStatus(tx, actor, m, 'member', on, v.note ?? null);
		const extra = {
			signingRoundId: round.id,
			joinedOn: on,
			signatoryName: v.signatoryName ?? m.signatoryName,
			signatoryOffice: v.signatoryOffice ?? m.signatoryOffice,
			partner: v.partner ?? m.partner
		};
		[m] = await tx.update(members).set(extra).where(eq(members.key, m.key)).returning();
		await addMemberSignatory(tx, round.id, m);
		await recordAudit(tx, actor, {
			action: 'member.status_changed',
			objectType: 'member',
			objectId: m.key,
			changes: { status: 'member', signingRound: round.number, joinedOn: on, signatoryName: m.signatoryName, signatoryOffice: m.signatoryOffice }
		});
		return m;
	});
}

/** The member's line on the round's signatory sheet (idempotent). */
export async function addMemberSignatory(tx: DbOrTx, roundId: number, m: MemberRow) {
	await tx
		.insert(signingRoundSignatories)
		.values({ roundId, role: 'member', memberKey: m.key, organisation: formalName(m), name: m.signatoryName, office: m.signatoryOffice, sort: 100 })
		.onConflictDoUpdate({
			target: [signingRoundSignatories.roundId, signingRoundSignatories.memberKey],
			set: { organisation: formalName(m), name: m.signatoryName, office: m.signatoryOffice }
		});
}

export const updateMemberInput = z.object({
	ags: memberKeySchema,
	/** Partner municipality with a special role. */
	partner: z.boolean().optional(),
	signatoryName: optionalText(200),
	signatoryOffice: optionalText(200),
	note: optionalText(2000)
});
export type UpdateMemberInput = z.input<typeof updateMemberInput>;

/** Changes the partner flag, the signatory and the internal note (coordinators). */
export async function updateMember(conn: DbOrTx, actor: Actor, input: UpdateMemberInput): Promise<MemberRow> {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(updateMemberInput, input);
	return conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		const next = { partner: v.partner, signatoryName: v.signatoryName, signatoryOffice: v.signatoryOffice, note: v.note };
		const changes = diff(m, next);
		if (!Object.keys(changes).length) return m;
		const set = Object.fromEntries(Object.keys(changes).map((k) => [k, next[k as keyof typeof next]]));
		const [row] = await tx
			.update(members)
			.set({ ...set, updatedAt: new Date() })
			.where(eq(members.key, m.key))
			.returning();
		await recordAudit(tx, actor, { action: 'member.updated', objectType: 'member', objectId: m.key, changes });
		return row;
	});
}

export const changeMemberStatusInput = z.object({
	ags: memberKeySchema,
	/** `left` (Austritt) for members; `interested` to reopen a former or stalled one. Becoming a member goes through admission. */
	status: z.enum(['interested', 'left'], { error: 'Der Status muss interested oder left sein; Mitglied wird man über die Aufnahme in eine Unterzeichnungsrunde.' }),
	/** Day the change takes effect; default today. */
	on: dateSchema.optional(),
	note: optionalText(2000)
});
export type ChangeMemberStatusInput = z.input<typeof changeMemberStatusInput>;

/** Records a departure (member → left) or sets a member back to interested (coordinators). */
export async function changeMemberStatus(conn: DbOrTx, actor: Actor, input: ChangeMemberStatusInput): Promise<MemberRow> {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(changeMemberStatusInput, input);
	return conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		if (m.status === v.status) throw new DomainError('conflict', `${m.name} hat diesen Status bereits.`);
		if (v.status === 'left' && m.status !== 'member') throw new DomainError('conflict', `Austreten kann nur ein Mitglied; ${m.name} ist noch nicht Mitglied.`);
		if (v.status === 'interested' && m.status === 'member') throw new DomainError('conflict', `${m.name} ist Mitglied. Erfassen Sie zuerst den Austritt.`);
		if (v.status === 'interested' && m.status === 'applying')
			throw new DomainError('conflict', `${m.name} hat ein offenes Beitrittsverfahren. Ziehen Sie es zurück, dann ist der Status wieder „Interessiert“.`);
		const on = v.on ?? todayBerlin();
		if (v.status === 'left' && m.joinedOn && on < m.joinedOn) throw new DomainError('validation', 'Der Austritt kann nicht vor dem Beitritt liegen.', { on: ['Der Austritt kann nicht vor dem Beitritt liegen.'] });
		const row = await setStatus(tx, actor, m, v.status, on, v.note ?? null);
		await recordAudit(tx, actor, { action: 'member.status_changed', objectType: 'member', objectId: m.key, changes: { status: [m.status, v.status], on, note: v.note ?? null } });
		return row;
	});
}

// ---------------------------------------------------------------------------------------
// Contacts

export const memberContactInput = z.object({
	ags: memberKeySchema,
	/** The account; it must have the role member_contact. */
	userId: z.number().int().min(1),
	/** Make this the primary contact (the previous one stays a contact). */
	primary: z.boolean().optional()
});
export type MemberContactInput = z.input<typeof memberContactInput>;

/** Adds a contact person or makes an existing one primary. Coordinators, or the member's own contacts. */
export async function addMemberContact(conn: DbOrTx, actor: Actor, input: MemberContactInput): Promise<void> {
	const v = parseInput(memberContactInput, input);
	await conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		await requireActFor(tx, actor, m);
		const [u] = await tx.select().from(users).where(eq(users.id, v.userId));
		if (!u) throw notFound('Dieses Konto gibt es nicht.');
		if (u.role !== 'member_contact')
			throw new DomainError('conflict', `${u.name} hat nicht die Rolle „Kommunale Ansprechperson“. Ändern Sie zuerst die Rolle in der Benutzerverwaltung.`, { user_id: ['Das Konto ist keine kommunale Ansprechperson.'] });
		const existing = await tx.select().from(memberContacts).where(eq(memberContacts.memberKey, m.key));
		const makePrimary = v.primary === true || !existing.some((c) => c.primary);
		if (makePrimary) await tx.update(memberContacts).set({ primary: false }).where(and(eq(memberContacts.memberKey, m.key), eq(memberContacts.primary, true)));
		const had = existing.find((c) => c.userId === u.id);
		if (had) {
			if (!makePrimary || had.primary) return;
			await tx.update(memberContacts).set({ primary: true }).where(and(eq(memberContacts.memberKey, m.key), eq(memberContacts.userId, u.id)));
			await recordAudit(tx, actor, { action: 'member.contact_primary', objectType: 'member', objectId: m.key, changes: { userId: u.id, name: u.name } });
			return;
		}
		await tx.insert(memberContacts).values({ memberKey: m.key, userId: u.id, primary: makePrimary });
		await recordAudit(tx, actor, { action: 'member.contact_added', objectType: 'member', objectId: m.key, changes: { userId: u.id, name: u.name, primary: makePrimary } });
	});
}

/** Removes a contact person; when it was the primary one, the longest-serving other contact becomes primary. */
export async function removeMemberContact(conn: DbOrTx, actor: Actor, input: { ags: string; userId: number }): Promise<void> {
	const v = parseInput(memberContactInput.pick({ ags: true, userId: true }), input);
	await conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		await requireActFor(tx, actor, m);
		const [gone] = await tx
			.delete(memberContacts)
			.where(and(eq(memberContacts.memberKey, m.key), eq(memberContacts.userId, v.userId)))
			.returning();
		if (!gone) throw notFound('Diese Person ist keine Ansprechperson dieses Mitglieds.');
		if (gone.primary) {
			const [next] = await tx.select().from(memberContacts).where(eq(memberContacts.memberKey, m.key)).orderBy(asc(memberContacts.createdAt)).limit(1);
			if (next) await tx.update(memberContacts).set({ primary: true }).where(and(eq(memberContacts.memberKey, m.key), eq(memberContacts.userId, next.userId)));
		}
		await recordAudit(tx, actor, { action: 'member.contact_removed', objectType: 'member', objectId: m.key, changes: { userId: v.userId } });
	});
}

export async function listMemberContacts(conn: DbOrTx, memberKey: string) {
	return conn
		.select({ userId: users.id, name: users.name, email: users.email, phone: users.phone, position: users.position, status: users.status, primary: memberContacts.primary })
		.from(memberContacts)
		.innerJoin(users, eq(users.id, memberContacts.userId))
		.where(eq(memberContacts.memberKey, memberKey))
		.orderBy(desc(memberContacts.primary), asc(users.name));
}

// ---------------------------------------------------------------------------------------
// Topics

const slugOf = (name: string) =>
	name
		.toLowerCase()
		.replace(/ä/g, 'ae')
		.replace(/ö/g, 'oe')
		.replace(/ü/g, 'ue')
		.replace(/ß/g, 'ss')
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 80);

export const topicInput = z.object({
	/** Name as shown, e.g. "Engagement im ländlichen Raum". */
	name: z.string({ error: 'Bitte geben Sie einen Namen an.' }).trim().min(2, 'Bitte geben Sie einen Namen an.').max(120, 'Bitte höchstens 120 Zeichen.'),
	description: optionalText(1000)
});
export type TopicInput = z.input<typeof topicInput>;

function topicTaken(name: string) {
	return new DomainError('conflict', `Das Thema „${name}“ gibt es schon.`, { name: ['Ein Thema mit diesem Namen gibt es schon.'] });
}

/**
 * Renamed topics keep their old slug, so the slug's unique index alone does not keep names
 * apart: a name counts as taken when another topic has it (ignoring case) or its slug.
 */
async function assertTopicNameFree(tx: DbOrTx, name: string, exceptId?: number) {
	const [other] = await tx
		.select({ id: topics.id })
		.from(topics)
		.where(and(or(sql`lower(${topics.name}) = lower(${name})`, eq(topics.slug, slugOf(name))), exceptId ? ne(topics.id, exceptId) : undefined))
		.limit(1);
	if (other) throw topicTaken(name);
}

/** Adds a topic to the managed list (coordinators). */
export async function createTopic(conn: DbOrTx, actor: Actor, input: TopicInput) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(topicInput, input);
	const slug = slugOf(v.name);
	if (!slug) throw new DomainError('validation', 'Der Name braucht Buchstaben oder Ziffern.', { name: ['Der Name braucht Buchstaben oder Ziffern.'] });
	return conn.transaction(async (tx) => {
		await assertTopicNameFree(tx, v.name);
		const [row] = await tx.insert(topics).values({ slug, name: v.name, description: v.description ?? null }).onConflictDoNothing().returning();
		if (!row) throw topicTaken(v.name);
		await recordAudit(tx, actor, { action: 'topic.created', objectType: 'topic', objectId: row.id, changes: { name: row.name, slug } });
		return row;
	});
}

/** Renames or describes a topic (coordinators); the slug stays so that links keep working. */
export async function updateTopic(conn: DbOrTx, actor: Actor, input: TopicInput & { id: number }) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(topicInput.extend({ id: z.number().int().min(1) }), input);
	return conn.transaction(async (tx) => {
		const [t] = await tx.select().from(topics).where(eq(topics.id, v.id));
		if (!t) throw notFound('Dieses Thema gibt es nicht.');
		await assertTopicNameFree(tx, v.name, t.id);
		const changes = diff(t, { name: v.name, description: v.description });
		if (!Object.keys(changes).length) return t;
		const [row] = await tx
			.update(topics)
			.set({ name: v.name, description: v.description === undefined ? t.description : v.description })
			.where(eq(topics.id, t.id))
			.returning();
		await recordAudit(tx, actor, { action: 'topic.updated', objectType: 'topic', objectId: t.id, changes });
		return row;
	});
}

/** Removes a topic from the list and from every profile (coordinators). */
export async function deleteTopic(conn: DbOrTx, actor: Actor, input: { id: number }) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(z.object({ id: z.number({ error: 'Dieses Thema gibt es nicht.' }).int().min(1, 'Dieses Thema gibt es nicht.') }), input);
	return conn.transaction(async (tx) => {
		const [t] = await tx.delete(topics).where(eq(topics.id, v.id)).returning();
		if (!t) throw notFound('Dieses Thema gibt es nicht.');
		await recordAudit(tx, actor, { action: 'topic.deleted', objectType: 'topic', objectId: t.id, changes: { name: t.name } });
		return t;
	});
}

export async function listTopics(conn: DbOrTx) {
	return conn
		.select({ id: topics.id, slug: topics.slug, name: topics.name, description: topics.description, members: sql<number>`(select count(*)::int from member_topics mt where mt.topic_id = ${topics.id})` })
		.from(topics)
		.orderBy(sql`${topics.name} collate "de-x-icu"`);
}

// ---------------------------------------------------------------------------------------
// Profile

const structureSchema = z.object({
	kind: z.enum(STRUCTURE_KINDS, { error: 'Unbekannte Art der Struktur.' }),
	/** Own name, e.g. "Freiwilligenagentur Bielefeld". */
	label: z.string().trim().max(200, 'Bitte höchstens 200 Zeichen.').optional().default(''),
	/** Since when (year or date text, e.g. "2016"). */
	since: z
		.string()
		.trim()
		.max(20)
		.regex(/^(\d{4}(-\d{2}(-\d{2})?)?)?$/, 'Bitte geben Sie das Jahr an, z. B. 2016.')
		.optional()
		.default('')
});
export type Structure = z.output<typeof structureSchema>;

const websiteSchema = optionalWebAddress({
	tooLong: 'Bitte höchstens 500 Zeichen.',
	invalid: 'Bitte geben Sie eine vollständige Adresse mit https:// an, z. B. https://www.bielefeld.de.'
});

export const updateProfileInput = z.object({
	ags: memberKeySchema,
	description: optionalText(5000),
	website: websiteSchema,
	structures: z.array(structureSchema).max(30, 'Bitte höchstens 30 Strukturen.').optional(),
	/** Ids from the managed topic list. */
	topicIds: z.array(z.number().int().min(1)).max(30).optional(),
	/** Per field: public or members (network members only). */
	visibility: z.partialRecord(z.enum(PROFILE_FIELDS), z.enum(['public', 'members'], { error: 'Sichtbarkeit ist public oder members.' })).optional(),
	/** A new logo (PNG or JPEG). */
	logo: z.custom<UploadedFile>().optional(),
	/** Remove the logo. */
	removeLogo: z.boolean().optional()
});
export type UpdateProfileInput = z.input<typeof updateProfileInput>;

/** Changes the member's profile (its contacts or coordinators). */
export async function updateMemberProfile(conn: DbOrTx, actor: Actor, input: UpdateProfileInput) {
	const v = parseInput(updateProfileInput, input);
	return conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		await requireActFor(tx, actor, m);
		const [before] = await tx.select().from(memberProfiles).where(eq(memberProfiles.memberKey, m.key));
		const beforeTopics = (await tx.select({ id: memberTopics.topicId }).from(memberTopics).where(eq(memberTopics.memberKey, m.key))).map((r) => r.id).sort((a, b) => a - b);
		const changes: Record<string, unknown> = {};
		const next: Partial<typeof memberProfiles.$inferInsert> = {};
		if (v.description !== undefined && v.description !== (before?.description ?? null)) next.description = v.description;
		if (v.website !== undefined && v.website !== (before?.website ?? null)) next.website = v.website;
		if (v.structures && JSON.stringify(v.structures) !== JSON.stringify(before?.structures ?? [])) next.structures = v.structures;
		if (v.visibility) {
			const vis = { ...DEFAULT_VISIBILITY, ...((before?.visibility as Record<string, Visibility>) ?? {}), ...v.visibility };
			if (JSON.stringify(vis) !== JSON.stringify({ ...DEFAULT_VISIBILITY, ...((before?.visibility as object) ?? {}) })) next.visibility = vis;
		}
		if (v.logo) {
			const f = await storeFile(tx, m.key, 'logo', v.logo, actor.userId, 'logo');
			next.logoFileId = f.id;
		} else if (v.removeLogo && before?.logoFileId) next.logoFileId = null;
		for (const [k, val] of Object.entries(next)) changes[k] = [(before as Record<string, unknown> | undefined)?.[k] ?? null, val];
		if (v.topicIds) {
			const ids = [...new Set(v.topicIds)].sort((a, b) => a - b);
			if (ids.length) {
				const found = await tx.select({ id: topics.id }).from(topics).where(inArray(topics.id, ids));
				if (found.length !== ids.length) throw new DomainError('validation', 'Ein gewähltes Thema gibt es nicht (mehr).', { topic_ids: ['Ein gewähltes Thema gibt es nicht (mehr).'] });
			}
			if (JSON.stringify(ids) !== JSON.stringify(beforeTopics)) {
				await tx.delete(memberTopics).where(eq(memberTopics.memberKey, m.key));
				if (ids.length) await tx.insert(memberTopics).values(ids.map((topicId) => ({ memberKey: m.key, topicId })));
				changes.topicIds = [beforeTopics, ids];
			}
		}
		if (!Object.keys(changes).length) return;
		if (Object.keys(next).length) {
			await tx
				.insert(memberProfiles)
				.values({ memberKey: m.key, ...next, updatedAt: new Date() })
				.onConflictDoUpdate({ target: memberProfiles.memberKey, set: { ...next, updatedAt: new Date() } });
		}
		await recordAudit(tx, actor, { action: 'member.profile_updated', objectType: 'member', objectId: m.key, changes });
	});
}

// ---------------------------------------------------------------------------------------
// Criteria

const yesNo = z.boolean({ error: 'Bitte wählen Sie ja oder nein.' });
const evidence = {
	/** Evidence in words, e.g. "Stabsstelle seit 2016, Organigramm im Anhang". */
	evidenceText: optionalText(4000),
	/** Evidence as a file (PDF, PNG, JPEG). */
	evidenceFile: z.custom<UploadedFile>().optional()
};
export const criteriaInput = z.object({
	ags: memberKeySchema,
	criteria: z
		.object({
			contact_person: z.object({ met: yesNo, ...evidence }).optional(),
			cross_cutting_task: z.object({ met: yesNo, ...evidence }).optional(),
			declaration_signing: z.object({ met: yesNo, ...evidence }).optional(),
			ehrenamtskarte: z
				.object({
					value: z.enum(EHRENAMTSKARTE_OPTIONS, { error: 'Bitte wählen Sie: participates, planned, comparable oder none.' }),
					/** Name of the comparable instrument (value comparable). */
					instrument: optionalText(300),
					...evidence
				})
				.superRefine((c, ctx) => {
					if (c.value === 'comparable' && !c.instrument)
						ctx.addIssue({ code: 'custom', path: ['instrument'], message: 'Bitte nennen Sie das vergleichbare Instrument der Anerkennung.' });
				})
				.optional(),
			collaboration: z.object({ met: yesNo, ...evidence }).optional()
		})
		.strict()
});
export type CriteriaInput = z.input<typeof criteriaInput>;

/**
 * Records criteria with evidence; each changed criterion is confirmed by the acting person at
 * this moment. The member's contacts or coordinators.
 */
export async function recordCriteria(conn: DbOrTx, actor: Actor, input: CriteriaInput): Promise<void> {
	const v = parseInput(criteriaInput, input);
	await conn.transaction(async (tx) => {
		const m = await getMemberRow(tx, v.ags);
		if (!m) throw notFound(`${v.ags} ist nicht im Mitgliederverzeichnis.`);
		await requireActFor(tx, actor, m);
		await writeCriteria(tx, actor, m.key, v.criteria);
	});
}

type CriteriaValues = z.output<typeof criteriaInput>['criteria'];

/** Shared by recordCriteria and the accession's update; writes one audit record. */
export async function writeCriteria(tx: DbOrTx, actor: Actor, memberKey: string, criteria: CriteriaValues): Promise<void> {
	const before = new Map((await tx.select().from(memberCriteria).where(eq(memberCriteria.memberKey, memberKey))).map((r) => [r.criterion, r]));
	const changes: Record<string, unknown> = {};
	for (const c of CRITERIA) {
		const given = criteria[c];
		if (!given) continue;
		const value = 'value' in given ? given.value : given.met ? 'yes' : 'no';
		const instrument = 'instrument' in given ? (given.instrument ?? null) : null;
		const old = before.get(c);
		let fileId = old?.evidenceFileId ?? null;
		if (given.evidenceFile) fileId = (await storeFile(tx, memberKey, 'evidence', given.evidenceFile, actor.userId, `criteria.${c}.evidenceFile`)).id;
		const evidenceText = given.evidenceText === undefined ? (old?.evidenceText ?? null) : given.evidenceText;
		if (old && old.value === value && old.instrument === instrument && old.evidenceText === evidenceText && old.evidenceFileId === fileId) continue;
		const row = { value, instrument, evidenceText, evidenceFileId: fileId, confirmedByUserId: actor.userId ?? null, confirmedByLabel: actor.label, confirmedAt: new Date() };
		await tx
			.insert(memberCriteria)
			.values({ memberKey, criterion: c, ...row })
			.onConflictDoUpdate({ target: [memberCriteria.memberKey, memberCriteria.criterion], set: row });
		changes[c] = old ? [old.value, value] : value;
		if (instrument !== (old?.instrument ?? null)) changes[`${c}.instrument`] = instrument;
		if (evidenceText !== (old?.evidenceText ?? null)) changes[`${c}.evidenceText`] = evidenceText;
		if (fileId !== (old?.evidenceFileId ?? null)) changes[`${c}.evidenceFileId`] = fileId;
	}
	if (Object.keys(changes).length) await recordAudit(tx, actor, { action: 'member.criteria_recorded', objectType: 'member', objectId: memberKey, changes });
}

export interface CriterionState {
	criterion: Criterion;
	label: string;
	value: string | null;
	instrument: string | null;
	met: boolean;
	evidenceText: string | null;
	evidenceFile: { id: number; fileName: string; size: number } | null;
	confirmedBy: string | null;
	confirmedAt: Date | null;
	/** What is missing, in German, when not met. */
	missing: string | null;
}

/** Is this criterion value enough for admission? */
export function criterionMet(c: Criterion, value: string | null | undefined, instrument: string | null | undefined): boolean {
	if (!value) return false;
	if (c === 'ehrenamtskarte') return value === 'participates' || value === 'planned' || (value === 'comparable' && !!instrument);
	return value === 'yes';
}

export function missingText(c: Criterion, value: string | null | undefined): string {
	const label = CRITERION_LABELS[c].short;
	if (!value) return `${label}: noch nicht angegeben.`;
	if (c === 'ehrenamtskarte') return value === 'comparable' ? `${label}: das vergleichbare Instrument ist nicht benannt.` : `${label}: weder Teilnahme noch Planung noch ein vergleichbares Instrument.`;
	return `${label}: nicht erfüllt.`;
}

/** The five criteria of a member with their evidence, in fixed order. */
export async function memberCriteriaState(conn: DbOrTx, memberKey: string): Promise<CriterionState[]> {
	const rows = await conn
		.select({ c: memberCriteria, fileName: memberFiles.fileName, fileSize: memberFiles.size })
		.from(memberCriteria)
		.leftJoin(memberFiles, eq(memberFiles.id, memberCriteria.evidenceFileId))
		.where(eq(memberCriteria.memberKey, memberKey));
	const by = new Map(rows.map((r) => [r.c.criterion, r]));
	return CRITERIA.map((c) => {
		const r = by.get(c);
		const met = criterionMet(c, r?.c.value, r?.c.instrument);
		return {
			criterion: c,
			label: CRITERION_LABELS[c].short,
			value: r?.c.value ?? null,
			instrument: r?.c.instrument ?? null,
			met,
			evidenceText: r?.c.evidenceText ?? null,
			evidenceFile: r?.c.evidenceFileId ? { id: r.c.evidenceFileId, fileName: r.fileName ?? 'Datei', size: r.fileSize ?? 0 } : null,
			confirmedBy: r?.c.confirmedByLabel ?? null,
			confirmedAt: r?.c.confirmedAt ?? null,
			missing: met ? null : missingText(c, r?.c.value)
		};
	});
}

// ---------------------------------------------------------------------------------------
// Queries

export const SORTS = ['name', 'joined', 'round', 'population'] as const;
export type MemberSort = (typeof SORTS)[number];

export interface MemberFilter {
	kind?: MemberKind;
	/** Regierungsbezirk AGS (3 digits). */
	region?: string;
	/** Kreis AGS (5 digits): the Kreis itself and its Gemeinden. */
	kreis?: string;
	status?: MemberStatus;
	/** Signing round number. */
	round?: number;
	/** Topic slug. */
	topic?: string;
	/** Partner municipalities only. */
	partner?: boolean;
	q?: string;
	sort?: MemberSort;
	desc?: boolean;
	limit?: number;
	offset?: number;
}

/** Statuses a viewer may see: the public sees members and former members, the network all. */
export function visibleStatuses(viewer: Actor | null | undefined): MemberStatus[] {
	return isNetworkMember(viewer) ? [...MEMBER_STATUSES] : ['member', 'left'];
}

function memberWhere(f: MemberFilter, viewer: Actor | null | undefined): SQL | undefined {
	const where: SQL[] = [inArray(members.status, visibleStatuses(viewer))];
	if (f.kind) where.push(eq(members.kind, f.kind));
	if (f.region) where.push(eq(members.rbAgs, f.region));
	if (f.kreis) where.push(or(eq(members.kreisAgs, f.kreis), eq(members.key, f.kreis))!);
	if (f.status) where.push(eq(members.status, f.status));
	if (f.round) where.push(sql`${members.signingRoundId} = (select id from signing_rounds where number = ${f.round})`);
	if (f.topic) where.push(sql`exists (select 1 from member_topics mt join topics t on t.id = mt.topic_id where mt.member_key = ${members.key} and t.slug = ${f.topic})`);
	if (f.partner) where.push(eq(members.partner, true));
	const q = f.q?.replace(/[\u0000-\u001f\u007f]/g, '').trim();
	if (q) {
		const esc = q.replace(/[%_\\]/g, '\\$&');
		where.push(/^(\d+|BR-\d*)$/i.test(q) ? sql`${members.key} like ${esc.toUpperCase() + '%'}` : ilike(members.name, `%${esc}%`));
	}
	return and(...where);
}

const listColumns = {
	key: members.key,
	areaAgs: members.areaAgs,
	bodyKey: members.bodyKey,
	kind: members.kind,
	name: members.name,
	type: members.type,
	rbAgs: members.rbAgs,
	kreisAgs: members.kreisAgs,
	status: members.status,
	interestedOn: members.interestedOn,
	applyingOn: members.applyingOn,
	joinedOn: members.joinedOn,
	leftOn: members.leftOn,
	partner: members.partner,
	signingRound: signingRounds.number,
	signingRoundDate: signingRounds.date,
	rbName: sql<string | null>`(select a.name from areas a where a.ags = ${members.rbAgs})`,
	kreisName: sql<string | null>`(select a.name from areas a where a.ags = ${members.kreisAgs})`,
	population: sql<number | null>`(select a.population from areas a where a.ags = ${members.areaAgs})`
};

export async function listMembers(conn: DbOrTx, f: MemberFilter = {}, viewer?: Actor | null) {
	const cond = memberWhere(f, viewer);
	const dir = f.desc ? sql`desc nulls last` : sql`asc nulls last`;
	const byName = sql`${members.name} collate "de-x-icu" asc`;
	const order =
		f.sort === 'joined'
			? [sql`${members.joinedOn} ${dir}`, byName]
			: f.sort === 'round'
				? [sql`${signingRounds.number} ${dir}`, byName]
				: f.sort === 'population'
					? [sql`(select a.population from areas a where a.ags = ${members.areaAgs}) ${dir}`, byName]
					: [sql`${members.name} collate "de-x-icu" ${f.desc ? sql`desc` : sql`asc`}`];
	const [items, [{ total }]] = await Promise.all([
		conn
			.select(listColumns)
			.from(members)
			.leftJoin(signingRounds, eq(signingRounds.id, members.signingRoundId))
			.where(cond)
			.orderBy(...order, asc(members.key))
			.limit(f.limit ?? 100)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(members).where(cond)
	]);
	return { items, total };
}
export type MemberListItem = Awaited<ReturnType<typeof listMembers>>['items'][number];

export interface MemberDetail extends MemberListItem {
	formalName: string;
	signatoryName: string | null;
	signatoryOffice: string | null;
	note: string | null;
	/** Only fields the viewer may see; hidden ones are absent. */
	profile: {
		description?: string | null;
		website?: string | null;
		logo?: { id: number; fileName: string } | null;
		structures?: Structure[];
		topics?: { id: number; slug: string; name: string }[];
		contacts?: { userId: number; name: string; email: string; phone: string | null; position: string | null; primary: boolean }[];
	};
	visibility: Record<ProfileField, Visibility>;
	/** For network members: the criteria; for coordinators and the member's contacts: status history. */
	criteria?: CriterionState[];
	history?: { fromStatus: MemberStatus | null; toStatus: MemberStatus; on: string; note: string | null; actorLabel: string; at: Date }[];
	/** Whether the viewer may edit this member (contact or coordinator). */
	canEdit: boolean;
}

/** One member as the viewer may see it; undefined when unknown or not visible. */
export async function getMember(conn: DbOrTx, key: string, viewer?: Actor | null): Promise<MemberDetail | undefined> {
	const [row] = await conn
		.select({ ...listColumns, signatoryName: members.signatoryName, signatoryOffice: members.signatoryOffice, note: members.note })
		.from(members)
		.leftJoin(signingRounds, eq(signingRounds.id, members.signingRoundId))
		.where(and(eq(members.key, key), inArray(members.status, visibleStatuses(viewer))));
	if (!row) return undefined;
	const network = isNetworkMember(viewer);
	const canEdit = viewer ? await canActFor(conn, viewer, row) : false;
	const [p] = await conn.select().from(memberProfiles).where(eq(memberProfiles.memberKey, key));
	const visibility = { ...DEFAULT_VISIBILITY, ...((p?.visibility as Record<ProfileField, Visibility>) ?? {}) };
	const may = (f: ProfileField) => visibility[f] === 'public' || network;
	const profile: MemberDetail['profile'] = {};
	if (may('description')) profile.description = p?.description ?? null;
	if (may('website')) profile.website = p?.website ?? null;
	if (may('structures')) profile.structures = (p?.structures as Structure[]) ?? [];
	if (may('logo')) {
		const f = p?.logoFileId ? await conn.select({ id: memberFiles.id, fileName: memberFiles.fileName }).from(memberFiles).where(eq(memberFiles.id, p.logoFileId)) : [];
		profile.logo = f[0] ?? null;
	}
	if (may('topics'))
		profile.topics = await conn
			.select({ id: topics.id, slug: topics.slug, name: topics.name })
			.from(memberTopics)
			.innerJoin(topics, eq(topics.id, memberTopics.topicId))
			.where(eq(memberTopics.memberKey, key))
			.orderBy(sql`${topics.name} collate "de-x-icu"`);
	if (may('contacts'))
		profile.contacts = (await listMemberContacts(conn, key))
			.filter((c) => c.status !== 'disabled')
			.map((c) => ({ userId: c.userId, name: c.name, email: c.email, phone: c.phone, position: c.position, primary: c.primary }));
	const detail: MemberDetail = {
		...row,
		note: viewer?.role === 'coordinator' ? row.note : null,
		formalName: formalName(row),
		profile,
		visibility,
		canEdit
	};
	if (network) detail.criteria = await memberCriteriaState(conn, key);
	if (canEdit)
		detail.history = await conn
			.select({ fromStatus: memberStatusChanges.fromStatus, toStatus: memberStatusChanges.toStatus, on: memberStatusChanges.on, note: memberStatusChanges.note, actorLabel: memberStatusChanges.actorLabel, at: memberStatusChanges.at })
			.from(memberStatusChanges)
			.where(eq(memberStatusChanges.memberKey, key))
			.orderBy(asc(memberStatusChanges.id));
	return detail;
}

/** Members with status member per signing round, Regierungsbezirk and kind, for the statistics page. */
export async function memberStatistics(conn: DbOrTx) {
	const rounds = await conn.execute<{ number: number; date: string; date_approximate: boolean; place: string | null; joined: number }>(sql`
		select r.number, r.date, r.date_approximate, r.place,
		  (select count(*)::int from members m where m.signing_round_id = r.id and m.status in ('member', 'left')) as joined
		from signing_rounds r order by r.number`);
	const byRegion = await conn.execute<{ ags: string; name: string; members: number; areas: number }>(sql`
		select a.ags, a.name,
		  (select count(*)::int from members m where m.rb_ags = a.ags and m.status = 'member') as members,
		  (select count(*)::int from areas g where g.rb_ags = a.ags) as areas
		from areas a where a.kind = 'regierungsbezirk' order by a.name collate "de-x-icu"`);
	const byKind = await conn.execute<{ kind: MemberKind; members: number }>(sql`
		select kind, count(*)::int as members from members where status = 'member' group by kind`);
	const [{ total, left }] = (
		await conn.execute<{ total: number; left: number }>(sql`select count(*) filter (where status = 'member')::int as total, count(*) filter (where status = 'left')::int as left from members`)
	).rows;
	let cumulative = 0;
	return {
		total,
		left,
		rounds: rounds.rows.map((r) => ({ number: r.number, date: r.date, dateApproximate: r.date_approximate, place: r.place, joined: r.joined, cumulative: (cumulative += r.joined) })),
		byRegion: byRegion.rows,
		byKind: MEMBER_KINDS.map((k) => ({ kind: k, members: byKind.rows.find((r) => r.kind === k)?.members ?? 0 }))
	};
}

export type { Tx };
