import { fail, redirect } from '@sveltejs/kit';
import { requestPasswordReset, RESET_MINUTES } from '$lib/server/accounts';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({
	sent: url.searchParams.get('gesendet') === '1',
	minutes: RESET_MINUTES
});

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const form = await request.formData();
		const email = text(form, 'email').trim();
		const values = { email };
		if (!email) return fail(400, { values, errors: { email: ['Bitte geben Sie Ihre E-Mail-Adresse an.'] } as FormErrors });
		try {
			await requestPasswordReset(db(), locals.actor, { email });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { values, errors: f.errors });
		}
		// The same answer whether or not the address belongs to an account.
		redirect(303, '/passwort-vergessen?gesendet=1');
	}
};
