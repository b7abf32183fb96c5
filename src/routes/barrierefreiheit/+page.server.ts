import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { formFailure, text } from '$lib/server/accounts/forms';
import { submitAccessibilityFeedback } from '$lib/server/site';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ url }) => ({
	sent: url.searchParams.get('gesendet') === '1',
	/** Pages may link here with `?seite=/pfad` so that the form names the page concerned. */
	page: (url.searchParams.get('seite') ?? '').slice(0, 1000)
});

export const actions: Actions = {
	default: async ({ request, locals }) => {
		const form = await request.formData();
		const values = { name: text(form, 'name'), email: text(form, 'email'), page_url: text(form, 'page_url'), message: text(form, 'message') };
		try {
			await submitAccessibilityFeedback(db(), locals.actor, { name: values.name, email: values.email, pageUrl: values.page_url, message: values.message });
		} catch (e) {
			const failure = formFailure(e);
			if (!failure) throw e;
			return fail(failure.status, { values, errors: failure.errors });
		}
		redirect(303, '/barrierefreiheit?gesendet=1#rueckmeldung');
	}
};
