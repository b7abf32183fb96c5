/**
 * The accession workflow (Beitritt) as a state machine:
 *
 *   opened ──council decision (adopted)──▶ council_decided ──declaration──▶ declared
 *   declared ──submit──▶ submitted ──admit into a signing round──▶ admitted (member)
 *   submitted ──return (coordinator)──▶ declared;   any open state ──withdraw──▶ withdrawn
 *
 * Every step is one command with its audit record; a refused step throws a DomainError
 * ('conflict', 409) that says in German what is missing, and is itself recorded in the audit
 * log (outside the rolled-back transaction). Each step mails the applicant side (the member's
 * contacts) and the coordinators.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../accounts';
import { users } from '../accounts/schema';
import { recordAudit, type Actor } from '../audit';
import type { DbOrTx } from '../db';
import { DomainError, forbidden, notFound } from '../errors';
import { enqueueMail } from '../mail';
import { absoluteUrl, renderMail } from '../mail/templates';
import { formatDate } from '../../format';
import {
	contactRecipients,
	coordinatorRecipients,
	dateSchema,
	getMemberRow,
	memberKeySchema,
	optionalText,
	pgErrorCode,
	requireActFor,
	resolveSubject,
	todayBerlin,
	type MemberRow
} from './common';
import { storeFile, type UploadedFile } from './files';
import { ACCESSION_STATE_LABELS, COUNCIL_RESULTS, COUNCIL_RESULT_LABELS, type AccessionState, type CouncilResult } from './labels';
import { fetchOparl, resultFromOparl, type OparlDecision } from './oparl';
import { addMemberSignatory, criteriaInput, ensureContact, insertMember, memberCriteriaState, setStatus, writeCriteria } from './registry';
import { accessions, memberFiles, members, signingRounds } from './schema';

export type AccessionRow = typeof accessions.$inferSelect;
const OPEN_STATES: AccessionState[] = ['opened', 'council_decided', 'declared', 'submitted'];

/** A refused step: recorded in the audit log on its own, then thrown. */
async function refuse(conn: DbOrTx, actor: Actor, accessionId: number | string | null, step: string, err: DomainError): Promise<never> {
	await recordAudit(conn, actor, { action: 'accession.step_refused', objectType: 'accession', objectId: accessionId, changes: { step, reason: err.message } }).catch(() => undefined);
	throw err;
}

/** Runs a step in a transaction; conflicts are audited as refused steps. */
async function step<T>(conn: DbOrTx, actor: Actor, id: number | string | null, name: string, run: (tx: DbOrTx) => Promise<T>): Promise<T> {
	try {
		return await conn.transaction(run);
	} catch (e) {
		if (e instanceof DomainError && e.kind === 'conflict') return refuse(conn, actor, id, name, e);
		throw e;
	}
}

async function loadForUpdate(tx: DbOrTx, id: number): Promise<{ a: AccessionRow; m: MemberRow }> {
	const [a] = await tx.select().from(accessions).where(eq(accessions.id, id)).for('update');
	if (!a) throw notFound(`Das Beitrittsverfahren Nr. ${id} gibt es nicht.`);
	const m = (await getMemberRow(tx, a.memberKey))!;
	return { a, m };
}

function closed(a: AccessionRow, m: MemberRow): DomainError | null {
	if (a.state === 'admitted') return new DomainError('conflict', `Das Verfahren ist abgeschlossen: ${m.name} ist seit ${formatDate(m.joinedOn)} Mitglied.`);
	if (a.state === 'withdrawn') return new DomainError('conflict', 'Das Verfahren wurde zurückgezogen. Für einen neuen Anlauf eröffnen Sie bitte ein neues Beitrittsverfahren.');
	return null;
}

// ---------------------------------------------------------------------------------------
// Mails

interface StepMail {
	subject: string;
	/** For the member's contacts. */
	applicant: string[];
	/** For the coordinators. */
	coordinators: string[];
}

async function mailStep(tx: DbOrTx, a: { id: number }, m: MemberRow, template: string, mail: StepMail): Promise<void> {
	const url = absoluteUrl(`/beitritt/${a.id}`);
	const sent = new Set<string>();
	for (const r of await contactRecipients(tx, m.key)) {
		if (sent.has(r.email.toLowerCase())) continue;
		sent.add(r.email.toLowerCase());
		const content = renderMail({ subject: mail.subject, greetingName: r.name, paragraphs: mail.applicant, action: { label: 'Zum Beitrittsverfahren', url } });
		await enqueueMail(tx, { to: r.email, toName: r.name, template, ...content });
	}
	for (const r of await coordinatorRecipients(tx)) {
		if (sent.has(r.email.toLowerCase())) continue;
		sent.add(r.email.toLowerCase());
		const content = renderMail({ subject: mail.subject, greetingName: r.name, paragraphs: mail.coordinators, action: { label: 'Verfahren ansehen', url } });
		await enqueueMail(tx, { to: r.email, toName: r.name, template, ...content });
	}
}

// ---------------------------------------------------------------------------------------
// Open

export const openAccessionInput = z.object({
	/** AGS of the Gemeinde or Kreis, or BR-059 for a Bezirksregierung. */
	ags: memberKeySchema
});
export type OpenAccessionInput = z.input<typeof openAccessionInput>;

/**
 * Opens an application. A member contact for their own area, coordinators for any. The member
 * (created when new) becomes `applying`. 409 when it is a member or has an open application.
 */
export async function openAccession(conn: DbOrTx, actor: Actor, input: OpenAccessionInput): Promise<AccessionRow> {
	const v = parseInput(openAccessionInput, input);
	return step(conn, actor, null, 'open', async (tx) => {
		const s = await resolveSubject(tx, v.ags);
		await requireActFor(tx, actor, { key: s.key, name: s.name, areaAgs: s.areaAgs, rbAgs: s.rbAgs });
		const today = todayBerlin();
		let m = await getMemberRow(tx, s.key);
		if (m?.status === 'member') throw new DomainError('conflict', `${m.name} ist bereits Mitglied (seit ${formatDate(m.joinedOn)}). Ein Beitrittsverfahren ist nicht nötig.`);
		const [open] = m ? await tx.select({ id: accessions.id }).from(accessions).where(and(eq(accessions.memberKey, s.key), inArray(accessions.state, OPEN_STATES))) : [];
		if (open) throw new DomainError('conflict', `Für ${s.name} läuft bereits das Beitrittsverfahren Nr. ${open.id}.`);
		if (!m) m = await insertMember(tx, actor, s.key, 'applying', today, 'Beitrittsverfahren eröffnet');
		else m = await setStatus(tx, actor, m, 'applying', today, 'Beitrittsverfahren eröffnet');
		let a: AccessionRow;
		try {
			[a] = await tx.insert(accessions).values({ memberKey: m.key, openedByUserId: actor.userId ?? null }).returning();
		} catch (e) {
			if (pgErrorCode(e) === '23505') throw new DomainError('conflict', `Für ${s.name} läuft bereits ein Beitrittsverfahren.`);
			throw e;
		}
		await ensureContact(tx, actor, m.key);
		await recordAudit(tx, actor, { action: 'accession.opened', objectType: 'accession', objectId: a.id, changes: { member: m.key, name: m.name, status: 'applying' } });
		await mailStep(tx, a, m, 'accession.opened', {
			subject: `Beitrittsverfahren eröffnet: ${m.name}`,
			applicant: [
				`für ${m.name} ist das Beitrittsverfahren zum Kommunen-Netzwerk: engagiert in NRW eröffnet (Nr. ${a.id}).`,
				'Als nächstes tragen Sie den Ratsbeschluss ein: Gremium, Sitzungsdatum und Ergebnis, dazu die Beschlussvorlage als PDF oder die Adresse im Ratsinformationssystem (OParl).'
			],
			coordinators: [`${actor.label} hat das Beitrittsverfahren Nr. ${a.id} für ${m.name} eröffnet.`]
		});
		return a;
	});
}

// ---------------------------------------------------------------------------------------
// Council decision

export const councilDecisionInput = z.object({
	/** Committee or council, e.g. "Sozial- und Gesundheitsausschuss". */
	committee: optionalText(300),
	/** Session date. */
	date: dateSchema.nullish(),
	/** Agenda item (TOP), e.g. "TOP 7.2". */
	agendaItem: optionalText(100),
	/** File number of the draft resolution (Drucksachen-Nr.). */
	reference: optionalText(100),
	/** adopted (Beitritt beschlossen), rejected or postponed. */
	result: z.enum(COUNCIL_RESULTS, { error: 'Das Ergebnis ist adopted (beschlossen), rejected (abgelehnt) oder postponed (vertagt).' }).nullish(),
	/** Was the item discussed in public session? */
	public: z.boolean().nullish(),
	/** OParl URL of the Paper or AgendaItem. */
	oparlUrl: z
		.string()
		.trim()
		.max(2000)
		.nullish()
		.transform((v) => (v === undefined ? undefined : v || null)),
	/** The Beschlussvorlage as PDF. */
	document: z.custom<UploadedFile>().optional()
});
export type CouncilDecisionInput = z.input<typeof councilDecisionInput>;

/** What happened to the OParl URL, for the caller to show. */
export interface OparlReport {
	ok: boolean;
	/** German reason when it failed. */
	error?: string;
	decision?: OparlDecision;
}

const MISSING_COUNCIL: Record<string, string> = {
	committee: 'Bitte geben Sie das Gremium an, z. B. Rat oder Sozialausschuss.',
	date: 'Bitte geben Sie das Sitzungsdatum an.',
	result: 'Bitte geben Sie das Ergebnis des Beschlusses an.'
};

async function writeCouncilDecision(tx: DbOrTx, actor: Actor, a: AccessionRow, m: MemberRow, v: z.output<typeof councilDecisionInput>, oparl: OparlReport | null) {
	if (a.state === 'submitted') throw new DomainError('conflict', 'Der Antrag ist eingereicht und wird geprüft. Änderungen sind erst wieder möglich, wenn die Koordinierungsstelle ihn zurückgibt.');
	const d = oparl?.ok ? oparl.decision : undefined;
	const merged = {
		councilCommittee: v.committee === undefined ? a.councilCommittee : v.committee,
		councilDate: (v.date === undefined ? a.councilDate : v.date) ?? d?.date ?? null,
		councilAgendaItem: v.agendaItem === undefined ? a.councilAgendaItem : v.agendaItem,
		councilReference: (v.reference === undefined ? a.councilReference : v.reference) ?? d?.reference ?? null,
		councilResult: ((v.result === undefined ? a.councilResult : v.result) ?? resultFromOparl(d?.result ?? null)) as CouncilResult | null,
		councilPublic: (v.public === undefined ? a.councilPublic : v.public) ?? d?.public ?? null
	};
	const missing: Record<string, string[]> = {};
	if (!merged.councilCommittee) missing['councilDecision.committee'] = [MISSING_COUNCIL.committee];
	if (!merged.councilDate) missing['councilDecision.date'] = [MISSING_COUNCIL.date];
	if (!merged.councilResult) missing['councilDecision.result'] = [MISSING_COUNCIL.result];
	if (Object.keys(missing).length) {
		if (oparl && !oparl.ok) missing['councilDecision.oparlUrl'] = [`${oparl.error} Bitte tragen Sie die Angaben von Hand ein.`];
		throw new DomainError('validation', 'Zum Ratsbeschluss fehlen Angaben.', missing);
	}
	if (merged.councilDate! > todayBerlin()) throw new DomainError('validation', 'Das Sitzungsdatum liegt in der Zukunft.', { 'councilDecision.date': ['Tragen Sie den Beschluss bitte nach der Sitzung ein; das Datum liegt in der Zukunft.'] });
	if (a.state === 'declared' && merged.councilResult !== 'adopted')
		throw new DomainError('conflict', 'Der Beitritt ist bereits erklärt. Ein Ratsbeschluss, der den Beitritt nicht beschließt, passt dazu nicht; ziehen Sie das Verfahren sonst zurück.');
	if (a.state === 'declared' && a.declarationDate && merged.councilDate! > a.declarationDate)
		throw new DomainError('validation', 'Der Ratsbeschluss kann nicht nach der Beitrittserklärung liegen.', { 'councilDecision.date': ['Das Sitzungsdatum liegt nach der Beitrittserklärung.'] });
	const set: Partial<typeof accessions.$inferInsert> = { ...merged, updatedAt: new Date() };
	if (v.document) set.councilFileId = (await storeFile(tx, m.key, 'council_document', v.document, actor.userId, 'councilDecision.document')).id;
	if (oparl?.ok) {
		set.oparlUrl = v.oparlUrl;
		set.oparlData = oparl.decision;
		set.oparlFetchedAt = new Date();
	} else if (v.oparlUrl === null) {
		set.oparlUrl = null;
		set.oparlData = null;
		set.oparlFetchedAt = null;
	}
	const state: AccessionState = a.state === 'declared' ? 'declared' : merged.councilResult === 'adopted' ? 'council_decided' : 'opened';
	set.state = state;
	const [row] = await tx.update(accessions).set(set).where(eq(accessions.id, a.id)).returning();
	await recordAudit(tx, actor, {
		action: 'accession.council_decision_recorded',
		objectType: 'accession',
		objectId: a.id,
		changes: {
			state: [a.state, state],
			committee: merged.councilCommittee,
			date: merged.councilDate,
			agendaItem: merged.councilAgendaItem,
			reference: merged.councilReference,
			result: merged.councilResult,
			public: merged.councilPublic,
			documentFileId: set.councilFileId ?? a.councilFileId,
			oparlUrl: oparl?.ok ? v.oparlUrl : (a.oparlUrl ?? null),
			oparlError: oparl && !oparl.ok ? oparl.error : undefined
		}
	});
	const result = COUNCIL_RESULT_LABELS[merged.councilResult!];
	await mailStep(tx, a, m, 'accession.council_decision', {
		subject: `Ratsbeschluss erfasst: ${m.name}`,
		applicant: [
			`für ${m.name} ist der Beschluss des Gremiums „${merged.councilCommittee}“ vom ${formatDate(merged.councilDate)} erfasst: ${result}.`,
			merged.councilResult === 'adopted'
				? 'Als nächstes erklärt Ihre Kommune dem Land den Beitritt. Tragen Sie dann Datum, unterzeichnende Person und Amt der Beitrittserklärung ein.'
				: 'Solange der Beitritt nicht beschlossen ist, kann das Verfahren nicht weitergehen. Tragen Sie einen späteren Beschluss ein, sobald er vorliegt.',
			...(oparl && !oparl.ok ? [`Die Angaben aus dem Ratsinformationssystem ließen sich nicht übernehmen: ${oparl.error}`] : [])
		],
		coordinators: [`${actor.label} hat für ${m.name} (Verfahren Nr. ${a.id}) den Ratsbeschluss erfasst: ${result}.`]
	});
	return row;
}

// ---------------------------------------------------------------------------------------
// Declaration of accession

export const accessionDeclarationInput = z.object({
	/** Day of the declaration to the state. */
	date: dateSchema,
	/** Who signed, e.g. "Pit Clausen" (fictional in demo data). */
	signatoryName: z.string({ error: 'Bitte geben Sie an, wer unterzeichnet hat.' }).trim().min(2, 'Bitte geben Sie an, wer unterzeichnet hat.').max(200),
	/** Office, e.g. "Oberbürgermeister". */
	signatoryOffice: z.string({ error: 'Bitte geben Sie das Amt an.' }).trim().min(2, 'Bitte geben Sie das Amt an, z. B. Bürgermeisterin.').max(200)
});
export type AccessionDeclarationInput = z.input<typeof accessionDeclarationInput>;

async function writeDeclaration(tx: DbOrTx, actor: Actor, a: AccessionRow, m: MemberRow, v: z.output<typeof accessionDeclarationInput>) {
	if (a.state === 'submitted') throw new DomainError('conflict', 'Der Antrag ist eingereicht und wird geprüft. Änderungen sind erst wieder möglich, wenn die Koordinierungsstelle ihn zurückgibt.');
	if (a.state === 'opened') {
		if (!a.councilResult) throw new DomainError('conflict', 'Die Beitrittserklärung setzt einen Ratsbeschluss voraus. Bitte tragen Sie zuerst den Beschluss des Rates oder Ausschusses ein.');
		throw new DomainError('conflict', `Der Rat hat den Beitritt noch nicht beschlossen (Ergebnis: ${COUNCIL_RESULT_LABELS[a.councilResult as CouncilResult]}). Erst nach einem zustimmenden Beschluss kann die Kommune den Beitritt erklären.`);
	}
	if (a.councilDate && v.date < a.councilDate)
		throw new DomainError('validation', 'Die Beitrittserklärung kann nicht vor dem Ratsbeschluss liegen.', { 'accessionDeclaration.date': [`Die Erklärung liegt vor dem Ratsbeschluss vom ${formatDate(a.councilDate)}.`] });
	if (v.date > todayBerlin()) throw new DomainError('validation', 'Das Datum der Erklärung liegt in der Zukunft.', { 'accessionDeclaration.date': ['Das Datum der Erklärung liegt in der Zukunft.'] });
	const [row] = await tx
		.update(accessions)
		.set({ declarationDate: v.date, declarationSignatoryName: v.signatoryName, declarationSignatoryOffice: v.signatoryOffice, state: 'declared', updatedAt: new Date() })
		.where(eq(accessions.id, a.id))
		.returning();
	await tx.update(members).set({ signatoryName: v.signatoryName, signatoryOffice: v.signatoryOffice, updatedAt: new Date() }).where(eq(members.key, m.key));
	await recordAudit(tx, actor, {
		action: 'accession.declaration_recorded',
		objectType: 'accession',
		objectId: a.id,
		changes: { state: [a.state, 'declared'], date: v.date, signatoryName: v.signatoryName, signatoryOffice: v.signatoryOffice }
	});
	await mailStep(tx, a, m, 'accession.declaration', {
		subject: `Beitrittserklärung erfasst: ${m.name}`,
		applicant: [
			`die Beitrittserklärung von ${m.name} vom ${formatDate(v.date)} (${v.signatoryOffice} ${v.signatoryName}) ist erfasst.`,
			'Prüfen Sie nun die fünf Kriterien und reichen Sie den Antrag bei der Koordinierungsstelle ein.'
		],
		coordinators: [`Für ${m.name} (Verfahren Nr. ${a.id}) ist die Beitrittserklärung vom ${formatDate(v.date)} erfasst.`]
	});
	return row;
}

// ---------------------------------------------------------------------------------------
// Update (the API's PATCH: criteria, council decision, declaration in one step)

export const updateAccessionInput = z.object({
	id: z.number().int().min(1),
	criteria: criteriaInput.shape.criteria.optional(),
	councilDecision: councilDecisionInput.optional(),
	accessionDeclaration: accessionDeclarationInput.optional()
});
export type UpdateAccessionInput = z.input<typeof updateAccessionInput>;

/**
 * Records any of criteria, council decision and declaration of accession, in this order and
 * in one transaction. The OParl URL is fetched before the transaction; when that fails the
 * manual values are kept and `oparl.error` says why.
 */
export async function updateAccession(conn: DbOrTx, actor: Actor, input: UpdateAccessionInput): Promise<{ accession: AccessionRow; oparl: OparlReport | null }> {
	const v = parseInput(updateAccessionInput, input);
	const stepName = v.accessionDeclaration ? 'declaration' : v.councilDecision ? 'council_decision' : 'criteria';
	let oparl: OparlReport | null = null;
	if (v.councilDecision?.oparlUrl) {
		const r = await fetchOparl(v.councilDecision.oparlUrl);
		oparl = r.ok ? { ok: true, decision: r.decision } : { ok: false, error: r.error };
	}
	const accession = await step(conn, actor, v.id, stepName, async (tx) => {
		let { a, m } = await loadForUpdate(tx, v.id);
		await requireActFor(tx, actor, m);
		const c = closed(a, m);
		if (c) throw c;
		if (v.criteria) {
			if (a.state === 'submitted' && actor.role !== 'coordinator')
				throw new DomainError('conflict', 'Der Antrag ist eingereicht und wird geprüft. Die Kriterien kann jetzt nur die Koordinierungsstelle ändern.');
			await writeCriteria(tx, actor, m.key, v.criteria);
		}
		if (v.councilDecision) a = await writeCouncilDecision(tx, actor, a, m, v.councilDecision, oparl);
		if (v.accessionDeclaration) a = await writeDeclaration(tx, actor, a, m, v.accessionDeclaration);
		return a;
	});
	return { accession, oparl };
}

/** Records the council decision (pages call this; same rules as updateAccession). */
export async function recordCouncilDecision(conn: DbOrTx, actor: Actor, input: CouncilDecisionInput & { id: number }) {
	const { id, ...councilDecision } = input;
	return updateAccession(conn, actor, { id, councilDecision });
}

/** Records the declaration of accession (pages call this; same rules as updateAccession). */
export async function recordAccessionDeclaration(conn: DbOrTx, actor: Actor, input: AccessionDeclarationInput & { id: number }) {
	const { id, ...accessionDeclaration } = input;
	return (await updateAccession(conn, actor, { id, accessionDeclaration })).accession;
}

// ---------------------------------------------------------------------------------------
// Submit, return, admit, withdraw

/** What is still missing before the application can be submitted. */
export function missingForSubmit(a: AccessionRow): string[] {
	const out: string[] = [];
	if (!a.councilResult) out.push('der Ratsbeschluss (Gremium, Sitzungsdatum, Ergebnis)');
	else if (a.councilResult !== 'adopted') out.push(`ein zustimmender Ratsbeschluss (bisher: ${COUNCIL_RESULT_LABELS[a.councilResult as CouncilResult]})`);
	if (!a.declarationDate) out.push('die Beitrittserklärung an das Land (Datum, unterzeichnende Person, Amt)');
	return out;
}

/** Hands the application to the coordination office for review. */
export async function submitAccession(conn: DbOrTx, actor: Actor, input: { id: number }): Promise<AccessionRow> {
	return step(conn, actor, input.id, 'submit', async (tx) => {
		const { a, m } = await loadForUpdate(tx, input.id);
		await requireActFor(tx, actor, m);
		const c = closed(a, m);
		if (c) throw c;
		if (a.state === 'submitted') throw new DomainError('conflict', `Der Antrag ist bereits eingereicht (am ${formatDate(a.submittedAt)}) und wird geprüft.`);
		const missing = missingForSubmit(a);
		if (missing.length) throw new DomainError('conflict', `Der Antrag kann noch nicht eingereicht werden. Es fehlt: ${missing.join('; ')}.`);
		const [row] = await tx.update(accessions).set({ state: 'submitted', submittedAt: new Date(), updatedAt: new Date() }).where(eq(accessions.id, a.id)).returning();
		await recordAudit(tx, actor, { action: 'accession.submitted', objectType: 'accession', objectId: a.id, changes: { state: [a.state, 'submitted'] } });
		const criteria = await memberCriteriaState(tx, m.key);
		const open = criteria.filter((x) => !x.met).map((x) => x.missing!);
		await mailStep(tx, a, m, 'accession.submitted', {
			subject: `Beitrittsantrag eingereicht: ${m.name}`,
			applicant: [`der Beitrittsantrag von ${m.name} ist bei der Koordinierungsstelle eingegangen. Wir prüfen ihn und melden uns.`],
			coordinators: [
				`${actor.label} hat den Beitrittsantrag von ${m.name} (Nr. ${a.id}) eingereicht. Bitte prüfen Sie ihn.`,
				open.length ? `Noch nicht erfüllte Kriterien: ${open.join(' ')}` : 'Alle fünf Kriterien sind als erfüllt angegeben.'
			]
		});
		return row;
	});
}

export const returnAccessionInput = z.object({
	id: z.number().int().min(1),
	/** What the applicant must add or correct. */
	note: z.string({ error: 'Bitte schreiben Sie, was noch fehlt.' }).trim().min(5, 'Bitte schreiben Sie, was noch fehlt.').max(4000)
});

/** Gives a submitted application back to the applicant with a note (coordinators). */
export async function returnAccession(conn: DbOrTx, actor: Actor, input: z.input<typeof returnAccessionInput>): Promise<AccessionRow> {
	if (actor.role !== 'coordinator') throw forbidden('Nur die Koordinierungsstelle kann einen Antrag zurückgeben.');
	const v = parseInput(returnAccessionInput, input);
	return step(conn, actor, v.id, 'return', async (tx) => {
		const { a, m } = await loadForUpdate(tx, v.id);
		const c = closed(a, m);
		if (c) throw c;
		if (a.state !== 'submitted') throw new DomainError('conflict', 'Zurückgeben lässt sich nur ein eingereichter Antrag; dieser ist noch nicht eingereicht.');
		const [row] = await tx.update(accessions).set({ state: 'declared', reviewNote: v.note, submittedAt: null, updatedAt: new Date() }).where(eq(accessions.id, a.id)).returning();
		await recordAudit(tx, actor, { action: 'accession.returned', objectType: 'accession', objectId: a.id, changes: { state: ['submitted', 'declared'], note: v.note } });
		await mailStep(tx, a, m, 'accession.returned', {
			subject: `Beitrittsantrag zurückgegeben: ${m.name}`,
			applicant: [`die Koordinierungsstelle hat den Beitrittsantrag von ${m.name} zurückgegeben. Ihre Anmerkung:`, v.note, 'Bitte ergänzen Sie die Angaben und reichen Sie den Antrag erneut ein.'],
			coordinators: [`${actor.label} hat den Antrag von ${m.name} (Nr. ${a.id}) zurückgegeben: ${v.note}`]
		});
		return row;
	});
}

export const admitAccessionInput = z.object({
	id: z.number().int().min(1),
	/** Number of the signing round the member signs in. */
	signingRound: z.number({ error: 'Bitte geben Sie die Nummer der Unterzeichnungsrunde an.' }).int().min(1, 'Die Nummer ist mindestens 1.')
});

/** What is missing for admission: the state and every unmet criterion. */
export async function missingForAdmission(conn: DbOrTx, a: AccessionRow): Promise<string[]> {
	const out: string[] = [];
	if (a.state !== 'submitted') out.push(...(missingForSubmit(a).length ? missingForSubmit(a).map((x) => `Es fehlt ${x}.`) : []), 'Der Antrag ist noch nicht eingereicht.');
	for (const c of await memberCriteriaState(conn, a.memberKey)) if (!c.met) out.push(c.missing!);
	return out;
}

/**
 * Admits the applicant into a signing round: it becomes a member with the round's date
 * (coordinators). 409 with everything missing when the application is not submitted, a
 * criterion is not met or the round does not exist.
 */
export async function admitAccession(conn: DbOrTx, actor: Actor, input: z.input<typeof admitAccessionInput>): Promise<AccessionRow> {
	if (actor.role !== 'coordinator') throw forbidden('Nur die Koordinierungsstelle nimmt Mitglieder auf.');
	const v = parseInput(admitAccessionInput, input);
	return step(conn, actor, v.id, 'admit', async (tx) => {
		const { a, m } = await loadForUpdate(tx, v.id);
		const c = closed(a, m);
		if (c) throw c;
		const missing = await missingForAdmission(tx, a);
		const [round] = await tx.select().from(signingRounds).where(eq(signingRounds.number, v.signingRound));
		if (!round) missing.push(`Die ${v.signingRound}. Unterzeichnungsrunde gibt es noch nicht; bitte legen Sie sie zuerst an.`);
		if (missing.length) throw new DomainError('conflict', `${m.name} kann noch nicht aufgenommen werden. ${missing.join(' ')}`);
		const [row] = await tx
			.update(accessions)
			.set({ state: 'admitted', admittedAt: new Date(), signingRoundId: round.id, updatedAt: new Date() })
			.where(eq(accessions.id, a.id))
			.returning();
		let member = await setStatus(tx, actor, m, 'member', round.date, `Aufnahme in die ${round.number}. Unterzeichnungsrunde`, {
			signingRoundId: round.id,
			signatoryName: a.declarationSignatoryName ?? m.signatoryName,
			signatoryOffice: a.declarationSignatoryOffice ?? m.signatoryOffice
		});
		await addMemberSignatory(tx, round.id, member);
		await recordAudit(tx, actor, { action: 'accession.admitted', objectType: 'accession', objectId: a.id, changes: { state: ['submitted', 'admitted'], signingRound: round.number, joinedOn: round.date } });
		await recordAudit(tx, actor, { action: 'member.status_changed', objectType: 'member', objectId: m.key, changes: { status: [m.status, 'member'], signingRound: round.number, on: round.date } });
		member = (await getMemberRow(tx, m.key))!;
		await mailStep(tx, a, member, 'accession.admitted', {
			subject: `Willkommen im Netzwerk: ${m.name}`,
			applicant: [
				`${m.name} ist in die ${round.number}. Unterzeichnungsrunde am ${formatDate(round.date)}${round.place ? ` in ${round.place}` : ''} aufgenommen und damit Mitglied im Kommunen-Netzwerk: engagiert in NRW.`,
				`Die persönliche Fassung der Gemeinsamen Erklärung zum Unterzeichnen finden Sie unter ${absoluteUrl(`/api/v1/members/${m.key}/declaration.pdf`)}.`
			],
			coordinators: [`${m.name} (Verfahren Nr. ${a.id}) ist in die ${round.number}. Unterzeichnungsrunde aufgenommen.`]
		});
		return row;
	});
}

/** Withdraws an open application (applicant or coordinators); the member is `interested` again. */
export async function withdrawAccession(conn: DbOrTx, actor: Actor, input: { id: number; note?: string | null }): Promise<AccessionRow> {
	const note = typeof input.note === 'string' ? input.note.trim().slice(0, 2000) || null : null;
	return step(conn, actor, input.id, 'withdraw', async (tx) => {
		const { a, m } = await loadForUpdate(tx, input.id);
		await requireActFor(tx, actor, m);
		const c = closed(a, m);
		if (c) throw c;
		const [row] = await tx.update(accessions).set({ state: 'withdrawn', withdrawnAt: new Date(), reviewNote: note ?? a.reviewNote, updatedAt: new Date() }).where(eq(accessions.id, a.id)).returning();
		if (m.status === 'applying') await setStatus(tx, actor, m, 'interested', todayBerlin(), 'Beitrittsverfahren zurückgezogen');
		await recordAudit(tx, actor, { action: 'accession.withdrawn', objectType: 'accession', objectId: a.id, changes: { state: [a.state, 'withdrawn'], note } });
		await mailStep(tx, a, m, 'accession.withdrawn', {
			subject: `Beitrittsverfahren zurückgezogen: ${m.name}`,
			applicant: [`das Beitrittsverfahren von ${m.name} (Nr. ${a.id}) ist zurückgezogen.${note ? ` Begründung: ${note}` : ''}`, 'Sie können jederzeit ein neues Verfahren eröffnen.'],
			coordinators: [`${actor.label} hat das Beitrittsverfahren von ${m.name} (Nr. ${a.id}) zurückgezogen.${note ? ` Begründung: ${note}` : ''}`]
		});
		return row;
	});
}

// ---------------------------------------------------------------------------------------
// Queries

export interface AccessionDetail extends AccessionRow {
	member: MemberRow;
	stateLabel: string;
	councilFile: { id: number; fileName: string; size: number } | null;
	criteria: Awaited<ReturnType<typeof memberCriteriaState>>;
	/** What is missing for the next step, in German. */
	missingForSubmit: string[];
	missingForAdmission: string[];
	signingRoundNumber: number | null;
	openedBy: string | null;
}

/** One application with everything its page shows; undefined when unknown or not the viewer's. */
export async function getAccession(conn: DbOrTx, viewer: Actor, id: number): Promise<AccessionDetail | undefined> {
	const [a] = await conn.select().from(accessions).where(eq(accessions.id, id));
	if (!a) return undefined;
	const m = (await getMemberRow(conn, a.memberKey))!;
	try {
		await requireActFor(conn, viewer, m);
	} catch {
		return undefined;
	}
	const [file] = a.councilFileId ? await conn.select({ id: memberFiles.id, fileName: memberFiles.fileName, size: memberFiles.size }).from(memberFiles).where(eq(memberFiles.id, a.councilFileId)) : [];
	const [round] = a.signingRoundId ? await conn.select({ number: signingRounds.number }).from(signingRounds).where(eq(signingRounds.id, a.signingRoundId)) : [];
	const [opener] = a.openedByUserId ? await conn.select({ name: users.name }).from(users).where(eq(users.id, a.openedByUserId)) : [];
	return {
		...a,
		member: m,
		stateLabel: ACCESSION_STATE_LABELS[a.state],
		councilFile: file ?? null,
		criteria: await memberCriteriaState(conn, m.key),
		missingForSubmit: missingForSubmit(a),
		missingForAdmission: a.state === 'submitted' ? await missingForAdmission(conn, a) : [],
		signingRoundNumber: round?.number ?? null,
		openedBy: opener?.name ?? null
	};
}

/** Applications the viewer may see: all for coordinators, their members' for contacts. */
export async function listAccessions(conn: DbOrTx, viewer: Actor, f: { state?: AccessionState; open?: boolean; memberKey?: string } = {}) {
	const where = [];
	if (f.state) where.push(eq(accessions.state, f.state));
	if (f.open) where.push(inArray(accessions.state, OPEN_STATES));
	if (f.memberKey) where.push(eq(accessions.memberKey, f.memberKey));
	if (viewer.role !== 'coordinator') {
		if (viewer.role !== 'member_contact' || !viewer.userId) return [];
		where.push(
			sql`(${accessions.memberKey} in (select member_key from member_contacts where user_id = ${viewer.userId}) or coalesce(${members.areaAgs}, ${members.rbAgs}) = ${viewer.areaAgs ?? ''})`
		);
	}
	return conn
		.select({
			id: accessions.id,
			state: accessions.state,
			memberKey: accessions.memberKey,
			memberName: members.name,
			councilDate: accessions.councilDate,
			declarationDate: accessions.declarationDate,
			submittedAt: accessions.submittedAt,
			admittedAt: accessions.admittedAt,
			createdAt: accessions.createdAt,
			updatedAt: accessions.updatedAt
		})
		.from(accessions)
		.innerJoin(members, eq(members.key, accessions.memberKey))
		.where(where.length ? and(...where) : undefined)
		.orderBy(desc(accessions.updatedAt));
}
