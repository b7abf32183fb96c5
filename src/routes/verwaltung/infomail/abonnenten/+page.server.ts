import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { deleteSubscriberData, listSubscribers, subscriberCounts } from '$lib/server/infomail/subscriptions';
import { offsetOf, queryValues, requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

const LIMIT = 50;
const STATUS_LABELS = { pending: 'unbestätigt', confirmed: 'bestätigt', unsubscribed: 'abbestellt' } as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const values = queryValues(url, ['q', 'status'] as const);
	const status = values.status && values.status in STATUS_LABELS ? (values.status as keyof typeof STATUS_LABELS) : undefined;
	const offset = offsetOf(url);
	const [list, counts] = await Promise.all([listSubscribers(db(), { q: values.q?.slice(0, 200), status, limit: LIMIT, offset }), subscriberCounts(db())]);
	return {
		values,
		items: list.items.map((s) => ({ id: s.id, email: s.email, name: s.name, status: s.status, statusLabel: STATUS_LABELS[s.status], createdAt: s.createdAt, confirmedAt: s.confirmedAt, unsubscribedAt: s.unsubscribedAt })),
		total: list.total,
		counts,
		limit: LIMIT,
		offset,
		url: url.toString(),
		statusOptions: Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label })),
		deleted: url.searchParams.get('geloescht') === '1'
	};
};

export const actions: Actions = {
	loeschen: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const email = text(form, 'email').trim();
		if (text(form, 'confirm') !== 'ja') return fail(400, { values: { email }, errors: { confirm: ['Bitte bestätigen Sie das Löschen.'] } as FormErrors });
		try {
			await deleteSubscriberData(db(), locals.actor, { email });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { values: { email }, errors: f.errors });
		}
		redirect(303, '/verwaltung/infomail/abonnenten?geloescht=1');
	}
};
