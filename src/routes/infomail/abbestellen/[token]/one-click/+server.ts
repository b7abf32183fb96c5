/**
 * RFC 8058 one-click unsubscribe: the mail program POSTs `List-Unsubscribe=One-Click`
 * (application/x-www-form-urlencoded or multipart/form-data) to the URL of the
 * `List-Unsubscribe` header, from its own servers, without cookies and without an Origin of
 * ours. A GET (a program without one-click support, or a person) goes to the page with the
 * button, which changes nothing by itself.
 *
 * SvelteKit's own CSRF check rejects cross-site form POSTs before any hook runs; the
 * configuration must exempt this path (see the report in docs/infomail.md).
 */
import { error, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { unsubscribe } from '$lib/server/infomail/subscriptions';
import { DomainError } from '$lib/server/errors';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ params }) => redirect(303, `/infomail/abbestellen/${encodeURIComponent(params.token)}`);

export const POST: RequestHandler = async ({ params, request, locals }) => {
	let body: string | null = null;
	try {
		const type = request.headers.get('content-type') ?? '';
		if (/multipart\/form-data/i.test(type)) body = String((await request.formData()).get('List-Unsubscribe') ?? '');
		else body = new URLSearchParams(await request.text()).get('List-Unsubscribe');
	} catch {
		body = null;
	}
	if (body !== 'One-Click') error(400, 'Erwartet wird der Inhalt List-Unsubscribe=One-Click (RFC 8058).');
	try {
		await unsubscribe(db(), locals.actor, { token: params.token, method: 'one-click' });
	} catch (e) {
		if (e instanceof DomainError && e.kind === 'not_found') error(404, e.message);
		throw e;
	}
	return new Response('Abbestellt. Sie erhalten keine Infomail mehr.', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
};
