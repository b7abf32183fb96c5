import { fail, redirect } from '@sveltejs/kit';
import { fieldErrorsOf } from '$lib/server/errors';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { listOutbox, MAIL_STATUS_LABELS, MAIL_STATUSES, outboxCounts, outboxFilterSchema, requeueHeldMails, requeueMail, sendTestMail } from '$lib/server/mail';
import { idOf, offsetOf, queryValues, requireCoordinatorPage } from '../admin';
import type { Actions, PageServerLoad } from './$types';

const LIMIT = 50;
const FILTERS = ['q', 'status'] as const;

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireCoordinatorPage(locals, url);
	const values = queryValues(url, FILTERS);
	const parsed = outboxFilterSchema.safeParse(values);
	const offset = offsetOf(url);
	const [list, counts] = await Promise.all([
		parsed.success ? listOutbox(db(), { ...parsed.data, limit: LIMIT, offset }) : Promise.resolve({ items: [], total: 0 }),
		outboxCounts(db())
	]);
	const requeued = idOf(url.searchParams.get('erneut'));
	const testMail = idOf(url.searchParams.get('testmail'));
	return {
		values,
		filterErrors: parsed.success ? null : fieldErrorsOf(parsed.error),
		filtered: Object.keys(values).length > 0,
		items: list.items.map((m) => ({ ...m, statusLabel: MAIL_STATUS_LABELS[m.status] })),
		total: list.total,
		limit: LIMIT,
		offset,
		counts,
		statusOptions: MAIL_STATUSES.map((s) => ({ value: s, label: MAIL_STATUS_LABELS[s] })),
		smtpConfigured: Boolean(config().smtpUrl),
		mailFrom: config().mailFrom,
		ownEmail: user.email,
		requeued,
		testMail,
		heldRequeued: /^\d{1,9}$/.test(url.searchParams.get('zurueckgehalten') ?? '') ? Number(url.searchParams.get('zurueckgehalten')) : null
	};
};

/** The list's filters and page, without the action and the notices, for the way back. */
function listQuery(url: URL): URLSearchParams {
	const q = new URLSearchParams();
	for (const k of [...FILTERS, 'offset']) {
		const v = url.searchParams.get(k);
		if (v) q.set(k, v);
	}
	return q;
}

export const actions: Actions = {
	erneut: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const id = idOf(text(form, 'id'));
		if (!id) return fail(404, { action: 'erneut' as const, errors: { '': ['Diese Mail gibt es nicht im Postausgang.'] } as FormErrors });
		try {
			await requeueMail(db(), locals.actor, { id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'erneut' as const, errors: f.errors });
		}
		const q = listQuery(url);
		q.set('erneut', String(id));
		redirect(303, `/verwaltung/postausgang?${q}`);
	},
	alleZurueckgehaltenen: async ({ locals, url }) => {
		requireCoordinatorPage(locals, url);
		const { requeued } = await requeueHeldMails(db(), locals.actor);
		redirect(303, `/verwaltung/postausgang?zurueckgehalten=${requeued}`);
	},
	testmail: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const email = text(form, 'email');
		let id: number;
		try {
			id = await sendTestMail(db(), locals.actor, { to: email });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			// The command's field is `to`, the form's `email`.
			const errors: FormErrors = Object.fromEntries(Object.entries(f.errors).map(([k, v]) => [k === 'to' ? 'email' : k, v]));
			return fail(f.status, { action: 'testmail' as const, values: { email }, errors });
		}
		redirect(303, `/verwaltung/postausgang?testmail=${id}#testmail`);
	}
};
