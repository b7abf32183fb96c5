import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { CONFIRM_DAYS, CONSENT_TEXTS, CURRENT_CONSENT_VERSION, subscribe } from '$lib/server/infomail/subscriptions';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({
	requested: url.searchParams.get('angefragt') === '1',
	consentText: CONSENT_TEXTS[CURRENT_CONSENT_VERSION],
	consentVersion: CURRENT_CONSENT_VERSION,
	days: CONFIRM_DAYS
});

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const form = await request.formData();
		const values = { email: text(form, 'email').trim(), name: text(form, 'name').trim(), consent: text(form, 'consent') === 'ja' };
		const errors: FormErrors = {};
		if (!values.email) errors.email = ['Bitte geben Sie Ihre E-Mail-Adresse an.'];
		if (!values.consent) errors.consent = ['Bitte bestätigen Sie, dass Sie die Infomail erhalten möchten.'];
		if (Object.keys(errors).length) return fail(400, { values, errors });
		try {
			await subscribe(db(), locals.actor, {
				email: values.email,
				name: values.name,
				source: 'Formular /infomail',
				consentVersion: text(form, 'consent_version') || CURRENT_CONSENT_VERSION,
				userAgent: request.headers.get('user-agent')
			});
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			const mapped: FormErrors = Object.fromEntries(Object.entries(f.errors).map(([k, v]) => [k === 'consent_version' ? 'consent' : k, v]));
			return fail(f.status, { values, errors: mapped });
		}
		// The same answer whether or not the address was known.
		redirect(303, '/infomail?angefragt=1');
	}
};
