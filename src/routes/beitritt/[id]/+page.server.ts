import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import {
	admitAccession,
	COUNCIL_RESULT_LABELS,
	COUNCIL_RESULTS,
	CRITERIA,
	CRITERION_LABELS,
	EHRENAMTSKARTE_LABELS,
	EHRENAMTSKARTE_OPTIONS,
	getAccession,
	listSigningRounds,
	returnAccession,
	submitAccession,
	todayBerlin,
	updateAccession,
	withdrawAccession
} from '$lib/server/members';
import { criteriaFromForm, fileOf, formErrorKeys, text, type FormValues } from '$lib/server/members/forms';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { requireApplicantOrCoordinator } from '../guard';

function idOf(raw: string): number {
	if (!/^[1-9]\d{0,8}$/.test(raw)) error(404, 'Dieses Beitrittsverfahren gibt es nicht.');
	return Number(raw);
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const user = requireApplicantOrCoordinator(locals, url);
	const a = await getAccession(db(), locals.actor, idOf(params.id));
	if (!a) error(404, 'Dieses Beitrittsverfahren gibt es nicht oder es gehört nicht zu Ihrer Kommune.');
	const today = todayBerlin();
	// Upcoming rounds first (the usual case), then past ones for late entries, newest first.
	const all = await listSigningRounds(db());
	const rounds = [...all.filter((r) => r.date >= today), ...all.filter((r) => r.date < today).reverse()];
	return {
		isCoordinator: user.role === 'coordinator',
		a: {
			id: a.id,
			state: a.state,
			stateLabel: a.stateLabel,
			memberKey: a.memberKey,
			memberName: a.member.name,
			openedBy: a.openedBy,
			createdAt: a.createdAt.toISOString(),
			council: {
				committee: a.councilCommittee,
				date: a.councilDate,
				agendaItem: a.councilAgendaItem,
				reference: a.councilReference,
				result: a.councilResult,
				resultLabel: a.councilResult ? COUNCIL_RESULT_LABELS[a.councilResult as keyof typeof COUNCIL_RESULT_LABELS] : null,
				public: a.councilPublic,
				oparlUrl: a.oparlUrl,
				oparl: a.oparlData as { type: string; reference: string | null; date: string | null; result: string | null; files: { name: string; url: string }[] } | null,
				file: a.councilFile
			},
			declaration: { date: a.declarationDate, name: a.declarationSignatoryName, office: a.declarationSignatoryOffice },
			criteria: a.criteria.map((c) => ({ ...c, confirmedAt: c.confirmedAt?.toISOString() ?? null })),
			missingForSubmit: a.missingForSubmit,
			missingForAdmission: a.missingForAdmission,
			submittedAt: a.submittedAt?.toISOString() ?? null,
			reviewNote: a.reviewNote,
			signingRound: a.signingRoundNumber,
			withdrawnAt: a.withdrawnAt?.toISOString() ?? null
		},
		criteriaLabels: CRITERIA.map((c) => ({ key: c, ...CRITERION_LABELS[c] })),
		ehrenamtskarteOptions: EHRENAMTSKARTE_OPTIONS.map((o) => ({ value: o, label: EHRENAMTSKARTE_LABELS[o] })),
		resultOptions: COUNCIL_RESULTS.map((r) => ({ value: r, label: COUNCIL_RESULT_LABELS[r] })),
		rounds: rounds.map((r) => ({ value: String(r.number), label: `${r.number}. Runde am ${r.date.split('-').reverse().join('.')}${r.place ? ` in ${r.place}` : ''}${r.date < today ? ' (bereits vorbei)' : ''}` })),
		notice: url.searchParams.get('erledigt') ?? (url.searchParams.has('neu') ? 'eroeffnet' : null),
		criteriaIncomplete: url.searchParams.has('kriterien')
	};
};

type FormName = 'kriterien' | 'rat' | 'erklaerung' | 'einreichen' | 'pruefung' | 'zurueckziehen';

/** Runs a step; expected failures come back to the same form with what was typed and why. */
async function run(event: RequestEvent, form: FormName, values: FormValues, done: string, step: () => Promise<unknown>) {
	requireApplicantOrCoordinator(event.locals, event.url);
	try {
		await step();
	} catch (e) {
		if (!(e instanceof DomainError)) throw e;
		const errors = formErrorKeys(e.fieldErrors);
		if (e.kind !== 'validation' || !Object.keys(errors).length) errors[''] = [e.message, ...(errors[''] ?? [])];
		return fail(e.status, { form, values, errors });
	}
	redirect(303, `/beitritt/${event.params.id}?erledigt=${done}#stand`);
}

export const actions: Actions = {
	kriterien: async (event) => {
		const form = await event.request.formData();
		const { values, criteria } = await criteriaFromForm(form, true);
		return run(event, 'kriterien', values, 'kriterien', () => updateAccession(db(), event.locals.actor, { id: idOf(event.params.id), criteria }));
	},
	rat: async (event) => {
		const form = await event.request.formData();
		const values: FormValues = {};
		for (const k of ['committee', 'date', 'agenda_item', 'reference', 'result', 'public', 'oparl_url']) values[k] = text(form, k);
		const document = await fileOf(form, 'document');
		let oparlError: string | null = null;
		const res = await run(event, 'rat', values, 'rat', async () => {
			const r = await updateAccession(db(), event.locals.actor, {
				id: idOf(event.params.id),
				councilDecision: {
					committee: values.committee || null,
					date: values.date || null,
					agendaItem: values.agenda_item || null,
					reference: values.reference || null,
					result: (values.result || null) as never,
					public: values.public === 'ja' ? true : values.public === 'nein' ? false : null,
					oparlUrl: values.oparl_url || null,
					document
				}
			});
			if (r.oparl && !r.oparl.ok) oparlError = r.oparl.error ?? 'unbekannter Fehler';
		}).catch((e) => {
			// The redirect of a successful step; with an OParl warning the page shows it instead.
			if (oparlError && (e as { status?: number }).status === 303) return { form: 'rat' as const, values, warning: oparlError, errors: {} as Record<string, string[]> };
			throw e;
		});
		return res;
	},
	erklaerung: async (event) => {
		const form = await event.request.formData();
		const values: FormValues = { declaration_date: text(form, 'declaration_date'), signatory_name: text(form, 'signatory_name'), signatory_office: text(form, 'signatory_office') };
		const r = await run(event, 'erklaerung', values, 'erklaerung', () =>
			updateAccession(db(), event.locals.actor, {
				id: idOf(event.params.id),
				accessionDeclaration: { date: values.declaration_date, signatoryName: values.signatory_name, signatoryOffice: values.signatory_office }
			})
		);
		if (r && 'data' in r && r.data.errors.date) r.data.errors.declaration_date = r.data.errors.date;
		return r;
	},
	einreichen: async (event) => run(event, 'einreichen', {}, 'eingereicht', () => submitAccession(db(), event.locals.actor, { id: idOf(event.params.id) })),
	zurueckgeben: async (event) => {
		const form = await event.request.formData();
		const values = { note: text(form, 'note') };
		return run(event, 'pruefung', values, 'zurueckgegeben', () => returnAccession(db(), event.locals.actor, { id: idOf(event.params.id), note: values.note }));
	},
	aufnehmen: async (event) => {
		const form = await event.request.formData();
		const values = { signing_round: text(form, 'signing_round') };
		const n = Number(values.signing_round);
		if (!Number.isInteger(n) || n < 1) return fail(400, { form: 'pruefung' as const, values, errors: { signing_round: ['Bitte wählen Sie eine Unterzeichnungsrunde.'] } });
		return run(event, 'pruefung', values, 'aufgenommen', () => admitAccession(db(), event.locals.actor, { id: idOf(event.params.id), signingRound: n }));
	},
	zurueckziehen: async (event) => {
		const form = await event.request.formData();
		const values = { withdraw_note: text(form, 'withdraw_note') };
		return run(event, 'zurueckziehen', values, 'zurueckgezogen', () => withdrawAccession(db(), event.locals.actor, { id: idOf(event.params.id), note: values.withdraw_note || null }));
	}
};
