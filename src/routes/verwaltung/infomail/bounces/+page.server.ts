import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { clearBounces, listBouncedAddresses } from '$lib/server/infomail/bounces';
import { SOFT_BOUNCE_DAYS, SOFT_BOUNCE_LIMIT } from '$lib/server/infomail/audiences';
import { offsetOf, requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

const LIMIT = 100;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const offset = offsetOf(url);
	const list = await listBouncedAddresses(db(), { limit: LIMIT, offset });
	return { ...list, limit: LIMIT, offset, url: url.toString(), softLimit: SOFT_BOUNCE_LIMIT, softDays: SOFT_BOUNCE_DAYS, cleared: url.searchParams.get('freigegeben') };
};

export const actions: Actions = {
	freigeben: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const email = text(await request.formData(), 'email');
		try {
			await clearBounces(db(), locals.actor, { email });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { errors: f.errors });
		}
		redirect(303, `/verwaltung/infomail/bounces?freigegeben=${encodeURIComponent(email)}`);
	}
};
