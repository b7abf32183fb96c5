/** RFC 9457 problem details, the one error format of the API. */
import { DomainError, type DomainErrorKind } from '../errors';

const TITLES: Record<number, string> = {
	400: 'Ungültige Anfrage',
	401: 'Anmeldung erforderlich',
	403: 'Keine Berechtigung',
	404: 'Nicht gefunden',
	405: 'Methode nicht erlaubt',
	409: 'Konflikt',
	413: 'Anfrage zu groß',
	415: 'Nicht unterstütztes Format',
	429: 'Zu viele Anfragen',
	500: 'Interner Fehler',
	503: 'Nicht verfügbar'
};

export interface Problem {
	type: string;
	title: string;
	status: number;
	detail: string;
	/** Messages per field (dotted path), for 400 responses. */
	errors?: Record<string, string[]>;
}

export function problem(status: number, detail: string, opts: { kind?: DomainErrorKind | string; errors?: Record<string, string[]>; headers?: Record<string, string> } = {}): Response {
	const body: Problem = {
		type: `/api/v1/problems/${opts.kind ?? status}`,
		title: TITLES[status] ?? 'Fehler',
		status,
		detail,
		...(opts.errors && Object.keys(opts.errors).length ? { errors: opts.errors } : {})
	};
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store', ...(opts.headers ?? {}) }
	});
}

export function problemFromDomainError(e: DomainError): Response {
	return problem(e.status, e.message, {
		kind: e.kind,
		errors: e.fieldErrors,
		headers: e.retryAfter ? { 'retry-after': String(e.retryAfter) } : undefined
	});
}
