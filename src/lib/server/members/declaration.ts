/** The joint declaration: its versions and the signing rounds with their signatories. */
import { and, asc, desc, eq, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../accounts';
import { recordAudit, type Actor } from '../audit';
import type { DbOrTx } from '../db';
import { DomainError, notFound } from '../errors';
import { dateSchema, optionalText, pgErrorCode, requireCoordinatorOrSystem } from './common';
import { SIGNATORY_ROLES } from './labels';
import { declarationVersions, members, signingRounds, signingRoundSignatories } from './schema';

export const declarationVersionInput = z.object({
	title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(3, 'Bitte geben Sie einen Titel an.').max(300),
	/** Place and date line, e.g. "Düsseldorf, im Mai 2024". */
	placeLine: optionalText(200),
	/** From when this text is the one new members sign. */
	validFrom: dateSchema,
	/** The text (markdown). */
	bodyMarkdown: z.string({ error: 'Bitte geben Sie den Text an.' }).trim().min(20, 'Der Text ist zu kurz.').max(50_000),
	stateSignatoryName: optionalText(200),
	stateSignatoryOffice: optionalText(300)
});
export type DeclarationVersionInput = z.input<typeof declarationVersionInput>;

/** Adds a version of the joint declaration's text (coordinators). */
export async function createDeclarationVersion(conn: DbOrTx, actor: Actor, input: DeclarationVersionInput) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(declarationVersionInput, input);
	return conn.transaction(async (tx) => {
		const [row] = await tx
			.insert(declarationVersions)
			.values({ ...v, placeLine: v.placeLine ?? null, stateSignatoryName: v.stateSignatoryName ?? null, stateSignatoryOffice: v.stateSignatoryOffice ?? null })
			.returning();
		await recordAudit(tx, actor, { action: 'declaration_version.created', objectType: 'declaration_version', objectId: row.id, changes: { title: row.title, validFrom: row.validFrom } });
		return row;
	});
}

export async function listDeclarationVersions(conn: DbOrTx) {
	return conn.select().from(declarationVersions).orderBy(desc(declarationVersions.validFrom));
}

/** The version valid on a day (the newest with validFrom ≤ day), else the oldest. */
export async function declarationVersionAt(conn: DbOrTx, day: string) {
	const [v] = await conn.select().from(declarationVersions).where(lte(declarationVersions.validFrom, day)).orderBy(desc(declarationVersions.validFrom)).limit(1);
	if (v) return v;
	const [first] = await conn.select().from(declarationVersions).orderBy(asc(declarationVersions.validFrom)).limit(1);
	return first;
}

export async function getDeclarationVersion(conn: DbOrTx, id: number) {
	const [v] = await conn.select().from(declarationVersions).where(eq(declarationVersions.id, id));
	return v;
}

export const signingRoundInput = z.object({
	/** 1, 2, 3 … unique. */
	number: z.number({ error: 'Bitte geben Sie die Nummer der Runde an.' }).int('Die Nummer ist eine ganze Zahl.').min(1, 'Die Nummer ist mindestens 1.').max(999),
	date: dateSchema,
	/** The exact day is not known; `date` is a plausible day. */
	dateApproximate: z.boolean().optional(),
	place: optionalText(200),
	/** Version of the declaration signed; default the one valid on `date`. */
	declarationVersionId: z.number().int().min(1).optional(),
	note: optionalText(2000)
});
export type SigningRoundInput = z.input<typeof signingRoundInput>;

/** Creates a signing round (coordinators). 409 when the number is taken. */
export async function createSigningRound(conn: DbOrTx, actor: Actor, input: SigningRoundInput) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(signingRoundInput, input);
	return conn.transaction(async (tx) => {
		const [existing] = await tx.select({ id: signingRounds.id }).from(signingRounds).where(eq(signingRounds.number, v.number));
		if (existing) throw taken(v.number);
		let versionId = v.declarationVersionId ?? null;
		if (versionId) {
			if (!(await getDeclarationVersion(tx, versionId))) throw new DomainError('validation', 'Diese Fassung der Erklärung gibt es nicht.', { declaration_version_id: ['Diese Fassung gibt es nicht.'] });
		} else versionId = (await declarationVersionAt(tx, v.date))?.id ?? null;
		try {
			const [row] = await tx
				.insert(signingRounds)
				.values({ number: v.number, date: v.date, dateApproximate: v.dateApproximate ?? false, place: v.place ?? null, declarationVersionId: versionId, note: v.note ?? null })
				.returning();
			await recordAudit(tx, actor, { action: 'signing_round.created', objectType: 'signing_round', objectId: row.number, changes: { number: row.number, date: row.date, place: row.place, dateApproximate: row.dateApproximate } });
			return row;
		} catch (e) {
			if (pgErrorCode(e) === '23505') throw taken(v.number);
			throw e;
		}
	});
}

function taken(n: number) {
	return new DomainError('conflict', `Die ${n}. Unterzeichnungsrunde gibt es schon.`, { number: ['Diese Nummer ist schon vergeben.'] });
}

export const signatoryInput = z.object({
	/** The round's number. */
	round: z.number().int().min(1),
	/** state (Land) or umbrella (kommunaler Spitzenverband); members are added by admission. */
	role: z.enum(SIGNATORY_ROLES.filter((r) => r !== 'member') as ['state', 'umbrella'], { error: 'Die Rolle ist state oder umbrella.' }),
	organisation: z.string({ error: 'Bitte geben Sie die Organisation an.' }).trim().min(2, 'Bitte geben Sie die Organisation an.').max(300),
	name: optionalText(200),
	office: optionalText(300)
});
export type SignatoryInput = z.input<typeof signatoryInput>;

/** Adds the state's representative or an umbrella association to a round (coordinators). */
export async function addRoundSignatory(conn: DbOrTx, actor: Actor, input: SignatoryInput) {
	requireCoordinatorOrSystem(actor);
	const v = parseInput(signatoryInput, input);
	return conn.transaction(async (tx) => {
		const [round] = await tx.select().from(signingRounds).where(eq(signingRounds.number, v.round));
		if (!round) throw notFound(`Die ${v.round}. Unterzeichnungsrunde gibt es nicht.`);
		const [row] = await tx
			.insert(signingRoundSignatories)
			.values({ roundId: round.id, role: v.role, organisation: v.organisation, name: v.name ?? null, office: v.office ?? null, sort: v.role === 'state' ? 0 : 10 })
			.returning();
		await recordAudit(tx, actor, { action: 'signing_round.signatory_added', objectType: 'signing_round', objectId: round.number, changes: { role: v.role, organisation: v.organisation, name: v.name ?? null } });
		return row;
	});
}

/** All rounds with their member counts, oldest first. */
export async function listSigningRounds(conn: DbOrTx) {
	return conn
		.select({
			id: signingRounds.id,
			number: signingRounds.number,
			date: signingRounds.date,
			dateApproximate: signingRounds.dateApproximate,
			place: signingRounds.place,
			note: signingRounds.note,
			declarationVersionId: signingRounds.declarationVersionId,
			declarationTitle: declarationVersions.title,
			members: sql<number>`(select count(*)::int from members m where m.signing_round_id = ${signingRounds.id})`,
			signatories: sql<number>`(select count(*)::int from signing_round_signatories s where s.round_id = ${signingRounds.id})`
		})
		.from(signingRounds)
		.leftJoin(declarationVersions, eq(declarationVersions.id, signingRounds.declarationVersionId))
		.orderBy(asc(signingRounds.number));
}

export async function getSigningRound(conn: DbOrTx, number: number) {
	const [round] = await conn.select().from(signingRounds).where(eq(signingRounds.number, number));
	if (!round) return undefined;
	const signatories = await conn
		.select({
			role: signingRoundSignatories.role,
			memberKey: signingRoundSignatories.memberKey,
			organisation: signingRoundSignatories.organisation,
			name: signingRoundSignatories.name,
			office: signingRoundSignatories.office,
			memberStatus: members.status
		})
		.from(signingRoundSignatories)
		.leftJoin(members, eq(members.key, signingRoundSignatories.memberKey))
		.where(eq(signingRoundSignatories.roundId, round.id))
		.orderBy(asc(signingRoundSignatories.sort), sql`${signingRoundSignatories.organisation} collate "de-x-icu"`);
	const version = round.declarationVersionId ? await getDeclarationVersion(conn, round.declarationVersionId) : undefined;
	return { ...round, signatories, version };
}

/** The next round that has not taken place yet (date ≥ today), for the admission form. */
export async function upcomingRounds(conn: DbOrTx, today: string) {
	return conn.select().from(signingRounds).where(and(sql`${signingRounds.date} >= ${today}`)).orderBy(asc(signingRounds.number));
}
