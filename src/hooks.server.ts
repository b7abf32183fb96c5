import http from 'node:http';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit';
import { dev } from '$app/environment';
import { ConfigError, readConfig, setConfig } from '$lib/server/config';
import { isReady, startPlatform, stopPlatform } from '$lib/server/runtime';
import { actorFor, userForApiToken, userForSession } from '$lib/server/accounts';
import { SESSION_COOKIE } from '$lib/server/accounts/cookies';
import { database } from '$lib/server/db';

/**
 * Runs once when the server starts: the configuration is checked before the server listens,
 * the database comes up in the background while /healthz answers 503.
 */
export const init: ServerInit = async () => {
	let cfg;
	try {
		cfg = readConfig();
	} catch (err) {
		if (err instanceof ConfigError) {
			console.error(err.message);
			process.exit(2);
		}
		throw err;
	}
	setConfig(cfg);
	if (!dev) securityHeadersOnEveryResponse();
	process.once('sveltekit:shutdown' as never, () => void stopPlatform());
	startPlatform({ config: cfg, worker: true, demo: true }).catch((err: Error) => {
		console.error(`[kommunennetz] Start fehlgeschlagen: ${err.message}`);
		process.exit(1);
	});
};

const SECURITY_HEADERS: Record<string, string> = {
	'x-content-type-options': 'nosniff',
	'referrer-policy': 'strict-origin-when-cross-origin',
	'x-frame-options': 'DENY',
	'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
	'cross-origin-opener-policy': 'same-origin'
};
/** For responses that SvelteKit's page CSP does not cover (endpoints, files, errors). */
const FALLBACK_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * adapter-node serves the built assets and static/ itself (sirv) before `handle` runs, so the
 * security headers reach those responses only at the Node level. Headers that the response
 * passes to writeHead (SvelteKit's page CSP, for instance) take precedence over these.
 */
function securityHeadersOnEveryResponse(): void {
	const proto = http.ServerResponse.prototype as http.ServerResponse & { knSecurityHeaders?: true };
	if (proto.knSecurityHeaders) return;
	proto.knSecurityHeaders = true;
	const writeHead = proto.writeHead;
	proto.writeHead = function (this: http.ServerResponse, ...args: unknown[]) {
		if (!this.headersSent) {
			for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!this.hasHeader(k)) this.setHeader(k, v);
			if (!this.hasHeader('content-security-policy')) this.setHeader('content-security-policy', FALLBACK_CSP);
		}
		return (writeHead as (...a: unknown[]) => http.ServerResponse).apply(this, args);
	} as typeof writeHead;
}

/** RFC 8058: mail providers POST here without cookies and without an Origin header. */
const ONE_CLICK_UNSUBSCRIBE = /^\/infomail\/abbestellen\/[^/]+\/one-click$/;

/**
 * SvelteKit's own CSRF check is switched off in svelte.config.js because it cannot exempt a
 * path; this is the same check (form-like bodies from another origin are refused) with the one
 * exemption RFC 8058 needs.
 */
function isCrossSiteFormPost(event: Parameters<Handle>[0]['event']): boolean {
	if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(event.request.method)) return false;
	const type = event.request.headers.get('content-type');
	if (!isFormContentType(type) && !/^\s*text\/plain\s*(;|$)/i.test(type ?? '')) return false;
	if (ONE_CLICK_UNSUBSCRIBE.test(event.url.pathname)) return false;
	return event.request.headers.get('origin') !== event.url.origin;
}

function isFormContentType(type: string | null): boolean {
	return /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i.test(type ?? '');
}

async function containsNul(event: Parameters<Handle>[0]['event']): Promise<boolean> {
	if (/%00/.test(event.url.pathname + event.url.search) || (event.url.pathname + event.url.search).includes('\0')) return true;
	if (event.request.method !== 'POST') return false;
	const type = event.request.headers.get('content-type') ?? '';
	try {
		if (/^\s*application\/x-www-form-urlencoded/i.test(type)) return /%00|\0/.test(await event.request.clone().text());
		if (/^\s*multipart\/form-data/i.test(type)) {
			for (const [, v] of await event.request.clone().formData()) if (typeof v === 'string' && v.includes('\0')) return true;
		}
	} catch {
		return false; // an unreadable body is for the action to reject
	}
	return false;
}

function clientIp(event: Parameters<Handle>[0]['event']): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unbekannt';
	}
}

export const handle: Handle = async ({ event, resolve }) => {
	if (event.url.pathname === '/healthz') {
		const body = isReady() ? { status: 'ok', database: database().kind } : { status: 'starting' };
		return new Response(JSON.stringify(body), {
			status: isReady() ? 200 : 503,
			headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...SECURITY_HEADERS, 'content-security-policy': FALLBACK_CSP }
		});
	}
	if (!isReady()) {
		return new Response('Die Plattform startet gerade. Bitte versuchen Sie es in wenigen Sekunden erneut.', {
			status: 503,
			headers: { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5', ...SECURITY_HEADERS, 'content-security-policy': FALLBACK_CSP }
		});
	}

	if (isCrossSiteFormPost(event)) {
		return new Response('Formulare dürfen nur von dieser Website aus abgeschickt werden.', {
			status: 403,
			headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': FALLBACK_CSP }
		});
	}

	// PostgreSQL cannot store NUL characters: such input would end as a 500 in whatever query
	// it reaches. It is never meaningful here, so pages reject it up front (the API maps the
	// database's complaint to a 400 itself).
	if (!event.url.pathname.startsWith('/api/') && (await containsNul(event))) {
		return new Response('Die Anfrage enthält ein unzulässiges Steuerzeichen (NUL).', {
			status: 400,
			headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': FALLBACK_CSP }
		});
	}

	// Pages take form posts only; their actions call request.formData(), which throws (a 500)
	// on any other body, e.g. text/plain, which browsers may also send cross-site.
	if (event.request.method === 'POST' && !event.url.pathname.startsWith('/api/') && !isFormContentType(event.request.headers.get('content-type'))) {
		return new Response('Formulare werden als application/x-www-form-urlencoded oder multipart/form-data gesendet.', {
			status: 415,
			headers: { 'content-type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS, 'content-security-policy': FALLBACK_CSP }
		});
	}

	const ip = clientIp(event);
	event.locals.user = null;
	event.locals.sessionId = null;
	const auth = event.request.headers.get('authorization');
	if (auth?.toLowerCase().startsWith('bearer ')) {
		event.locals.user = await userForApiToken(auth.slice(7).trim());
	} else {
		const token = event.cookies.get(SESSION_COOKIE);
		if (token) {
			const found = await userForSession(token);
			if (found) {
				event.locals.user = found.user;
				event.locals.sessionId = found.sessionId;
			} else {
				event.cookies.delete(SESSION_COOKIE, { path: '/' });
			}
		}
	}
	event.locals.actor = actorFor(event.locals.user, ip);

	const response = await resolve(event);
	for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!response.headers.has(k)) response.headers.set(k, v);
	if (!response.headers.has('content-security-policy')) response.headers.set('content-security-policy', FALLBACK_CSP);
	if (event.locals.user && !response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
	return response;
};

export const handleError: HandleServerError = ({ error, status }) => {
	if (status >= 500) console.error('[kommunennetz] Fehler:', error);
	return { message: status === 404 ? 'Diese Seite gibt es nicht.' : 'Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.' };
};
