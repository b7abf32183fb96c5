import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { getEvent, icsCalendar } from '$lib/server/events';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params }) => {
	const id = /^[1-9]\d{0,9}$/.test(params.id) ? Number(params.id) : 0;
	const e = id ? await getEvent(db(), id) : undefined;
	if (!e) error(404, 'Diese Veranstaltung gibt es nicht.');
	return new Response(icsCalendar([e], e.title), {
		headers: {
			'content-type': 'text/calendar; charset=utf-8',
			'content-disposition': `attachment; filename="veranstaltung-${e.id}.ics"`,
			'cache-control': 'no-cache'
		}
	});
};
