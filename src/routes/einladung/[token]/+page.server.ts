import { error, fail, redirect } from '@sveltejs/kit';
import { acceptInvitation, checkAccountToken, logout, ROLE_LABELS } from '$lib/server/accounts';
import { setSessionCookie } from '$lib/server/accounts/cookies';
import { checkNewPassword, formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { PASSWORD_RULE } from '$lib/server/accounts/passwords';
import { getArea } from '$lib/server/areas';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const check = await checkAccountToken(db(), 'invitation', params.token);
	if (!check.ok) error(410, check.message);
	const area = check.user.areaAgs ? await getArea(db(), check.user.areaAgs) : undefined;
	return {
		invitee: { name: check.user.name, email: check.user.email, role: ROLE_LABELS[check.user.role], area: area?.name ?? null },
		expiresAt: check.expiresAt,
		rule: PASSWORD_RULE
	};
};

export const actions: Actions = {
	default: async ({ request, params, locals, cookies }) => {
		const form = await request.formData();
		const password = text(form, 'password');
		const errors = checkNewPassword(password, text(form, 'password_confirm'));
		if (Object.keys(errors).length) return fail(400, { errors });
		let result;
		try {
			result = await acceptInvitation(db(), locals.actor, { token: params.token, password, userAgent: request.headers.get('user-agent') });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			if (f.errors.token) return fail(410, { errors: { '': f.errors.token } as FormErrors });
			return fail(f.status, { errors: f.errors });
		}
		// Whoever was logged in in this browser before is not the invited person.
		if (locals.sessionId) await logout(locals.actor, locals.sessionId);
		setSessionCookie(cookies, result.sessionToken, result.expiresAt);
		redirect(303, '/konto?willkommen=1');
	}
};
