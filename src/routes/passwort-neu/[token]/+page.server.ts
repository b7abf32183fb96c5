import { error, fail, redirect } from '@sveltejs/kit';
import { checkAccountToken, resetPassword } from '$lib/server/accounts';
import { checkNewPassword, formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { PASSWORD_RULE } from '$lib/server/accounts/passwords';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const check = await checkAccountToken(db(), 'password_reset', params.token);
	// 410 Gone: the link existed or may have existed, it just cannot be used (any more).
	if (!check.ok) error(410, check.message);
	return { email: check.user.email, rule: PASSWORD_RULE };
};

export const actions: Actions = {
	default: async ({ request, params, locals }) => {
		const form = await request.formData();
		const password = text(form, 'password');
		const errors = checkNewPassword(password, text(form, 'password_confirm'));
		if (Object.keys(errors).length) return fail(400, { errors });
		try {
			await resetPassword(db(), locals.actor, { token: params.token, password });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			// The link became unusable meanwhile (used in another tab, expired): a form-level message.
			if (f.errors.token) return fail(410, { errors: { '': f.errors.token } as FormErrors, linkGone: true });
			return fail(f.status, { errors: f.errors });
		}
		redirect(303, '/anmelden?passwort=neu');
	}
};
