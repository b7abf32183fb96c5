import { redirect } from '@sveltejs/kit';
import { EVENT_KIND_LABELS, REGISTRATION_STATUS_LABELS } from '$lib/events';
import { db } from '$lib/server/db';
import { myRegistrations } from '$lib/server/events';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	if (!locals.user) redirect(303, '/anmelden?ziel=/konto/veranstaltungen');
	const rows = await myRegistrations(db(), locals.user);
	const now = Date.now();
	const view = rows.map(({ registration: r, event: e }) => ({
		id: r.id,
		eventId: e.id,
		title: e.title,
		kind: EVENT_KIND_LABELS[e.kind],
		startsAt: e.startsAt,
		eventCancelled: e.status === 'cancelled',
		status: r.status,
		statusLabel: REGISTRATION_STATUS_LABELS[r.status],
		past: e.endsAt.getTime() < now
	}));
	return { upcoming: view.filter((v) => !v.past).reverse(), past: view.filter((v) => v.past) };
};
