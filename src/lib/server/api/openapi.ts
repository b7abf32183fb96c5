/** The OpenAPI 3.1 document, generated from the endpoints' zod schemas (never by hand). */
import { z } from 'zod';
import { config } from '../config';
import type { Endpoint } from './endpoint';
import { endpoints } from './registry';

const problemSchema = {
	type: 'object',
	required: ['type', 'title', 'status', 'detail'],
	properties: {
		type: { type: 'string' },
		title: { type: 'string' },
		status: { type: 'integer' },
		detail: { type: 'string' },
		errors: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } }, description: 'Meldungen je Feld' }
	}
};

function schemaOf(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
	const json = z.toJSONSchema(s, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
	delete json.$schema;
	return json;
}

function parametersOf(e: Endpoint): unknown[] {
	const out: unknown[] = [];
	for (const [where, schema] of [
		['path', e.params],
		['query', e.query]
	] as const) {
		if (!schema) continue;
		const json = schemaOf(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
		for (const [name, prop] of Object.entries(json.properties ?? {})) {
			const { description, ...rest } = prop;
			out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), ...(description ? { description } : {}), schema: rest });
		}
	}
	return out;
}

export function openApiDocument(): Record<string, unknown> {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const e of endpoints()) {
		const status = String(e.status ?? 200);
		const responses: Record<string, unknown> = {
			[status]:
				status === '204'
					? { description: 'Erfolg ohne Inhalt' }
					: {
							description: 'Erfolg',
							content: e.response ? { 'application/json': { schema: schemaOf(e.response, 'output') } } : { [e.produces ?? 'application/octet-stream']: {} }
						},
			'400': { $ref: '#/components/responses/Problem' },
			...(e.access !== 'public' ? { '401': { $ref: '#/components/responses/Problem' } } : {}),
			...(e.access === 'coordinator' ? { '403': { $ref: '#/components/responses/Problem' } } : {}),
			...(e.params ? { '404': { $ref: '#/components/responses/Problem' } } : {})
		};
		(paths[e.path] ??= {})[e.method.toLowerCase()] = {
			operationId: e.operationId,
			summary: e.summary,
			...(e.description ? { description: e.description } : {}),
			tags: [e.tag],
			...(e.access === 'public' ? { security: [{}, { bearer: [] }] } : {}),
			'x-access': e.access,
			parameters: parametersOf(e),
			...(e.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(e.body, 'input') } } } } : {}),
			responses
		};
	}
	return {
		openapi: '3.1.0',
		info: {
			title: 'Kommunennetz API',
			version: '1',
			description:
				'Programmierschnittstelle der Plattform des Kommunen-Netzwerks. Anmeldung mit persönlichem API-Token (Authorization: Bearer …), erstellt unter /konto oder mit `npx kommunennetz token create`. Fehler als application/problem+json (RFC 9457). Listen antworten mit {"items": [...], "total": N} und kennen limit (Standard 100, höchstens 1000) und offset.',
			license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' }
		},
		servers: [{ url: `${config().origin}/api/v1` }],
		security: [{ bearer: [] }],
		paths,
		components: {
			securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Persönlicher API-Token' } },
			schemas: { Problem: problemSchema },
			responses: {
				Problem: { description: 'Fehler (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } }
			}
		}
	};
}
