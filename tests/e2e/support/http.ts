/** Plain HTTP against the test server, as a browser without JavaScript or an API client would. */
import { inject } from 'vitest';
import { uniqueIp } from './ip';

export function url(p: string): string {
	return inject('e2e').baseURL + p;
}

export interface RequestOptions {
	method?: string;
	headers?: Record<string, string>;
	body?: string | FormData | URLSearchParams;
	/** Client address (X-Forwarded-For); a fresh one by default. */
	ip?: string;
	cookie?: string;
	redirect?: RequestRedirect;
}

export async function request(p: string, opts: RequestOptions = {}): Promise<Response> {
	const headers: Record<string, string> = { 'x-forwarded-for': opts.ip ?? uniqueIp(), ...opts.headers };
	if (opts.cookie) headers.cookie = opts.cookie;
	return fetch(url(p), { method: opts.method ?? 'GET', headers, body: opts.body, redirect: opts.redirect ?? 'manual', signal: AbortSignal.timeout(30_000) });
}

/**
 * Posts a form like a browser without JavaScript: url-encoded, with the Origin header that
 * SvelteKit's CSRF check requires; redirects are not followed.
 */
export async function postForm(p: string, fields: Record<string, string> | [string, string][], opts: RequestOptions = {}): Promise<Response> {
	return request(p, {
		...opts,
		method: 'POST',
		// Accept: text/html, or SvelteKit answers with the JSON meant for `use:enhance`.
		headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml', origin: inject('e2e').baseURL, ...opts.headers },
		body: new URLSearchParams(fields).toString()
	});
}

/** The session cookie pair (`kn_session=…`) from a response, or undefined. */
export function sessionCookie(res: Response): string | undefined {
	for (const c of res.headers.getSetCookie()) {
		const pair = c.split(';')[0];
		if (pair.startsWith('kn_session=') && pair.length > 'kn_session='.length) return pair;
	}
	return undefined;
}

/** Logs in through the form and returns the session cookie pair. */
export async function loginCookie(email: string, password: string, ip?: string): Promise<string> {
	const res = await postForm('/anmelden', { email, password }, { ip });
	const cookie = sessionCookie(res);
	if (!cookie) throw new Error(`Anmeldung als ${email} ergab keinen Sitzungs-Cookie (Status ${res.status}).`);
	return cookie;
}
