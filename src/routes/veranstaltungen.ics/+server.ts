import { db } from '$lib/server/db';
import { icsCalendar, listEvents } from '$lib/server/events';
import type { RequestHandler } from './$types';

/** All events of the last year and the future as a subscribable calendar. */
export const GET: RequestHandler = async () => {
	const since = new Date(Date.now() - 365 * 86_400_000);
	const { items } = await listEvents(db(), { limit: 1000 });
	const body = icsCalendar(items.filter((e) => e.endsAt >= since));
	return new Response(body, {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': 'inline; filename="kommunennetz-veranstaltungen.ics"',
			'cache-control': 'public, max-age=900'
		}
	});
};
