import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { addRoundSignatory, createSigningRound, listDeclarationVersions, listSigningRounds } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const [rounds, versions] = await Promise.all([listSigningRounds(db()), listDeclarationVersions(db())]);
	return {
		rounds: rounds.map((r) => ({ ...r })),
		versions: versions.map((v) => ({ value: String(v.id), label: `${v.title} (gültig ab ${v.validFrom.split('-').reverse().join('.')})` })),
		nextNumber: (rounds.at(-1)?.number ?? 0) + 1,
		notice: url.searchParams.get('angelegt')
	};
};

function failure(e: unknown, formName: string, values: Record<string, string>) {
	if (!(e instanceof DomainError)) throw e;
	const errors = formErrorKeys(e.fieldErrors, { dateApproximate: 'date_approximate', declarationVersionId: 'declaration_version_id' });
	if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
	return fail(e.status, { form: formName, values, errors });
}

export const actions: Actions = {
	anlegen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values = { number: text(form, 'number'), date: text(form, 'date'), place: text(form, 'place'), declaration_version_id: text(form, 'declaration_version_id'), date_approximate: text(form, 'date_approximate'), note: text(form, 'note') };
		const number = /^\d{1,3}$/.test(values.number) ? Number(values.number) : NaN;
		if (!Number.isInteger(number) || number < 1) return fail(400, { form: 'anlegen', values, errors: { number: ['Bitte geben Sie die Nummer der Runde als ganze Zahl an, z. B. 6.'] } as Record<string, string[]> });
		try {
			await createSigningRound(db(), locals.actor, {
				number,
				date: values.date,
				place: values.place || null,
				dateApproximate: values.date_approximate === 'on',
				declarationVersionId: values.declaration_version_id ? Number(values.declaration_version_id) : undefined,
				note: values.note || null
			});
		} catch (e) {
			return failure(e, 'anlegen', values);
		}
		redirect(303, `/verwaltung/mitglieder/runden?angelegt=${number}`);
	},
	unterzeichner: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values = { round: text(form, 'round'), role: text(form, 'role'), organisation: text(form, 'organisation'), name: text(form, 'name'), office: text(form, 'office') };
		try {
			await addRoundSignatory(db(), locals.actor, { round: Number(values.round) || 0, role: values.role as 'state', organisation: values.organisation, name: values.name || null, office: values.office || null });
		} catch (e) {
			return failure(e, `unterzeichner-${values.round}`, values);
		}
		redirect(303, `/verwaltung/mitglieder/runden#runde-${values.round}`);
	}
};
