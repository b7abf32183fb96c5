/**
 * The /verwaltung layout guards the pages, but form actions run without layout loads, so the
 * user administration checks the role itself as well.
 */
import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from '$lib/server/accounts';

/** Not logged in: to the login with a way back; logged in without the role: 403. */
export function requireCoordinator(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		// An action's `?/name` is no page to come back to.
		const back = new URL(url);
		for (const key of [...back.searchParams.keys()]) if (key.startsWith('/')) back.searchParams.delete(key);
		redirect(303, `/anmelden?ziel=${encodeURIComponent(back.pathname + back.search)}`);
	}
	if (locals.user.role !== 'coordinator') error(403, 'Die Benutzerverwaltung ist der Koordinierungsstelle vorbehalten.');
	return locals.user;
}

/** A positive database id from a form field or path, or null. */
export function idOf(value: string | null | undefined): number | null {
	return value && /^[1-9]\d{0,9}$/.test(value) && Number(value) < 2 ** 31 ? Number(value) : null;
}
