/**
 * The Infomail as a recipient sees it, for the sandboxed <iframe> of the edit page (same
 * reasoning and CSP as the outbox's mail view: the mail's inline styles must not live under
 * the page's CSP or origin).
 */
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { getInfomail } from '$lib/server/infomail';
import { personalise, renderInfomailTemplate, unsubscribeUrls } from '$lib/server/infomail/content';
import { idOf, requireCoordinatorPage } from '../../../admin';
import type { RequestHandler } from './$types';

const MAIL_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const id = idOf(params.id);
	const mail = id ? await getInfomail(db(), id) : undefined;
	if (!mail) error(404, 'Diese Infomail gibt es nicht.');
	const body = personalise(renderInfomailTemplate(mail), { name: 'Erika Mustermann', unsubscribeUrl: unsubscribeUrls('vorschau').page, audience: 'member_contacts' });
	const text = url.searchParams.get('format') === 'text';
	return new Response(text ? body.text : body.html, {
		headers: {
			'content-type': `${text ? 'text/plain' : 'text/html'}; charset=utf-8`,
			'content-security-policy': MAIL_HTML_CSP,
			'x-frame-options': 'SAMEORIGIN',
			'referrer-policy': 'no-referrer',
			'cache-control': 'private, no-store'
		}
	});
};
