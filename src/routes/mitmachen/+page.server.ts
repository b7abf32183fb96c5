import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import {
	CRITERIA,
	CRITERION_LABELS,
	criterionMet,
	EHRENAMTSKARTE_LABELS,
	EHRENAMTSKARTE_OPTIONS,
	getMemberRow,
	listSigningRounds,
	missingText,
	openAccession,
	todayBerlin,
	updateAccession,
	type Criterion
} from '$lib/server/members';
import { criteriaFromForm, formErrorKeys, text } from '$lib/server/members/forms';
import { getArea } from '$lib/server/areas';
import type { Actions, PageServerLoad } from './$types';

/** The self-check: answers from the query (a GET form), what is missing, whether all is met. */
function selfCheck(url: URL) {
	const answers: Record<string, string> = {};
	for (const c of CRITERIA) answers[c] = url.searchParams.get(c) ?? '';
	answers.ehrenamtskarte_instrument = (url.searchParams.get('ehrenamtskarte_instrument') ?? '').slice(0, 300);
	const checked = url.searchParams.has('pruefen');
	const missing: string[] = [];
	if (checked)
		for (const c of CRITERIA) {
			const v = c === 'ehrenamtskarte' ? answers[c] : answers[c] === 'ja' ? 'yes' : answers[c] === 'nein' ? 'no' : '';
			if (!criterionMet(c, v, answers.ehrenamtskarte_instrument)) missing.push(missingText(c as Criterion, v));
		}
	return { answers, checked, missing };
}

export const load: PageServerLoad = async ({ url, locals }) => {
	const user = locals.user;
	let ownArea: { ags: string; name: string; status: string | null } | null = null;
	if (user?.role === 'member_contact' && user.areaAgs) {
		const area = await getArea(db(), user.areaAgs);
		const m = await getMemberRow(db(), user.areaAgs);
		if (area) ownArea = { ags: area.ags, name: area.name, status: m?.status ?? null };
	}
	const today = todayBerlin();
	const next = (await listSigningRounds(db())).find((r) => r.date >= today) ?? null;
	return {
		criteria: CRITERIA.map((c) => ({ key: c, ...CRITERION_LABELS[c] })),
		ehrenamtskarteOptions: EHRENAMTSKARTE_OPTIONS.map((o) => ({ value: o, label: EHRENAMTSKARTE_LABELS[o] })),
		check: selfCheck(url),
		role: user?.role ?? null,
		ownArea,
		nextRound: next ? { number: next.number, date: next.date, place: next.place } : null,
		query: url.search
	};
};

export const actions: Actions = {
	/** Starts the application with the self-check's answers as the first criteria. */
	beginnen: async ({ request, locals, url }) => {
		if (!locals.user) redirect(303, `/anmelden?ziel=${encodeURIComponent('/mitmachen' + url.search)}`);
		const form = await request.formData();
		const ags = locals.user.role === 'member_contact' ? (locals.user.areaAgs ?? '') : text(form, 'ags');
		const { values, criteria } = await criteriaFromForm(form, false);
		let id: number;
		try {
			const a = await openAccession(db(), locals.actor, { ags });
			id = a.id;
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			const errors = formErrorKeys(e.fieldErrors);
			if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
			return fail(e.status, { values: { ...values, ags }, errors });
		}
		// Answers that do not pass (e.g. a comparable instrument without its name) are completed on the application's page.
		let complete = true;
		if (Object.keys(criteria).length)
			await updateAccession(db(), locals.actor, { id, criteria }).catch((e) => {
				if (!(e instanceof DomainError)) throw e;
				complete = false;
			});
		redirect(303, `/beitritt/${id}?neu=1${complete ? '' : '&kriterien=1'}`);
	}
};
