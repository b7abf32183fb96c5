/** Pages of the accession: only logged-in people; coordinators and member contacts act. */
import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from '$lib/server/accounts';

export function requireApplicantOrCoordinator(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		const back = new URL(url);
		for (const key of [...back.searchParams.keys()]) if (key.startsWith('/')) back.searchParams.delete(key);
		redirect(303, `/anmelden?ziel=${encodeURIComponent(back.pathname + back.search)}`);
	}
	if (locals.user.role !== 'coordinator' && locals.user.role !== 'member_contact') error(403, 'Beitrittsverfahren führen kommunale Ansprechpersonen und die Koordinierungsstelle.');
	return locals.user;
}
