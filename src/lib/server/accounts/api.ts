import { z } from 'zod';
import { defineEndpoint } from '../api/endpoint';

export const meSchema = z.object({
	id: z.number().int(),
	email: z.string(),
	name: z.string(),
	role: z.enum(['coordinator', 'member_contact', 'partner']),
	area_ags: z.string().nullable().describe('AGS der Kommune, für die das Konto handelt')
});

export const accountEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/me',
		operationId: 'getMe',
		summary: 'Das eigene Konto',
		tag: 'Konto',
		access: 'user',
		response: meSchema,
		async handler({ user }) {
			return { id: user!.id, email: user!.email, name: user!.name, role: user!.role, area_ags: user!.areaAgs };
		}
	})
];
