import { redirect } from '@sveltejs/kit';
import { logout } from '$lib/server/accounts';
import { clearSessionCookie } from '$lib/server/accounts/cookies';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => ({
	current: locals.user ? { name: locals.user.name } : null
});

export const actions: Actions = {
	default: async ({ locals, cookies }) => {
		if (locals.sessionId) await logout(locals.actor, locals.sessionId);
		clearSessionCookie(cookies);
		redirect(303, '/?abgemeldet=1');
	}
};
