import { z } from 'zod';
import { defineEndpoint, listOf, pageQuery } from '../api/endpoint';
import { db } from '../db';
import { auditDateOrder, auditFilterFields, listAudit } from '.';

export const auditEntrySchema = z.object({
	id: z.number().int(),
	at: z.string().describe('Zeitpunkt (ISO 8601, UTC)'),
	actor_user_id: z.number().int().nullable().describe('Handelndes Konto; null für System, Kommandozeile und Anonyme'),
	actor_label: z.string().describe('Wer gehandelt hat, lesbar (Name <E-Mail>, System, …)'),
	action: z.string().describe('Aktion, z. B. user.created'),
	object_type: z.string(),
	object_id: z.string().nullable(),
	changes: z.unknown().describe('Geänderte Werte: {feld: [alt, neu]} oder die neuen Werte'),
	ip: z.string().nullable()
});

const auditQuery = pageQuery
	.extend({
		q: auditFilterFields.q.optional().describe('Freitext über Akteur, Aktion, Objekt und Änderungen'),
		action: auditFilterFields.action.optional().describe('Anfang der Aktion, z. B. „user.“'),
		object_type: auditFilterFields.objectType.optional().describe('Objekttyp, z. B. user'),
		object_id: auditFilterFields.objectId.optional().describe('Objekt-ID'),
		from: auditFilterFields.from.optional().describe('Erster Tag (JJJJ-MM-TT, deutsche Zeit)'),
		to: auditFilterFields.to.optional().describe('Letzter Tag (JJJJ-MM-TT, deutsche Zeit)')
	})
	.superRefine((v, ctx) => auditDateOrder(v, ctx));

export const auditEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/audit-log',
		operationId: 'listAuditLog',
		summary: 'Protokoll aller Änderungen, neueste zuerst',
		tag: 'Verwaltung',
		access: 'coordinator',
		query: auditQuery,
		response: listOf(auditEntrySchema),
		async handler({ query }) {
			const { items, total } = await listAudit(db(), {
				q: query.q,
				action: query.action,
				objectType: query.object_type,
				objectId: query.object_id,
				from: query.from,
				to: query.to,
				limit: query.limit,
				offset: query.offset
			});
			return {
				items: items.map((e) => ({
					id: e.id,
					at: e.at.toISOString(),
					actor_user_id: e.actorUserId,
					actor_label: e.actorLabel,
					action: e.action,
					object_type: e.objectType,
					object_id: e.objectId,
					changes: e.changes ?? null,
					ip: e.ip
				})),
				total
			};
		}
	})
];
