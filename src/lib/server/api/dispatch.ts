/**
 * The API's one entry point: finds the endpoint for method and path, checks access, parses
 * path, query and body with the endpoint's zod schemas and turns every failure into
 * `application/problem+json` — never a 5xx for bad input.
 */
import type { RequestEvent } from '@sveltejs/kit';
import { ZodError, type z } from 'zod';
import { DomainError, fieldErrorsOf, rootMessage } from '../errors';
import type { Endpoint } from './endpoint';
import { problem, problemFromDomainError } from './problem';
import { endpoints } from './registry';

interface Route {
	endpoint: Endpoint;
	regex: RegExp;
	names: string[];
}

let routes: Route[] | undefined;
function compiled(): Route[] {
	routes ??= endpoints().map((endpoint) => {
		const names: string[] = [];
		const pattern = endpoint.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}|\{(\w+)\}/g, (_m, a, b) => {
			names.push(a ?? b);
			return '([^/]+)';
		});
		return { endpoint, regex: new RegExp(`^${pattern}$`), names };
	});
	return routes;
}

const MAX_BODY = 1_000_000;

function validationProblem(err: ZodError, where: string): Response {
	const errors = Object.fromEntries(Object.entries(fieldErrorsOf(err)).map(([k, v]) => [k ? `${where}.${k}` : where, v]));
	return problem(400, 'Die Anfrage enthält ungültige Werte. Details stehen in „errors“.', { kind: 'validation', errors });
}

export async function dispatch(event: RequestEvent, subpath: string): Promise<Response> {
	const path = '/' + subpath.replace(/^\/+|\/+$/g, '');
	const method = event.request.method.toUpperCase();
	const candidates = compiled()
		.map((r) => ({ r, m: r.regex.exec(path) }))
		.filter((x) => x.m);
	if (!candidates.length) return problem(404, `Den Pfad /api/v1${path} gibt es nicht.`);
	const match = candidates.find((x) => x.r.endpoint.method === method || (method === 'HEAD' && x.r.endpoint.method === 'GET'));
	if (!match) {
		const allowed = [...new Set(candidates.map((x) => x.r.endpoint.method))].join(', ');
		return problem(405, `Für /api/v1${path} ist ${method} nicht erlaubt, nur ${allowed}.`, { headers: { allow: allowed } });
	}
	const { endpoint, names } = match.r;
	const user = event.locals.user;
	if (endpoint.access !== 'public' && !user) {
		return problem(401, 'Bitte melden Sie sich an oder senden Sie einen gültigen API-Token (Authorization: Bearer …).', {
			headers: { 'www-authenticate': 'Bearer realm="kommunennetz"' }
		});
	}
	if (endpoint.access === 'coordinator' && user?.role !== 'coordinator') {
		return problem(403, 'Das darf nur die Koordinierungsstelle.', { kind: 'forbidden' });
	}

	const rawParams = Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match.m![i + 1])]));
	const parse = <T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T | Response => {
		if (!schema) return undefined as T;
		const r = schema.safeParse(value);
		return r.success ? r.data : validationProblem(r.error, where);
	};
	const params = parse(endpoint.params, rawParams, 'path');
	if (params instanceof Response) return params.status === 400 ? problem(404, `Den Pfad /api/v1${path} gibt es nicht.`, { errors: (await params.json()).errors }) : params;
	const queryObj: Record<string, string | string[]> = {};
	for (const key of new Set(event.url.searchParams.keys())) {
		const all = event.url.searchParams.getAll(key);
		queryObj[key] = all.length > 1 ? all : all[0];
	}
	const query = parse(endpoint.query, queryObj, 'query');
	if (query instanceof Response) return query;

	let body: unknown = undefined;
	if (endpoint.body) {
		const type = event.request.headers.get('content-type') ?? '';
		const text = await event.request.text();
		if (text.length > MAX_BODY) return problem(413, 'Die Anfrage ist zu groß (höchstens 1 MB).');
		if (text.trim() === '') body = {};
		else {
			if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) return problem(415, 'Der Inhalt muss JSON sein (Content-Type: application/json).');
			try {
				body = JSON.parse(text);
			} catch (e) {
				return problem(400, `Der Inhalt ist kein gültiges JSON: ${(e as Error).message}`, { kind: 'invalid_json' });
			}
		}
		const parsed = parse(endpoint.body, body, 'body');
		if (parsed instanceof Response) return parsed;
		body = parsed;
	}

	try {
		const result = await endpoint.handler({ params, query, body, user, actor: event.locals.actor, event });
		if (result instanceof Response) return result;
		const status = endpoint.status ?? 200;
		if (status === 204) return new Response(null, { status });
		return new Response(JSON.stringify(result), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
	} catch (e) {
		if (e instanceof DomainError) return problemFromDomainError(e);
		if (e instanceof ZodError) return validationProblem(e, 'body');
		const pgCode = (e as { code?: string; cause?: { code?: string } }).cause?.code ?? (e as { code?: string }).code;
		// Input that only the database could reject (e.g. a value out of range) is still bad input.
		if (pgCode && /^22/.test(pgCode)) return problem(400, `Ungültiger Wert: ${rootMessage(e)}`);
		console.error(`[kommunennetz] API-Fehler ${method} ${path}:`, e);
		return problem(500, 'Ein unerwarteter Fehler ist aufgetreten. Bitte versuchen Sie es später erneut.');
	}
}
