import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { createDeclarationVersion, declarationVersionAt, listDeclarationVersions, todayBerlin } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { declarationHtml } from '$lib/server/members/markdown';
import { idOf, requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const [versions, current] = await Promise.all([listDeclarationVersions(db()), declarationVersionAt(db(), todayBerlin())]);
	const shownId = idOf(url.searchParams.get('fassung'));
	const shown = shownId ? versions.find((v) => v.id === shownId) : undefined;
	return {
		versions: versions.map((v) => ({ id: v.id, title: v.title, validFrom: v.validFrom, placeLine: v.placeLine, current: v.id === current?.id, future: v.validFrom > todayBerlin() })),
		shown: shown
			? { id: shown.id, title: shown.title, validFrom: shown.validFrom, placeLine: shown.placeLine, stateSignatoryName: shown.stateSignatoryName, stateSignatoryOffice: shown.stateSignatoryOffice, html: declarationHtml(shown.bodyMarkdown) }
			: null,
		notFound: !!url.searchParams.get('fassung') && !shown,
		notice: idOf(url.searchParams.get('angelegt')) ?? null
	};
};

export const actions: Actions = {
	anlegen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values = {
			title: text(form, 'title'),
			valid_from: text(form, 'valid_from'),
			place_line: text(form, 'place_line'),
			body_markdown: text(form, 'body_markdown'),
			state_signatory_name: text(form, 'state_signatory_name'),
			state_signatory_office: text(form, 'state_signatory_office')
		};
		let id: number;
		try {
			id = (
				await createDeclarationVersion(db(), locals.actor, {
					title: values.title,
					validFrom: values.valid_from,
					placeLine: values.place_line || null,
					bodyMarkdown: values.body_markdown,
					stateSignatoryName: values.state_signatory_name || null,
					stateSignatoryOffice: values.state_signatory_office || null
				})
			).id;
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			const errors = formErrorKeys(e.fieldErrors);
			if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
			return fail(e.status, { values, errors });
		}
		redirect(303, `/verwaltung/mitglieder/erklaerung?angelegt=${id}&fassung=${id}#fassung-titel`);
	}
};
