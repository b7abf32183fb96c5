import { z } from 'zod';
import { defineEndpoint, listOf, pageQuery } from '../api/endpoint';
import { db } from '../db';
import { feedbackFields, listAccessibilityFeedback, setAccessibilityFeedbackDone, submitAccessibilityFeedback } from '.';

const feedbackSchema = z.object({
	id: z.number().int(),
	name: z.string().nullable(),
	email: z.string().nullable(),
	page_url: z.string().nullable().describe('Betroffene Seite, wie angegeben'),
	message: z.string(),
	created_at: z.string().describe('Zeitpunkt des Eingangs (ISO 8601)'),
	done_at: z.string().nullable().describe('Erledigt am (ISO 8601)')
});

export const siteEndpoints = [
	defineEndpoint({
		method: 'POST',
		path: '/accessibility-feedback',
		operationId: 'submitAccessibilityFeedback',
		summary: 'Rückmeldung zu einer Barriere senden',
		description:
			'Öffentlich, ohne Anmeldung. Die Koordinierungsstelle erhält die Rückmeldung per E-Mail; mit E-Mail-Adresse erhält auch der Absender eine Bestätigung. Höchstens 10 Rückmeldungen pro Stunde und IP-Adresse.',
		tag: 'Barrierefreiheit',
		access: 'public',
		status: 201,
		body: z.object({
			name: feedbackFields.name.describe('Name (freiwillig)'),
			email: feedbackFields.email.describe('E-Mail-Adresse für die Antwort (freiwillig)'),
			page_url: feedbackFields.pageUrl.describe('Betroffene Seite (freiwillig)'),
			message: feedbackFields.message.describe('Beschreibung des Problems')
		}),
		response: z.object({ id: z.number().int() }),
		async handler({ body, actor }) {
			return submitAccessibilityFeedback(db(), actor, { name: body.name, email: body.email, pageUrl: body.page_url, message: body.message });
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/accessibility-feedback',
		operationId: 'listAccessibilityFeedback',
		summary: 'Eingegangene Rückmeldungen zur Barrierefreiheit (neueste zuerst)',
		tag: 'Barrierefreiheit',
		access: 'coordinator',
		query: pageQuery.extend({ status: z.enum(['open', 'done']).optional().describe('open: unerledigt, done: erledigt') }),
		response: listOf(feedbackSchema),
		async handler({ query }) {
			const { items, total } = await listAccessibilityFeedback(db(), query);
			return { items: items.map(toApi), total };
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/accessibility-feedback/{id}',
		operationId: 'updateAccessibilityFeedback',
		summary: 'Rückmeldung als erledigt markieren oder wieder öffnen',
		tag: 'Barrierefreiheit',
		access: 'coordinator',
		params: z.object({ id: z.coerce.number().int().min(1).max(2 ** 31 - 1) }),
		body: z.object({ done: z.boolean().describe('true: erledigt, false: wieder offen') }),
		response: feedbackSchema,
		async handler({ params, body, actor }) {
			return toApi(await setAccessibilityFeedbackDone(db(), actor, { id: params.id, done: body.done }));
		}
	})
];

function toApi(f: Awaited<ReturnType<typeof listAccessibilityFeedback>>['items'][number]): z.infer<typeof feedbackSchema> {
	return {
		id: f.id,
		name: f.name,
		email: f.email,
		page_url: f.pageUrl,
		message: f.message,
		created_at: f.createdAt.toISOString(),
		done_at: f.doneAt ? f.doneAt.toISOString() : null
	};
}
