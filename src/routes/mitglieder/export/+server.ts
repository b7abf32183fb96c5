import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { isNetworkMember } from '$lib/server/members';
import { directoryFilter, directoryParams } from '$lib/server/members/directory';
import { exportRows, membersCsv, membersXlsx } from '$lib/server/members/export';
import type { RequestHandler } from './$types';

/** /mitglieder/export?format=csv|xlsx|json with the directory's filters. */
export const GET: RequestHandler = async ({ url, locals }) => {
	const format = url.searchParams.get('format') ?? 'csv';
	if (!['csv', 'xlsx', 'json'].includes(format)) error(400, 'Das Format muss csv, xlsx oder json sein.');
	const viewer = locals.user ? locals.actor : null;
	const network = isNetworkMember(viewer);
	const { filter } = await directoryFilter(db(), directoryParams(url), viewer);
	const rows = await exportRows(db(), filter, viewer);
	const day = new Date().toISOString().slice(0, 10);
	const headers = (type: string, ext: string) => ({
		'content-type': type,
		'content-disposition': `attachment; filename="mitglieder-${day}.${ext}"`,
		'cache-control': network ? 'private, no-store' : 'public, max-age=300'
	});
	if (format === 'json') return new Response(JSON.stringify({ items: rows, total: rows.length, fields: network ? 'members' : 'public' }, null, 1), { headers: headers('application/json; charset=utf-8', 'json') });
	if (format === 'xlsx') return new Response(new Uint8Array(await membersXlsx(rows, network)), { headers: headers('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx') });
	return new Response(membersCsv(rows, network), { headers: headers('text/csv; charset=utf-8', 'csv') });
};
