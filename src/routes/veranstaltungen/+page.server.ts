import { EVENT_KIND_LABELS, EVENT_KINDS, type EventKind } from '$lib/events';
import { db } from '$lib/server/db';
import { eventYears, listEvents, registrationWindow } from '$lib/server/events';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const kindParam = url.searchParams.get('art') ?? '';
	const kind = (EVENT_KINDS as readonly string[]).includes(kindParam) ? (kindParam as EventKind) : undefined;
	const yearParam = url.searchParams.get('jahr') ?? '';
	const year = /^\d{4}$/.test(yearParam) ? Number(yearParam) : undefined;
	const [upcoming, past, years] = await Promise.all([
		listEvents(db(), { kind, year, when: 'upcoming', limit: 100 }),
		listEvents(db(), { kind, year, when: 'past', limit: 100 }),
		eventYears(db())
	]);
	const view = (e: (typeof upcoming.items)[number]) => ({
		id: e.id,
		kind: EVENT_KIND_LABELS[e.kind],
		title: e.title,
		summary: e.summary,
		startsAt: e.startsAt,
		endsAt: e.endsAt,
		format: e.format,
		venue: e.venue,
		status: e.status,
		capacity: e.capacity,
		confirmed: e.confirmed,
		open: registrationWindow(e).open,
		documented: !!e.documentationPublishedAt
	});
	return {
		upcoming: upcoming.items.map(view),
		past: past.items.map(view),
		filter: { art: kind ?? '', jahr: year ? String(year) : '' },
		kindOptions: EVENT_KINDS.map((k) => ({ value: k, label: EVENT_KIND_LABELS[k] })),
		yearOptions: years.map((y) => ({ value: String(y), label: String(y) }))
	};
};
