/** Every endpoint of /api/v1, gathered from the domains. A new domain adds its list here. */
import { z } from 'zod';
import { accountEndpoints } from '../accounts/api';
import { areaEndpoints } from '../areas/api';
import { auditEndpoints } from '../audit/api';
import { mailEndpoints } from '../mail/api';
import { memberEndpoints } from '../members/api';
import { siteEndpoints } from '../site/api';
import { eventEndpoints } from '../events/api';
import { infomailEndpoints } from '../infomail/api';
import { defineEndpoint, type Endpoint } from './endpoint';

const systemEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/openapi.json',
		operationId: 'getOpenApi',
		summary: 'Diese Beschreibung der Schnittstelle (OpenAPI 3.1)',
		tag: 'System',
		access: 'public',
		response: z.record(z.string(), z.unknown()),
		async handler() {
			const { openApiDocument } = await import('./openapi');
			return openApiDocument();
		}
	})
];

export function endpoints(): Endpoint[] {
	return [...systemEndpoints, ...accountEndpoints, ...areaEndpoints, ...siteEndpoints, ...auditEndpoints, ...mailEndpoints, ...eventEndpoints, ...memberEndpoints, ...infomailEndpoints] as Endpoint[];
}
