/**
 * The HTML part of an outbox mail, for the sandboxed <iframe> on the detail page and to open
 * on its own. Why a route of its own instead of {@html} or <iframe srcdoc>: the mail's markup
 * uses inline styles (mail clients need them), which the page's CSP forbids, and an srcdoc
 * document would inherit that CSP and our origin. Here the document gets its own CSP: no
 * scripts, no requests anywhere (`default-src 'none'`), only its inline styles and data:
 * images, and `sandbox`, which puts it into an opaque origin even when opened directly, so it
 * can never read our cookies or pages. `frame-ancestors 'self'` allows only our own pages to
 * embed it.
 */
import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { getOutboxMail } from '$lib/server/mail';
import { idOf, requireCoordinatorPage } from '../../../admin';
import type { RequestHandler } from './$types';

const MAIL_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; sandbox";

export const GET: RequestHandler = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const id = idOf(params.id);
	const mail = id ? await getOutboxMail(db(), id) : undefined;
	if (!mail) error(404, 'Diese Mail gibt es nicht im Postausgang.');
	return new Response(mail.html, {
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'content-security-policy': MAIL_HTML_CSP,
			'x-frame-options': 'SAMEORIGIN',
			'referrer-policy': 'no-referrer',
			'cache-control': 'private, no-store'
		}
	});
};
