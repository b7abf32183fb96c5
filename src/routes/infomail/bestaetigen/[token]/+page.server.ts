import { fail } from '@sveltejs/kit';
import { formFailure } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { confirmSubscription, confirmTokenState } from '$lib/server/infomail/subscriptions';
import type { Actions, PageServerLoad } from './$types';

// Opening the link only shows the state: mail scanners that follow links confirm nothing.
export const load: PageServerLoad = async ({ params, setHeaders }) => {
	// No 'no-referrer' here: browsers then send "Origin: null" with the form, which the CSRF check refuses.
	setHeaders({ 'cache-control': 'no-store' });
	return { link: await confirmTokenState(db(), params.token) };
};

export const actions: Actions = {
	default: async ({ params, locals }) => {
		try {
			const { email } = await confirmSubscription(db(), locals.actor, { token: params.token });
			return { confirmed: email };
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
	}
};
