import { fail, redirect } from '@sveltejs/kit';
import { formFailure } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { createInfomail, createInfomailFromLast, INFOMAIL_STATUS_LABELS, listInfomails } from '$lib/server/infomail';
import { listBouncedAddresses } from '$lib/server/infomail/bounces';
import { subscriberCounts } from '$lib/server/infomail/subscriptions';
import { offsetOf, requireCoordinatorPage } from '../admin';
import type { Actions, PageServerLoad } from './$types';

const LIMIT = 30;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const offset = offsetOf(url);
	const [list, subscribers, bounces] = await Promise.all([listInfomails(db(), { limit: LIMIT, offset }), subscriberCounts(db()), listBouncedAddresses(db(), { limit: 1 })]);
	return {
		items: list.items.map((i) => ({ ...i, statusLabel: INFOMAIL_STATUS_LABELS[i.status] })),
		total: list.total,
		limit: LIMIT,
		offset,
		url: url.toString(),
		subscribers,
		bouncedAddresses: bounces.total
	};
};

export const actions: Actions = {
	neu: async ({ locals, url }) => {
		requireCoordinatorPage(locals, url);
		const id = await createInfomail(db(), locals.actor, { subject: 'Infomail', intro: '', sections: [] });
		redirect(303, `/verwaltung/infomail/${id}`);
	},
	vorlage: async ({ locals, url }) => {
		requireCoordinatorPage(locals, url);
		let id: number;
		try {
			id = await createInfomailFromLast(db(), locals.actor);
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
		redirect(303, `/verwaltung/infomail/${id}?kopie=1`);
	}
};
