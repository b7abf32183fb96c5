import { auditCsv } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { auditFilterFromUrl, requireCoordinatorPage } from '../../admin';
import type { RequestHandler } from './$types';

/** The filtered audit log as CSV for German spreadsheet programs (see auditCsv). */
export const GET: RequestHandler = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const { filter, errors } = auditFilterFromUrl(url);
	if (!filter) {
		const lines = Object.values(errors ?? {}).flat();
		return new Response(`Die Filter sind ungültig:\n${lines.map((l) => `- ${l}`).join('\n')}\n`, {
			status: 400,
			headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }
		});
	}
	const day = new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Berlin' });
	return new Response(await auditCsv(db(), filter), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="protokoll-${day}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
};
