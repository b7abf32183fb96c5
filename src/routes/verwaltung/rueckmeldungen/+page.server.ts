import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { listAccessibilityFeedback, setAccessibilityFeedbackDone } from '$lib/server/site';
import { idOf, offsetOf, requireCoordinatorPage } from '../admin';
import type { Actions, PageServerLoad } from './$types';

const LIMIT = 50;
const STATUS = { offen: 'open', erledigt: 'done' } as const;

function statusOf(url: URL): keyof typeof STATUS | 'alle' {
	const s = url.searchParams.get('status');
	return s === 'erledigt' || s === 'alle' ? s : 'offen';
}

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const status = statusOf(url);
	const offset = offsetOf(url);
	const { items, total } = await listAccessibilityFeedback(db(), { status: status === 'alle' ? undefined : STATUS[status], limit: LIMIT, offset });
	return { status, items, total, limit: LIMIT, offset, changed: idOf(url.searchParams.get('geaendert')) ?? null };
};

export const actions: Actions = {
	erledigt: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const id = idOf(text(form, 'id'));
		if (!id) return fail(404, { errors: { '': ['Diese Rückmeldung gibt es nicht.'] } });
		try {
			await setAccessibilityFeedbackDone(db(), locals.actor, { id, done: text(form, 'done') !== 'false' });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
		redirect(303, `/verwaltung/rueckmeldungen?status=${statusOf(url)}&geaendert=${id}`);
	}
};
