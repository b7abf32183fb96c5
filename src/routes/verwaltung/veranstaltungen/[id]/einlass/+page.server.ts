import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { checkIn, listRegistrations } from '$lib/server/events';
import { idOf, requireCoordinatorPage } from '../../../admin';
import { eventIdOf, loadEvent } from '../shared';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const e = await loadEvent(params.id);
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const { items } = await listRegistrations(db(), e.id, { status: 'confirmed', q: q || undefined });
	const all = q ? (await listRegistrations(db(), e.id, { status: 'confirmed' })).items : items;
	const people = items
		.map((r) => ({ id: r.id, name: r.name, organisation: r.organisation ?? r.areaName, checkedIn: !!r.checkedInAt, needs: r.accessibilityNeeds }))
		.sort((a, b) => a.name.localeCompare(b.name, 'de'));
	const last = idOf(url.searchParams.get('da'));
	const undone = idOf(url.searchParams.get('zurueck'));
	const lastName = last ? all.find((r) => r.id === last)?.name : undone ? all.find((r) => r.id === undone)?.name : undefined;
	return {
		event: { id: e.id, title: e.title },
		q,
		people,
		present: all.filter((r) => r.checkedInAt).length,
		total: all.length,
		notice: lastName ? (last ? `${lastName} ist als anwesend vermerkt.` : `Anwesenheit von ${lastName} zurückgenommen.`) : null
	};
};

export const actions: Actions = {
	default: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const registrationId = idOf(text(form, 'registration_id'));
		const present = text(form, 'present') !== 'nein';
		const q = text(form, 'q').trim().slice(0, 100);
		if (!registrationId) return fail(400, { errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await checkIn(db(), locals.actor, { registrationId, present });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
		const params2 = new URLSearchParams(present ? { da: String(registrationId) } : { zurueck: String(registrationId) });
		if (q && !present) params2.set('q', q);
		redirect(303, `/verwaltung/veranstaltungen/${id}/einlass?${params2}#suche`);
	}
};
