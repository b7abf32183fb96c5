/**
 * How an API endpoint is declared. Each domain lists its endpoints in its own `api.ts`; the
 * dispatcher routes by them and the OpenAPI document is generated from the same zod schemas,
 * so an endpoint cannot exist undocumented.
 */
import { z } from 'zod';
import type { RequestEvent } from '@sveltejs/kit';
import type { Actor } from '../audit';
import type { SessionUser } from '../accounts';
import { snakeCase } from '../accounts/forms';
import { DomainError } from '../errors';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** public: anyone; user: any logged-in user or token; coordinator: the coordination office only. */
export type Access = 'public' | 'user' | 'coordinator';

export interface HandlerContext<P, Q, B> {
	params: P;
	query: Q;
	body: B;
	user: SessionUser | null;
	actor: Actor;
	event: RequestEvent;
}

export interface Endpoint<P = any, Q = any, B = any, R = any> {
	method: HttpMethod;
	/** Path below /api/v1 with `{name}` parameters, e.g. `/areas/{ags}`. */
	path: string;
	/** OpenAPI operationId. */
	operationId: string;
	summary: string;
	description?: string;
	tag: string;
	access: Access;
	params?: z.ZodType<P>;
	query?: z.ZodType<Q>;
	body?: z.ZodType<B>;
	/** Schema of a JSON success response; absent for binary responses. */
	response?: z.ZodType<R>;
	/** Media type of a non-JSON response, e.g. application/pdf. */
	produces?: string;
	/** Success status, default 200. */
	status?: number;
	handler(ctx: HandlerContext<P, Q, B>): Promise<R | Response>;
}

export function defineEndpoint<P, Q, B, R>(e: Endpoint<P, Q, B, R>): Endpoint<P, Q, B, R> {
	return e;
}

/** `limit` (default 100, at most 1000) and `offset` of every list. */
export const pageQuery = z.object({
	limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Höchstzahl der Einträge (1–1000)'),
	offset: z.coerce.number().int().min(0).default(0).describe('Anzahl der zu überspringenden Einträge')
});

/** The shape of every list response: `{items, total}`. */
export function listOf<T extends z.ZodType>(item: T) {
	return z.object({ items: z.array(item), total: z.number().int().describe('Gesamtzahl der Treffer ohne limit/offset') });
}

/** A serial id in the path or query: 1 up to PostgreSQL's integer maximum, so no query fails on it. */
export function serialId(description?: string) {
	const id = z.coerce.number().int().min(1).max(2_147_483_647);
	return description === undefined ? id : id.describe(description);
}

/**
 * Runs a domain command for an endpoint and reports its field errors under the API's names:
 * domain field names (`areaAgs`, `criteria.x.evidenceText`) become `body.area_ags`,
 * `body.criteria.x.evidence_text`.
 */
export async function apiFields<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (e) {
		if (e instanceof DomainError && Object.keys(e.fieldErrors).length) {
			e.fieldErrors = Object.fromEntries(Object.entries(e.fieldErrors).map(([k, v]) => [`body.${snakeCase(k)}`, v]));
		}
		throw e;
	}
}
