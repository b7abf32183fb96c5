import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { createTopic, deleteTopic, listTopics, updateTopic } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { idOf, requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const topics = await listTopics(db());
	const find = (param: string) => {
		const id = idOf(url.searchParams.get(param));
		return id ? (topics.find((t) => t.id === id) ?? null) : null;
	};
	return {
		topics,
		renaming: find('umbenennen'),
		deleting: find('loeschen'),
		notice: (['angelegt', 'umbenannt', 'geloescht'] as const).find((k) => url.searchParams.has(k)) ?? null,
		noticeName: url.searchParams.get('angelegt') ?? url.searchParams.get('umbenannt') ?? url.searchParams.get('geloescht') ?? ''
	};
};

function failure(e: unknown, formName: string, values: Record<string, string>) {
	if (!(e instanceof DomainError)) throw e;
	const errors = formErrorKeys(e.fieldErrors);
	// The field's message says it already; a second line in the summary would repeat it.
	if (!Object.keys(errors).length) errors[''] = [e.message];
	return fail(e.status, { form: formName, values, errors });
}

export const actions: Actions = {
	anlegen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values: Record<string, string> = { name: text(form, 'name'), description: text(form, 'description') };
		let name: string;
		try {
			name = (await createTopic(db(), locals.actor, { name: values.name, description: values.description || null })).name;
		} catch (e) {
			return failure(e, 'anlegen', values);
		}
		redirect(303, `/verwaltung/mitglieder/themen?angelegt=${encodeURIComponent(name)}`);
	},
	umbenennen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values: Record<string, string> = { id: text(form, 'id'), name: text(form, 'name'), description: text(form, 'description') };
		const id = idOf(values.id);
		if (!id) return fail(400, { form: 'umbenennen', values, errors: { '': ['Dieses Thema gibt es nicht.'] } as Record<string, string[]> });
		let name: string;
		try {
			name = (await updateTopic(db(), locals.actor, { id, name: values.name, description: values.description || null })).name;
		} catch (e) {
			return failure(e, 'umbenennen', values);
		}
		redirect(303, `/verwaltung/mitglieder/themen?umbenannt=${encodeURIComponent(name)}`);
	},
	loeschen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values: Record<string, string> = { id: text(form, 'id') };
		const id = idOf(values.id);
		if (!id) return fail(400, { form: 'loeschen', values, errors: { '': ['Dieses Thema gibt es nicht.'] } as Record<string, string[]> });
		let name: string;
		try {
			name = (await deleteTopic(db(), locals.actor, { id })).name;
		} catch (e) {
			return failure(e, 'loeschen', values);
		}
		redirect(303, `/verwaltung/mitglieder/themen?geloescht=${encodeURIComponent(name)}`);
	}
};
