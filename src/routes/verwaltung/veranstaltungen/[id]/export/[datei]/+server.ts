import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { listRegistrations } from '$lib/server/events';
import { badgesPdf, certificatesPdf, participantListPdf, registrationsCsv, registrationsXlsx } from '$lib/server/events/exports';
import { requireCoordinatorPage } from '../../../../admin';
import { loadEvent } from '../../shared';
import type { RequestHandler } from './$types';

const FILES = {
	'teilnehmende.csv': { type: 'text/csv; charset=utf-8', inline: false },
	'teilnehmende.xlsx': { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', inline: false },
	'teilnehmendenliste.pdf': { type: 'application/pdf', inline: true },
	'namensschilder.pdf': { type: 'application/pdf', inline: true },
	'bescheinigungen.pdf': { type: 'application/pdf', inline: true }
} as const;

export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const file = FILES[params.datei as keyof typeof FILES];
	if (!file) error(404, 'Diese Datei gibt es nicht.');
	const e = await loadEvent(params.id);
	const { items } = await listRegistrations(db(), e.id);
	let body: string | Buffer;
	switch (params.datei) {
		case 'teilnehmende.csv':
			body = registrationsCsv(items);
			break;
		case 'teilnehmende.xlsx':
			body = await registrationsXlsx(items);
			break;
		case 'teilnehmendenliste.pdf':
			body = await participantListPdf(e, items);
			break;
		case 'namensschilder.pdf':
			body = await badgesPdf(e, items);
			break;
		default:
			body = await certificatesPdf(e, items);
	}
	return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
		headers: {
			'content-type': file.type,
			'content-disposition': `${file.inline ? 'inline' : 'attachment'}; filename="veranstaltung-${e.id}-${params.datei}"`,
			'cache-control': 'no-store'
		}
	});
};
