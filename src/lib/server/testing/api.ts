/**
 * Calls the API in process, through the same authentication and dispatcher as a real request
 * (hooks.server.ts does the same two steps). The browser tests cover the HTTP layer itself.
 */
import type { RequestEvent } from '@sveltejs/kit';
import { actorFor, userForApiToken } from '../accounts';
import { dispatch } from '../api/dispatch';

export interface ApiCall {
	token?: string;
	body?: unknown;
	/** Sent as is instead of JSON.stringify(body). */
	rawBody?: string;
	headers?: Record<string, string>;
	ip?: string;
}

export interface ApiResult<T = any> {
	status: number;
	headers: Headers;
	body: T;
}

export async function api<T = any>(method: string, path: string, call: ApiCall = {}): Promise<ApiResult<T>> {
	const url = new URL(`http://127.0.0.1:3999/api/v1${path}`);
	const headers = new Headers(call.headers);
	if (call.token) headers.set('authorization', `Bearer ${call.token}`);
	let body: string | undefined = call.rawBody;
	if (body === undefined && call.body !== undefined) {
		body = JSON.stringify(call.body);
		if (!headers.has('content-type')) headers.set('content-type', 'application/json');
	}
	const request = new Request(url, { method, headers, body });
	const user = call.token ? await userForApiToken(call.token) : null;
	const ip = call.ip ?? '127.0.0.1';
	const event = {
		request,
		url,
		params: { path: url.pathname.replace(/^\/api\/v1\/?/, '') },
		locals: { user, actor: actorFor(user, ip), sessionId: null },
		getClientAddress: () => ip,
		cookies: { get: () => undefined, getAll: () => [], set: () => {}, delete: () => {}, serialize: () => '' },
		setHeaders: () => {},
		route: { id: '/api/v1/[...path]' },
		isDataRequest: false,
		isSubRequest: false,
		platform: undefined,
		fetch
	} as unknown as RequestEvent;
	const res = await dispatch(event, event.params.path!);
	const text = await res.text();
	let parsed: unknown = text;
	if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
	return { status: res.status, headers: res.headers, body: parsed as T };
}
