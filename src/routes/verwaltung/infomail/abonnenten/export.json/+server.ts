/** DSGVO-Auskunft: everything stored about one address, as a JSON download. */
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { exportSubscriberData } from '$lib/server/infomail/subscriptions';
import { requireCoordinatorPage } from '../../../admin';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const email = url.searchParams.get('email')?.trim() ?? '';
	let data;
	try {
		data = await exportSubscriberData(db(), locals.actor, { email });
	} catch {
		error(400, 'Bitte geben Sie eine gültige E-Mail-Adresse an.');
	}
	const name = `infomail-auskunft-${email.replace(/[^\w.@-]/g, '_')}.json`;
	return new Response(JSON.stringify(data, null, 2), {
		headers: { 'content-type': 'application/json; charset=utf-8', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'private, no-store' }
	});
};
