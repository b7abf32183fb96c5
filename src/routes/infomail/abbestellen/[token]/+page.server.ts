import { fail } from '@sveltejs/kit';
import { formFailure } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { unsubscribe, unsubscribeTokenAddress } from '$lib/server/infomail/subscriptions';
import type { Actions, PageServerLoad } from './$types';

// Opening the link shows a button; only the POST unsubscribes (link scanners change nothing).
export const load: PageServerLoad = async ({ params, setHeaders }) => {
	// No 'no-referrer' here: browsers then send "Origin: null" with the form, which the CSRF check refuses.
	setHeaders({ 'cache-control': 'no-store' });
	const found = await unsubscribeTokenAddress(db(), params.token);
	return { found: found ? { email: found.email, subscribed: found.subscribed } : null };
};

export const actions: Actions = {
	default: async ({ params, locals }) => {
		try {
			const { email } = await unsubscribe(db(), locals.actor, { token: params.token, method: 'web' });
			return { done: email };
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
	}
};
