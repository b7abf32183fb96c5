import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { readEventFile } from '$lib/server/events/files';
import type { RequestHandler } from './$types';

/** A document or documentation file; documentation only once published (coordinators always). */
export const GET: RequestHandler = async ({ params, locals }) => {
	const eventId = /^[1-9]\d{0,9}$/.test(params.id) ? Number(params.id) : 0;
	const fileId = /^[1-9]\d{0,9}$/.test(params.fileId) ? Number(params.fileId) : 0;
	const file = eventId && fileId ? await readEventFile(db(), eventId, fileId, locals.user?.role === 'coordinator') : undefined;
	if (!file) error(404, 'Diese Datei gibt es nicht.');
	const inline = /^(image\/(png|jpeg|gif|webp)|application\/pdf|text\/plain)$/.test(file.mimeType);
	return new Response(new Uint8Array(file.bytes), {
		headers: {
			'content-type': file.mimeType,
			'content-length': String(file.bytes.length),
			'content-disposition': `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
			'x-content-type-options': 'nosniff',
			'cache-control': 'private, max-age=300'
		}
	});
};
