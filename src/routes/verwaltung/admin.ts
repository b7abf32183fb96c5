/**
 * Shared by the pages of the administration area. The layout's load protects pages, but form
 * actions and +server.ts endpoints run without it, so each of them calls
 * `requireCoordinatorPage` itself.
 */
import { error, redirect } from '@sveltejs/kit';
import type { SessionUser } from '$lib/server/accounts';
import { auditFilterSchema } from '$lib/server/audit';
import { fieldErrorsOf } from '$lib/server/errors';

/** Not logged in: to the login with a way back; logged in without the role: 403. */
export function requireCoordinatorPage(locals: App.Locals, url: URL): SessionUser {
	if (!locals.user) {
		// An action's `?/name` is no page to come back to.
		const back = new URL(url);
		for (const key of [...back.searchParams.keys()]) if (key.startsWith('/')) back.searchParams.delete(key);
		redirect(303, `/anmelden?ziel=${encodeURIComponent(back.pathname + back.search)}`);
	}
	if (locals.user.role !== 'coordinator') error(403, 'Die Verwaltung ist nur für die Koordinierungsstelle zugänglich.');
	return locals.user;
}

/** The non-empty, trimmed values of these query parameters (GET filter forms send empty fields too). */
export function queryValues<K extends string>(url: URL, keys: readonly K[]): Partial<Record<K, string>> {
	const out: Partial<Record<K, string>> = {};
	for (const k of keys) {
		const v = url.searchParams.get(k)?.trim();
		if (v) out[k] = v;
	}
	return out;
}

/** `offset` from the query: a whole number ≥ 0, anything else counts as 0. */
export function offsetOf(url: URL): number {
	const raw = url.searchParams.get('offset') ?? '';
	return /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
}

/** A positive id from the query or a form, undefined when it is none. */
export function idOf(value: string | null | undefined): number | undefined {
	return value && /^[1-9]\d{0,14}$/.test(value) ? Number(value) : undefined;
}

/** Query parameters of the audit filter form (snake_case like the API) and their domain names. */
const AUDIT_FILTERS = { q: 'q', action: 'action', object_type: 'objectType', object_id: 'objectId', from: 'from', to: 'to' } as const;
type AuditParam = keyof typeof AUDIT_FILTERS;

/** The filters of the URL, validated; errors keyed by the form's field names. */
export function auditFilterFromUrl(url: URL) {
	const values = queryValues(url, Object.keys(AUDIT_FILTERS) as AuditParam[]);
	const parsed = auditFilterSchema.safeParse(Object.fromEntries(Object.entries(values).map(([k, v]) => [AUDIT_FILTERS[k as AuditParam], v])));
	if (parsed.success) return { values, filter: parsed.data, errors: null };
	const byDomain = fieldErrorsOf(parsed.error);
	const toParam = Object.fromEntries(Object.entries(AUDIT_FILTERS).map(([p, d]) => [d, p]));
	const errors = Object.fromEntries(Object.entries(byDomain).map(([k, v]) => [toParam[k] ?? k, v]));
	return { values, filter: null, errors };
}
