/** /api/v1 endpoints of the members domain (snake_case JSON; the same commands as the pages). */
import { z } from 'zod';
import { apiFields, defineEndpoint, listOf, pageQuery, serialId } from '../api/endpoint';
import { problem } from '../api/problem';
import type { Actor } from '../audit';
import { db } from '../db';
import { notFound } from '../errors';
import {
	ACCESSION_STATES,
	addMemberContact,
	addRoundSignatory,
	admitAccession,
	changeMemberStatus,
	COUNCIL_RESULTS,
	createDeclarationVersion,
	createSigningRound,
	createTopic,
	CRITERIA,
	EHRENAMTSKARTE_OPTIONS,
	getAccession,
	getFile,
	getMember,
	getSigningRound,
	isNetworkMember,
	listAccessions,
	listDeclarationVersions,
	listMembers,
	listSigningRounds,
	listTopics,
	MAX_UPLOAD_BYTES,
	MEMBER_KEY_RE,
	MEMBER_KINDS,
	MEMBER_STATUSES,
	openAccession,
	PROFILE_FIELDS,
	readStoredFile,
	removeMemberContact,
	returnAccession,
	SIGNATORY_ROLES,
	SORTS,
	STRUCTURE_KINDS,
	submitAccession,
	updateAccession,
	updateMember,
	updateMemberProfile,
	withdrawAccession,
	type AccessionDetail,
	type CriterionState,
	type MemberDetail,
	type MemberListItem,
	type OparlReport
} from '.';
import { declarationPdf, signatorySheetPdf } from './pdf';

const keyParam = z.object({
	ags: z
		.string()
		.transform((s) => s.toUpperCase())
		.pipe(z.string().regex(MEMBER_KEY_RE, 'AGS einer Gemeinde (8 Ziffern) oder eines Kreises (5), oder BR-059 für eine Bezirksregierung.'))
		.describe('AGS der Kommune oder des Kreises; BR-<AGS des Regierungsbezirks> für eine Bezirksregierung')
});
const idParam = z.object({ id: serialId('Nummer des Beitrittsverfahrens') });
const roundParam = z.object({ number: z.coerce.number().int().min(1).max(999).describe('Nummer der Unterzeichnungsrunde') });


// ---------------------------------------------------------------------------------------
// Members

const memberItem = z.object({
	ags: z.string().describe('Schlüssel des Mitglieds: AGS (Kommune, Kreis) oder BR-<AGS> (Bezirksregierung)'),
	area_ags: z.string().nullable().describe('AGS des Gebiets; bei Bezirksregierungen null'),
	body_key: z.string().nullable().describe('Schlüssel der Behörde (Bezirksregierung), sonst null'),
	name: z.string(),
	kind: z.enum(MEMBER_KINDS),
	type: z.string().describe('kreisfreie Stadt, Stadt, Gemeinde, Kreis oder Bezirksregierung'),
	status: z.enum(MEMBER_STATUSES),
	region: z.string().describe('AGS des Regierungsbezirks'),
	region_name: z.string().nullable(),
	kreis_ags: z.string().nullable(),
	kreis_name: z.string().nullable(),
	joined_on: z.string().nullable(),
	left_on: z.string().nullable(),
	signing_round: z.number().int().nullable().describe('Nummer der Unterzeichnungsrunde'),
	partner: z.boolean().describe('Partnerkommune mit besonderer Rolle'),
	population: z.number().int().nullable()
});

function toItem(m: MemberListItem): z.infer<typeof memberItem> {
	return {
		ags: m.key,
		area_ags: m.areaAgs,
		body_key: m.bodyKey,
		name: m.name,
		kind: m.kind,
		type: m.type,
		status: m.status,
		region: m.rbAgs,
		region_name: m.rbName,
		kreis_ags: m.kreisAgs,
		kreis_name: m.kreisName,
		joined_on: m.joinedOn,
		left_on: m.leftOn,
		signing_round: m.signingRound,
		partner: m.partner,
		population: m.population
	};
}

const criterionSchema = z.object({
	met: z.boolean(),
	value: z.string().nullable().describe('yes/no; bei ehrenamtskarte participates, planned, comparable oder none'),
	instrument: z.string().nullable(),
	evidence_text: z.string().nullable(),
	evidence_file: z.object({ id: z.number(), file_name: z.string(), url: z.string() }).nullable(),
	confirmed_by: z.string().nullable(),
	confirmed_at: z.string().nullable(),
	missing: z.string().nullable()
});

function criteriaOut(key: string, list: CriterionState[]) {
	return Object.fromEntries(
		list.map((c) => [
			c.criterion,
			{
				met: c.met,
				value: c.value,
				instrument: c.instrument,
				evidence_text: c.evidenceText,
				evidence_file: c.evidenceFile ? { id: c.evidenceFile.id, file_name: c.evidenceFile.fileName, url: `/api/v1/members/${key}/files/${c.evidenceFile.id}` } : null,
				confirmed_by: c.confirmedBy,
				confirmed_at: c.confirmedAt?.toISOString() ?? null,
				missing: c.missing
			}
		])
	) as Record<(typeof CRITERIA)[number], z.infer<typeof criterionSchema>>;
}

const structureOut = z.object({ kind: z.enum(STRUCTURE_KINDS), label: z.string(), since: z.string() });

const memberDetail = memberItem.extend({
	formal_name: z.string().describe('z. B. „Stadt Bielefeld“'),
	signatory_name: z.string().nullable(),
	signatory_office: z.string().nullable(),
	profile: z
		.object({
			description: z.string().nullable().optional(),
			website: z.string().nullable().optional(),
			logo_url: z.string().nullable().optional(),
			structures: z.array(structureOut).optional(),
			topics: z.array(z.object({ id: z.number(), slug: z.string(), name: z.string() })).optional(),
			contacts: z.array(z.object({ user_id: z.number(), name: z.string(), email: z.string(), phone: z.string().nullable(), position: z.string().nullable(), primary: z.boolean() })).optional()
		})
		.describe('Nur Felder, die Sie sehen dürfen: nur für Mitglieder sichtbare Felder fehlen für Anonyme.'),
	visibility: z.record(z.string(), z.enum(['public', 'members'])),
	criteria: z.record(z.string(), criterionSchema).optional().describe('Nur für Netzwerkmitglieder'),
	history: z.array(z.object({ from_status: z.string().nullable(), to_status: z.string(), on: z.string(), note: z.string().nullable(), by: z.string() })).optional()
});

function toDetail(m: MemberDetail): z.infer<typeof memberDetail> {
	const p = m.profile;
	return {
		...toItem(m),
		formal_name: m.formalName,
		signatory_name: m.signatoryName,
		signatory_office: m.signatoryOffice,
		profile: {
			...(p.description !== undefined ? { description: p.description } : {}),
			...(p.website !== undefined ? { website: p.website } : {}),
			...(p.logo !== undefined ? { logo_url: p.logo ? `/api/v1/members/${m.key}/files/${p.logo.id}` : null } : {}),
			...(p.structures ? { structures: p.structures } : {}),
			...(p.topics ? { topics: p.topics } : {}),
			...(p.contacts ? { contacts: p.contacts.map((c) => ({ user_id: c.userId, name: c.name, email: c.email, phone: c.phone, position: c.position, primary: c.primary })) } : {})
		},
		visibility: m.visibility,
		...(m.criteria ? { criteria: criteriaOut(m.key, m.criteria) } : {}),
		...(m.history ? { history: m.history.map((h) => ({ from_status: h.fromStatus, to_status: h.toStatus, on: h.on, note: h.note, by: h.actorLabel })) } : {})
	};
}

async function memberOut(key: string, actor: Actor) {
	const m = await getMember(db(), key, actor);
	if (!m) throw notFound(`${key} ist nicht im Mitgliederverzeichnis.`);
	return toDetail(m);
}

// ---------------------------------------------------------------------------------------
// Accessions

const accessionSchema = z.object({
	id: z.number().int(),
	ags: z.string(),
	member_name: z.string(),
	state: z.enum(ACCESSION_STATES),
	state_label: z.string(),
	opened_by: z.string().nullable(),
	opened_at: z.string(),
	council_decision: z
		.object({
			committee: z.string().nullable(),
			date: z.string().nullable(),
			agenda_item: z.string().nullable(),
			reference: z.string().nullable(),
			result: z.enum(COUNCIL_RESULTS).nullable(),
			public: z.boolean().nullable(),
			oparl_url: z.string().nullable(),
			oparl: z.unknown().nullable().describe('Was das OParl-Objekt sagte: type, reference, date, result, files'),
			document: z.object({ id: z.number(), file_name: z.string(), url: z.string() }).nullable()
		})
		.nullable(),
	accession_declaration: z.object({ date: z.string(), signatory_name: z.string().nullable(), signatory_office: z.string().nullable() }).nullable(),
	criteria: z.record(z.string(), criterionSchema),
	missing_for_submit: z.array(z.string()),
	missing_for_admission: z.array(z.string()),
	submitted_at: z.string().nullable(),
	review_note: z.string().nullable(),
	admitted_at: z.string().nullable(),
	signing_round: z.number().nullable(),
	withdrawn_at: z.string().nullable()
});

function toAccession(a: AccessionDetail): z.infer<typeof accessionSchema> {
	const hasCouncil = a.councilCommittee || a.councilDate || a.councilResult || a.oparlUrl || a.councilFileId;
	return {
		id: a.id,
		ags: a.memberKey,
		member_name: a.member.name,
		state: a.state,
		state_label: a.stateLabel,
		opened_by: a.openedBy,
		opened_at: a.createdAt.toISOString(),
		council_decision: hasCouncil
			? {
					committee: a.councilCommittee,
					date: a.councilDate,
					agenda_item: a.councilAgendaItem,
					reference: a.councilReference,
					result: a.councilResult as (typeof COUNCIL_RESULTS)[number] | null,
					public: a.councilPublic,
					oparl_url: a.oparlUrl,
					oparl: a.oparlData ?? null,
					document: a.councilFile ? { id: a.councilFile.id, file_name: a.councilFile.fileName, url: `/api/v1/members/${a.memberKey}/files/${a.councilFile.id}` } : null
				}
			: null,
		accession_declaration: a.declarationDate ? { date: a.declarationDate, signatory_name: a.declarationSignatoryName, signatory_office: a.declarationSignatoryOffice } : null,
		criteria: criteriaOut(a.memberKey, a.criteria),
		missing_for_submit: a.missingForSubmit,
		missing_for_admission: a.missingForAdmission,
		submitted_at: a.submittedAt?.toISOString() ?? null,
		review_note: a.reviewNote,
		admitted_at: a.admittedAt?.toISOString() ?? null,
		signing_round: a.signingRoundNumber,
		withdrawn_at: a.withdrawnAt?.toISOString() ?? null
	};
}

async function accessionOut(id: number, actor: Actor) {
	const a = await getAccession(db(), actor, id);
	if (!a) throw notFound(`Das Beitrittsverfahren Nr. ${id} gibt es nicht oder es gehört nicht zu Ihrer Kommune.`);
	return toAccession(a);
}

const evidenceFields = { evidence_text: z.string().max(4000).nullable().optional() };
const boolCriterion = z.union([z.boolean(), z.object({ met: z.boolean(), ...evidenceFields })]);
const criteriaBody = z
	.object({
		contact_person: boolCriterion.optional(),
		cross_cutting_task: boolCriterion.optional(),
		declaration_signing: boolCriterion.optional(),
		ehrenamtskarte: z.union([z.enum(EHRENAMTSKARTE_OPTIONS), z.object({ value: z.enum(EHRENAMTSKARTE_OPTIONS), instrument: z.string().max(300).nullable().optional(), ...evidenceFields })]).optional(),
		collaboration: boolCriterion.optional()
	})
	.strict()
	.describe('true/false je Kriterium (oder {met, evidence_text}); ehrenamtskarte: participates, planned, comparable (mit instrument) oder none');

function criteriaIn(c: z.infer<typeof criteriaBody>) {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(c)) {
		if (v === undefined) continue;
		if (k === 'ehrenamtskarte') out[k] = typeof v === 'string' ? { value: v } : { value: (v as { value: string }).value, instrument: (v as { instrument?: string | null }).instrument, evidenceText: (v as { evidence_text?: string | null }).evidence_text };
		else out[k] = typeof v === 'boolean' ? { met: v } : { met: (v as { met: boolean }).met, evidenceText: (v as { evidence_text?: string | null }).evidence_text };
	}
	return out;
}

const dateText = z.string().max(20).describe('JJJJ-MM-TT');

async function readPdfBody(request: Request): Promise<Uint8Array | Response> {
	const type = request.headers.get('content-type') ?? '';
	if (!/^application\/pdf\b/i.test(type)) return problem(415, 'Die Beschlussvorlage wird als PDF gesendet (Content-Type: application/pdf).');
	const len = Number(request.headers.get('content-length') ?? 0);
	if (len > MAX_UPLOAD_BYTES) return problem(413, `Die Datei ist größer als ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
	const buf = new Uint8Array(await request.arrayBuffer());
	if (buf.length > MAX_UPLOAD_BYTES) return problem(413, `Die Datei ist größer als ${MAX_UPLOAD_BYTES / 1024 / 1024} MB.`);
	return buf;
}

function pdfResponse(data: Buffer, fileName: string, inline = true): Response {
	return new Response(new Uint8Array(data), {
		status: 200,
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `${inline ? 'inline' : 'attachment'}; filename="${fileName.replace(/[^\w.-]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
			'cache-control': 'no-store'
		}
	});
}

const roundSchema = z.object({
	number: z.number().int(),
	date: z.string(),
	date_approximate: z.boolean().describe('true: der genaue Tag ist nicht überliefert, das Datum ist ein plausibler Tag'),
	place: z.string().nullable(),
	note: z.string().nullable(),
	declaration_version_id: z.number().nullable(),
	declaration_title: z.string().nullable(),
	members: z.number().int().describe('Mitglieder, die in dieser Runde unterzeichnet haben'),
	signatories: z.number().int()
});

export const memberEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/members',
		operationId: 'listMembers',
		summary: 'Mitgliederverzeichnis',
		description: 'Ohne Anmeldung nur Mitglieder und ehemalige Mitglieder; Netzwerkmitglieder sehen auch Interessierte und Kommunen im Beitrittsverfahren.',
		tag: 'Mitglieder',
		access: 'public',
		query: pageQuery.extend({
			kind: z.enum(MEMBER_KINDS).optional(),
			region: z.string().regex(/^05\d$/, 'AGS eines Regierungsbezirks, z. B. 059.').optional().describe('AGS des Regierungsbezirks (051, 053, 055, 057, 059)'),
			kreis: z.string().regex(/^05\d{3}$/, 'AGS eines Kreises, z. B. 05766.').optional().describe('AGS des Kreises'),
			status: z.enum(MEMBER_STATUSES).optional(),
			signing_round: z.coerce.number().int().min(1).max(999).optional(),
			topic: z.string().max(80).optional().describe('Kurzname (slug) eines Themas'),
			partner: z.enum(['true', 'false']).optional(),
			q: z.string().trim().max(100).optional().describe('Name oder Anfang des AGS'),
			sort: z.enum(SORTS).optional().describe('name (Standard), joined, round, population'),
			order: z.enum(['asc', 'desc']).optional()
		}),
		response: listOf(memberItem),
		async handler({ query, actor }) {
			const { items, total } = await listMembers(
				db(),
				{
					kind: query.kind,
					region: query.region,
					kreis: query.kreis,
					status: query.status,
					round: query.signing_round,
					topic: query.topic,
					partner: query.partner === 'true' ? true : undefined,
					q: query.q,
					sort: query.sort,
					desc: query.order === 'desc',
					limit: query.limit,
					offset: query.offset
				},
				actor
			);
			return { items: items.map(toItem), total };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/members/{ags}',
		operationId: 'getMember',
		summary: 'Ein Mitglied mit Profil',
		tag: 'Mitglieder',
		access: 'public',
		params: keyParam,
		response: memberDetail,
		async handler({ params, actor }) {
			return memberOut(params.ags, actor);
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/members/{ags}',
		operationId: 'updateMember',
		summary: 'Partnerkommune, unterzeichnende Person, interne Notiz ändern',
		tag: 'Mitglieder',
		access: 'coordinator',
		params: keyParam,
		body: z.object({
			partner: z.boolean().optional(),
			signatory_name: z.string().max(200).nullable().optional(),
			signatory_office: z.string().max(200).nullable().optional(),
			note: z.string().max(2000).nullable().optional()
		}),
		response: memberDetail,
		async handler({ params, body, actor }) {
			await apiFields(() => updateMember(db(), actor, { ags: params.ags, partner: body.partner, signatoryName: body.signatory_name, signatoryOffice: body.signatory_office, note: body.note }));
			return memberOut(params.ags, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/members/{ags}/status',
		operationId: 'changeMemberStatus',
		summary: 'Austritt erfassen oder wieder auf „interessiert“ setzen',
		description: 'Mitglied wird man nur über POST /accessions/{id}/admit.',
		tag: 'Mitglieder',
		access: 'coordinator',
		params: keyParam,
		body: z.object({ status: z.enum(['interested', 'left']), on: dateText.optional(), note: z.string().max(2000).nullable().optional() }),
		response: memberDetail,
		async handler({ params, body, actor }) {
			await apiFields(() => changeMemberStatus(db(), actor, { ags: params.ags, status: body.status, on: body.on, note: body.note }));
			return memberOut(params.ags, actor);
		}
	}),
	defineEndpoint({
		method: 'PUT',
		path: '/members/{ags}/profile',
		operationId: 'updateMemberProfile',
		summary: 'Profil ändern (Ansprechpersonen des Mitglieds, Koordinierungsstelle)',
		description: 'Fehlende Felder bleiben unverändert. visibility je Feld: public oder members.',
		tag: 'Mitglieder',
		access: 'user',
		params: keyParam,
		body: z.object({
			description: z.string().max(5000).nullable().optional(),
			website: z.string().max(500).nullable().optional(),
			structures: z.array(z.object({ kind: z.enum(STRUCTURE_KINDS), label: z.string().max(200).optional(), since: z.string().max(20).optional() })).max(30).optional(),
			topic_ids: z.array(z.number().int().min(1)).max(30).optional(),
			visibility: z.partialRecord(z.enum(PROFILE_FIELDS), z.enum(['public', 'members'])).optional()
		}),
		response: memberDetail,
		async handler({ params, body, actor }) {
			await apiFields(() =>
				updateMemberProfile(db(), actor, { ags: params.ags, description: body.description, website: body.website, structures: body.structures, topicIds: body.topic_ids, visibility: body.visibility })
			);
			return memberOut(params.ags, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/members/{ags}/contacts',
		operationId: 'addMemberContact',
		summary: 'Ansprechperson hinzufügen oder zur Hauptansprechperson machen',
		tag: 'Mitglieder',
		access: 'user',
		params: keyParam,
		body: z.object({ user_id: z.number().int().min(1), primary: z.boolean().optional() }),
		response: memberDetail,
		async handler({ params, body, actor }) {
			await apiFields(() => addMemberContact(db(), actor, { ags: params.ags, userId: body.user_id, primary: body.primary }));
			return memberOut(params.ags, actor);
		}
	}),
	defineEndpoint({
		method: 'DELETE',
		path: '/members/{ags}/contacts/{user_id}',
		operationId: 'removeMemberContact',
		summary: 'Ansprechperson entfernen',
		tag: 'Mitglieder',
		access: 'user',
		status: 204,
		params: keyParam.extend({ user_id: z.coerce.number().int().min(1).max(2_147_483_647) }),
		async handler({ params, actor }) {
			await removeMemberContact(db(), actor, { ags: params.ags, userId: params.user_id });
			return null;
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/members/{ags}/declaration.pdf',
		operationId: 'getMemberDeclarationPdf',
		summary: 'Gemeinsame Erklärung mit Namen und Unterzeichnenden des Mitglieds (PDF)',
		tag: 'Mitglieder',
		access: 'public',
		params: keyParam,
		produces: 'application/pdf',
		async handler({ params, actor }) {
			const m = await getMember(db(), params.ags, actor);
			if (!m) throw notFound(`${params.ags} ist nicht im Mitgliederverzeichnis.`);
			return pdfResponse(await declarationPdf(db(), m), `Gemeinsame-Erklaerung-${m.name}.pdf`);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/members/{ags}/files/{id}',
		operationId: 'getMemberFile',
		summary: 'Hochgeladene Datei (Nachweis, Beschlussvorlage, Logo)',
		description: 'Logos nach der Sichtbarkeit des Profils; Nachweise und Beschlussvorlagen nur für Netzwerkmitglieder.',
		tag: 'Mitglieder',
		access: 'public',
		params: keyParam.extend({ id: z.coerce.number().int().min(1).max(2_147_483_647) }),
		produces: 'application/octet-stream',
		async handler({ params, actor }) {
			const f = await getFile(db(), params.id);
			if (!f || f.memberKey !== params.ags) throw notFound('Diese Datei gibt es nicht.');
			if (f.purpose === 'logo') {
				const m = await getMember(db(), params.ags, actor);
				if (!m?.profile.logo || m.profile.logo.id !== f.id) throw notFound('Diese Datei gibt es nicht.');
			} else if (!isNetworkMember(actor)) throw notFound('Diese Datei gibt es nicht.');
			const data = await readStoredFile(f);
			if (!data) throw notFound('Die Datei ist nicht mehr vorhanden.');
			return new Response(new Uint8Array(data), {
				headers: {
					'content-type': f.contentType,
					'content-disposition': `${f.contentType === 'application/pdf' ? 'inline' : 'inline'}; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
					'cache-control': 'private, max-age=300',
					'x-content-type-options': 'nosniff'
				}
			});
		}
	}),

	// Accessions
	defineEndpoint({
		method: 'POST',
		path: '/accessions',
		operationId: 'openAccession',
		summary: 'Beitrittsverfahren eröffnen',
		description: 'Kommunale Ansprechpersonen für ihre Kommune, die Koordinierungsstelle für jede. 409, wenn die Kommune schon Mitglied ist oder ein Verfahren läuft.',
		tag: 'Beitritt',
		access: 'user',
		status: 201,
		body: z.object({ ags: z.string().max(20) }),
		response: accessionSchema,
		async handler({ body, actor }) {
			const a = await apiFields(() => openAccession(db(), actor, { ags: body.ags }));
			return accessionOut(a.id, actor);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/accessions',
		operationId: 'listAccessions',
		summary: 'Beitrittsverfahren (Koordinierungsstelle: alle; Ansprechpersonen: die eigenen)',
		tag: 'Beitritt',
		access: 'user',
		query: z.object({ state: z.enum(ACCESSION_STATES).optional(), open: z.enum(['true', 'false']).optional() }),
		response: listOf(z.object({ id: z.number(), ags: z.string(), member_name: z.string(), state: z.enum(ACCESSION_STATES), updated_at: z.string() })),
		async handler({ query, actor }) {
			const rows = await listAccessions(db(), actor, { state: query.state, open: query.open === 'true' });
			return { items: rows.map((r) => ({ id: r.id, ags: r.memberKey, member_name: r.memberName, state: r.state, updated_at: r.updatedAt.toISOString() })), total: rows.length };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/accessions/{id}',
		operationId: 'getAccession',
		summary: 'Ein Beitrittsverfahren mit Kriterien und dem, was noch fehlt',
		tag: 'Beitritt',
		access: 'user',
		params: idParam,
		response: accessionSchema,
		async handler({ params, actor }) {
			return accessionOut(params.id, actor);
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/accessions/{id}',
		operationId: 'updateAccession',
		summary: 'Kriterien, Ratsbeschluss und Beitrittserklärung erfassen',
		description:
			'Beliebige der drei Teile; sie werden in dieser Reihenfolge in einem Schritt gespeichert. Mit council_decision.oparl_url wird das OParl-Objekt (Paper oder AgendaItem) abgerufen; schlägt das fehl, bleiben die von Hand angegebenen Werte gültig und oparl_error sagt, warum. 409 mit Erklärung, wenn der Schritt im jetzigen Stand nicht möglich ist.',
		tag: 'Beitritt',
		access: 'user',
		params: idParam,
		body: z.object({
			criteria: criteriaBody.optional(),
			council_decision: z
				.object({
					committee: z.string().max(300).nullable().optional(),
					date: dateText.nullable().optional(),
					agenda_item: z.string().max(100).nullable().optional(),
					reference: z.string().max(100).nullable().optional().describe('Drucksachen-Nr.'),
					result: z.enum(COUNCIL_RESULTS).nullable().optional(),
					public: z.boolean().nullable().optional(),
					oparl_url: z.string().max(2000).nullable().optional()
				})
				.optional(),
			accession_declaration: z.object({ date: dateText, signatory_name: z.string().max(200), signatory_office: z.string().max(200) }).optional()
		}),
		response: accessionSchema.extend({ oparl_error: z.string().nullable().describe('Warum das OParl-Objekt nicht übernommen wurde') }),
		async handler({ params, body, actor }) {
			const cd = body.council_decision;
			const ad = body.accession_declaration;
			const r: { oparl: OparlReport | null } = await apiFields(
				() =>
					updateAccession(db(), actor, {
						id: params.id,
						criteria: body.criteria ? (criteriaIn(body.criteria) as never) : undefined,
						councilDecision: cd ? { committee: cd.committee, date: cd.date, agendaItem: cd.agenda_item, reference: cd.reference, result: cd.result, public: cd.public, oparlUrl: cd.oparl_url } : undefined,
						accessionDeclaration: ad ? { date: ad.date, signatoryName: ad.signatory_name, signatoryOffice: ad.signatory_office } : undefined
					})
			);
			return { ...(await accessionOut(params.id, actor)), oparl_error: r.oparl && !r.oparl.ok ? (r.oparl.error ?? null) : null };
		}
	}),
	defineEndpoint({
		method: 'PUT',
		path: '/accessions/{id}/council-document',
		operationId: 'uploadCouncilDocument',
		summary: 'Beschlussvorlage als PDF hochladen (Inhalt: die PDF-Datei)',
		description: 'Content-Type: application/pdf, höchstens 10 MB; der Dateiname kommt aus ?file_name=.',
		tag: 'Beitritt',
		access: 'user',
		params: idParam,
		query: z.object({ file_name: z.string().max(200).optional() }),
		response: accessionSchema,
		async handler({ params, query, actor, event }) {
			const data = await readPdfBody(event.request);
			if (data instanceof Response) return data;
			await apiFields(() => updateAccession(db(), actor, { id: params.id, councilDecision: { document: { fileName: query.file_name ?? 'Beschlussvorlage.pdf', contentType: 'application/pdf', data } } }));
			return accessionOut(params.id, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/accessions/{id}/submit',
		operationId: 'submitAccession',
		summary: 'Antrag bei der Koordinierungsstelle einreichen',
		description: '409 mit der Liste dessen, was fehlt (Ratsbeschluss, Beitrittserklärung).',
		tag: 'Beitritt',
		access: 'user',
		params: idParam,
		response: accessionSchema,
		async handler({ params, actor }) {
			await submitAccession(db(), actor, { id: params.id });
			return accessionOut(params.id, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/accessions/{id}/return',
		operationId: 'returnAccession',
		summary: 'Eingereichten Antrag mit Anmerkung zurückgeben',
		tag: 'Beitritt',
		access: 'coordinator',
		params: idParam,
		body: z.object({ note: z.string().max(4000) }),
		response: accessionSchema,
		async handler({ params, body, actor }) {
			await apiFields(() => returnAccession(db(), actor, { id: params.id, note: body.note }));
			return accessionOut(params.id, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/accessions/{id}/admit',
		operationId: 'admitAccession',
		summary: 'In eine Unterzeichnungsrunde aufnehmen (macht die Kommune zum Mitglied)',
		description: '409 mit allem, was fehlt: eingereichter Antrag, jedes nicht erfüllte Kriterium, die Runde.',
		tag: 'Beitritt',
		access: 'coordinator',
		params: idParam,
		body: z.object({ signing_round: z.number().int().min(1) }),
		response: accessionSchema,
		async handler({ params, body, actor }) {
			await apiFields(() => admitAccession(db(), actor, { id: params.id, signingRound: body.signing_round }));
			return accessionOut(params.id, actor);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/accessions/{id}/withdraw',
		operationId: 'withdrawAccession',
		summary: 'Beitrittsverfahren zurückziehen',
		tag: 'Beitritt',
		access: 'user',
		params: idParam,
		body: z.object({ note: z.string().max(2000).nullable().optional() }),
		response: accessionSchema,
		async handler({ params, body, actor }) {
			await withdrawAccession(db(), actor, { id: params.id, note: body.note });
			return accessionOut(params.id, actor);
		}
	}),

	// Signing rounds, declaration versions, topics
	defineEndpoint({
		method: 'GET',
		path: '/signing-rounds',
		operationId: 'listSigningRounds',
		summary: 'Unterzeichnungsrunden der Gemeinsamen Erklärung',
		tag: 'Gemeinsame Erklärung',
		access: 'public',
		response: listOf(roundSchema),
		async handler() {
			const rows = await listSigningRounds(db());
			return {
				items: rows.map((r) => ({
					number: r.number,
					date: r.date,
					date_approximate: r.dateApproximate,
					place: r.place,
					note: r.note,
					declaration_version_id: r.declarationVersionId,
					declaration_title: r.declarationTitle,
					members: r.members,
					signatories: r.signatories
				})),
				total: rows.length
			};
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/signing-rounds',
		operationId: 'createSigningRound',
		summary: 'Unterzeichnungsrunde anlegen',
		tag: 'Gemeinsame Erklärung',
		access: 'coordinator',
		status: 201,
		body: z.object({
			number: z.number().int().min(1).max(999),
			date: dateText,
			place: z.string().max(200).nullable().optional(),
			date_approximate: z.boolean().optional(),
			declaration_version_id: z.number().int().min(1).optional(),
			note: z.string().max(2000).nullable().optional()
		}),
		response: roundSchema,
		async handler({ body, actor }) {
			const r = await apiFields(() =>
				createSigningRound(db(), actor, { number: body.number, date: body.date, place: body.place, dateApproximate: body.date_approximate, declarationVersionId: body.declaration_version_id, note: body.note })
			);
			const row = (await listSigningRounds(db())).find((x) => x.id === r.id)!;
			return { number: row.number, date: row.date, date_approximate: row.dateApproximate, place: row.place, note: row.note, declaration_version_id: row.declarationVersionId, declaration_title: row.declarationTitle, members: row.members, signatories: row.signatories };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/signing-rounds/{number}',
		operationId: 'getSigningRound',
		summary: 'Eine Unterzeichnungsrunde mit allen Unterzeichnenden',
		tag: 'Gemeinsame Erklärung',
		access: 'public',
		params: roundParam,
		response: z.object({
			number: z.number(),
			date: z.string(),
			date_approximate: z.boolean(),
			place: z.string().nullable(),
			note: z.string().nullable(),
			declaration_title: z.string().nullable(),
			signatories: z.array(z.object({ role: z.enum(SIGNATORY_ROLES), ags: z.string().nullable(), organisation: z.string(), name: z.string().nullable(), office: z.string().nullable() }))
		}),
		async handler({ params }) {
			const r = await getSigningRound(db(), params.number);
			if (!r) throw notFound(`Die ${params.number}. Unterzeichnungsrunde gibt es nicht.`);
			return {
				number: r.number,
				date: r.date,
				date_approximate: r.dateApproximate,
				place: r.place,
				note: r.note,
				declaration_title: r.version?.title ?? null,
				signatories: r.signatories.map((s) => ({ role: s.role as (typeof SIGNATORY_ROLES)[number], ags: s.memberKey, organisation: s.organisation, name: s.name, office: s.office }))
			};
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/signing-rounds/{number}/signatories',
		operationId: 'addRoundSignatory',
		summary: 'Land oder kommunalen Spitzenverband als Unterzeichnende ergänzen',
		description: 'Mitglieder kommen durch die Aufnahme (POST /accessions/{id}/admit) in die Runde.',
		tag: 'Gemeinsame Erklärung',
		access: 'coordinator',
		status: 201,
		params: roundParam,
		body: z.object({ role: z.enum(['state', 'umbrella']), organisation: z.string().max(300), name: z.string().max(200).nullable().optional(), office: z.string().max(300).nullable().optional() }),
		response: z.object({ id: z.number() }),
		async handler({ params, body, actor }) {
			const r = await apiFields(() => addRoundSignatory(db(), actor, { round: params.number, ...body }));
			return { id: r.id };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/signing-rounds/{number}/signatories.pdf',
		operationId: 'getSignatorySheetPdf',
		summary: 'Unterzeichnungsliste einer Runde (PDF)',
		tag: 'Gemeinsame Erklärung',
		access: 'public',
		params: roundParam,
		produces: 'application/pdf',
		async handler({ params }) {
			const pdf = await signatorySheetPdf(db(), params.number);
			if (!pdf) throw notFound(`Die ${params.number}. Unterzeichnungsrunde gibt es nicht.`);
			return pdfResponse(pdf, `Unterzeichnungsliste-Runde-${params.number}.pdf`);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/declaration-versions',
		operationId: 'listDeclarationVersions',
		summary: 'Fassungen der Gemeinsamen Erklärung (Markdown)',
		tag: 'Gemeinsame Erklärung',
		access: 'public',
		response: listOf(z.object({ id: z.number(), title: z.string(), place_line: z.string().nullable(), valid_from: z.string(), body_markdown: z.string() })),
		async handler() {
			const rows = await listDeclarationVersions(db());
			return { items: rows.map((v) => ({ id: v.id, title: v.title, place_line: v.placeLine, valid_from: v.validFrom, body_markdown: v.bodyMarkdown })), total: rows.length };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/declaration-versions',
		operationId: 'createDeclarationVersion',
		summary: 'Neue Fassung der Gemeinsamen Erklärung',
		tag: 'Gemeinsame Erklärung',
		access: 'coordinator',
		status: 201,
		body: z.object({
			title: z.string().max(300),
			place_line: z.string().max(200).nullable().optional(),
			valid_from: dateText,
			body_markdown: z.string().max(50_000),
			state_signatory_name: z.string().max(200).nullable().optional(),
			state_signatory_office: z.string().max(300).nullable().optional()
		}),
		response: z.object({ id: z.number(), title: z.string(), valid_from: z.string() }),
		async handler({ body, actor }) {
			const v = await apiFields(() =>
				createDeclarationVersion(db(), actor, {
					title: body.title,
					placeLine: body.place_line,
					validFrom: body.valid_from,
					bodyMarkdown: body.body_markdown,
					stateSignatoryName: body.state_signatory_name,
					stateSignatoryOffice: body.state_signatory_office
				})
			);
			return { id: v.id, title: v.title, valid_from: v.validFrom };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/topics',
		operationId: 'listTopics',
		summary: 'Themenliste (Schwerpunktthemen der Mitglieder, auch für die Wissensdatenbank)',
		tag: 'Mitglieder',
		access: 'public',
		response: listOf(z.object({ id: z.number(), slug: z.string(), name: z.string(), description: z.string().nullable(), members: z.number() })),
		async handler() {
			const rows = await listTopics(db());
			return { items: rows, total: rows.length };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/topics',
		operationId: 'createTopic',
		summary: 'Thema anlegen',
		tag: 'Mitglieder',
		access: 'coordinator',
		status: 201,
		body: z.object({ name: z.string().max(120), description: z.string().max(1000).nullable().optional() }),
		response: z.object({ id: z.number(), slug: z.string(), name: z.string() }),
		async handler({ body, actor }) {
			const t = await apiFields(() => createTopic(db(), actor, body));
			return { id: t.id, slug: t.slug, name: t.name };
		}
	})
];
