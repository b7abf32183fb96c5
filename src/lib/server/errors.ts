/**
 * Errors that domain commands throw for expected failures. The API turns them into
 * `application/problem+json` with the status below, the pages into `fail()` with the message.
 * Messages are German and meant for the user.
 */
import { z, ZodError } from 'zod';

// German messages for every schema that does not set its own.
z.config(z.locales.de());

export type DomainErrorKind = 'validation' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'throttled';

export const STATUS: Record<DomainErrorKind, number> = {
	validation: 400,
	unauthorized: 401,
	forbidden: 403,
	not_found: 404,
	conflict: 409,
	throttled: 429
};

export class DomainError extends Error {
	constructor(
		public kind: DomainErrorKind,
		message: string,
		/** Messages per field (`{email: ['…']}`), for forms and the API's `errors` member. */
		public fieldErrors: Record<string, string[]> = {},
		/** For `throttled`: seconds until a retry may succeed. */
		public retryAfter?: number
	) {
		super(message);
	}
	get status(): number {
		return STATUS[this.kind];
	}
}

/** Field errors of a ZodError, keyed by dotted path ('' for the whole object). */
export function fieldErrorsOf(err: ZodError): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const issue of err.issues) {
		const key = issue.path.join('.');
		(out[key] ??= []).push(issue.message);
	}
	return out;
}

export function forbidden(message = 'Dafür fehlt Ihnen die Berechtigung.'): DomainError {
	return new DomainError('forbidden', message);
}

export function notFound(message = 'Nicht gefunden.'): DomainError {
	return new DomainError('not_found', message);
}

/** Ensures the actor is a coordinator. */
export function requireCoordinator(actor: { role?: string }): void {
	if (actor.role !== 'coordinator') throw forbidden('Das darf nur die Koordinierungsstelle.');
}

/** Drizzle wraps driver errors in "Failed query: <the whole SQL>"; the cause says what went wrong. */
export function rootMessage(err: unknown): string {
	let e = err as { message?: string; cause?: unknown };
	while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e;
	return e?.message ?? String(err);
}
