import { fail, redirect } from '@sveltejs/kit';
import { EVENT_KIND_LABELS } from '$lib/events';
import { formFailure } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { createEvent, listEvents } from '$lib/server/events';
import { requireCoordinatorPage } from '../admin';
import type { Actions, PageServerLoad } from './$types';
import { EMPTY, eventInput, formErrors, options, readEventForm } from './form';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const [upcoming, past] = await Promise.all([listEvents(db(), { when: 'upcoming', limit: 200 }), listEvents(db(), { when: 'past', limit: 200 })]);
	const view = (e: (typeof upcoming.items)[number]) => ({
		id: e.id,
		title: e.title,
		kind: EVENT_KIND_LABELS[e.kind],
		startsAt: e.startsAt,
		status: e.status,
		capacity: e.capacity,
		confirmed: e.confirmed,
		waitlisted: e.waitlisted
	});
	return { upcoming: upcoming.items.map(view), past: past.items.map(view), options, empty: EMPTY };
};

export const actions: Actions = {
	anlegen: async ({ locals, url, request }) => {
		requireCoordinatorPage(locals, url);
		const values = readEventForm(await request.formData());
		const { errors, input } = eventInput(values);
		if (Object.keys(errors).length) return fail(400, { values, errors });
		let id: number;
		try {
			id = (await createEvent(db(), locals.actor, input as Parameters<typeof createEvent>[2])).id;
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { values, errors: formErrors(f.errors) });
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?angelegt=1`);
	}
};
