import { fail, redirect } from '@sveltejs/kit';
import { login, logout } from '$lib/server/accounts';
import { setSessionCookie } from '$lib/server/accounts/cookies';
import { safeTarget, text, type FormErrors } from '$lib/server/accounts/forms';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => ({
	current: locals.user ? { name: locals.user.name, email: locals.user.email } : null,
	passwordChanged: url.searchParams.get('passwort') === 'neu',
	/** Where the login leads; shown nowhere, but kept in the links. */
	target: safeTarget(url.searchParams.get('ziel'))
});

function minutes(seconds: number): string {
	const m = Math.max(1, Math.ceil(seconds / 60));
	return m === 1 ? '1 Minute' : `${m} Minuten`;
}

export const actions: Actions = {
	default: async ({ request, cookies, url, locals, setHeaders }) => {
		const form = await request.formData();
		const email = text(form, 'email').trim();
		const password = text(form, 'password');
		const values = { email };
		const errors: FormErrors = {};
		if (!email) errors.email = ['Bitte geben Sie Ihre E-Mail-Adresse an.'];
		if (!password) errors.password = ['Bitte geben Sie Ihr Passwort an.'];
		if (Object.keys(errors).length) return fail(400, { values, errors });

		const result = await login({ email, password, ip: locals.actor.ip ?? 'unbekannt', userAgent: request.headers.get('user-agent') });
		if (!result.ok) {
			if (result.reason === 'throttled') {
				setHeaders({ 'retry-after': String(result.retryAfter) });
				return fail(429, {
					values,
					errors: {
						'': [
							`Zu viele fehlgeschlagene Anmeldeversuche. Aus Sicherheitsgründen ist die Anmeldung vorübergehend gesperrt. Bitte warten Sie ${minutes(result.retryAfter)} und versuchen Sie es dann erneut.`
						]
					} as FormErrors
				});
			}
			return fail(400, {
				values,
				errors: { '': ['E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie Ihre Eingaben.'] } as FormErrors
			});
		}
		// A login while logged in (e.g. as another person) ends the earlier session.
		if (locals.sessionId) await logout(locals.actor, locals.sessionId);
		setSessionCookie(cookies, result.sessionToken, result.expiresAt);
		redirect(303, safeTarget(url.searchParams.get('ziel') ?? text(form, 'ziel')));
	}
};
