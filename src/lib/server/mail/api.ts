import { z } from 'zod';
import { defineEndpoint, listOf, pageQuery } from '../api/endpoint';
import { db } from '../db';
import { notFound } from '../errors';
import { getOutboxMail, listOutbox, MAIL_STATUSES, outboxFilterSchema, requeueHeldMails, requeueMail, requeueMailInput, sendTestMail, sendTestMailInput } from '.';

const mailSummarySchema = z.object({
	id: z.number().int(),
	to_address: z.string(),
	to_name: z.string().nullable(),
	subject: z.string(),
	template: z.string().describe('Vorlage, z. B. password_reset'),
	status: z.enum(MAIL_STATUSES).describe('queued: wartet; sent: vom SMTP-Server angenommen; held: kein SMTP konfiguriert; failed: aufgegeben'),
	attempts: z.number().int().describe('Zustellversuche'),
	last_error: z.string().nullable(),
	created_at: z.string(),
	sent_at: z.string().nullable()
});

const mailSchema = mailSummarySchema.extend({
	message_id: z.string(),
	headers: z.record(z.string(), z.string()).nullable().describe('Zusätzliche Kopfzeilen'),
	text: z.string().describe('Textteil'),
	html: z.string().describe('HTML-Teil')
});

type Summary = z.infer<typeof mailSummarySchema>;

function summary(m: {
	id: number;
	toAddress: string;
	toName: string | null;
	subject: string;
	template: string;
	status: Summary['status'];
	attempts: number;
	lastError: string | null;
	createdAt: Date;
	sentAt: Date | null;
}): Summary {
	return {
		id: m.id,
		to_address: m.toAddress,
		to_name: m.toName,
		subject: m.subject,
		template: m.template,
		status: m.status,
		attempts: m.attempts,
		last_error: m.lastError,
		created_at: m.createdAt.toISOString(),
		sent_at: m.sentAt?.toISOString() ?? null
	};
}

const idParam = z.object({ id: requeueMailInput.shape.id.describe('Nummer der Mail im Postausgang') });

export const mailEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/outbox',
		operationId: 'listOutbox',
		summary: 'Postausgang: alle Mails der Plattform, neueste zuerst',
		tag: 'Verwaltung',
		access: 'coordinator',
		query: pageQuery.extend({
			status: outboxFilterSchema.shape.status.describe('Nur Mails mit diesem Status'),
			q: outboxFilterSchema.shape.q.describe('Suche in Empfänger, Betreff und Vorlage')
		}),
		response: listOf(mailSummarySchema),
		async handler({ query }) {
			const { items, total } = await listOutbox(db(), query);
			return { items: items.map(summary), total };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/outbox/{id}',
		operationId: 'getOutboxMail',
		summary: 'Eine Mail des Postausgangs mit Text- und HTML-Teil',
		tag: 'Verwaltung',
		access: 'coordinator',
		params: idParam,
		response: mailSchema,
		async handler({ params }) {
			const m = await getOutboxMail(db(), params.id);
			if (!m) throw notFound('Diese Mail gibt es nicht im Postausgang.');
			return { ...summary(m), message_id: m.messageId, headers: m.headers ?? null, text: m.text, html: m.html };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/outbox/{id}/requeue',
		operationId: 'requeueOutboxMail',
		summary: 'Eine fehlgeschlagene oder zurückgehaltene Mail erneut senden',
		description: 'Setzt die Mail auf „wartet“ und beauftragt den Versand. 409, wenn die Mail bereits wartet oder gesendet ist.',
		tag: 'Verwaltung',
		access: 'coordinator',
		params: idParam,
		status: 202,
		response: z.object({ id: z.number().int(), status: z.literal('queued') }),
		async handler({ params, actor }) {
			await requeueMail(db(), actor, { id: params.id });
			return { id: params.id, status: 'queued' as const };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/outbox/test',
		operationId: 'sendTestMail',
		summary: 'Eine Testmail senden, um den Mailversand zu prüfen',
		tag: 'Verwaltung',
		access: 'coordinator',
		body: z.object({ email: sendTestMailInput.shape.to.describe('Empfangsadresse der Testmail') }),
		status: 202,
		response: z.object({ id: z.number().int().describe('Nummer der Mail im Postausgang'), status: z.literal('queued') }),
		async handler({ body, actor }) {
			const id = await sendTestMail(db(), actor, { to: body.email });
			return { id, status: 'queued' as const };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/outbox/requeue-held',
		operationId: 'requeueHeldMails',
		summary: 'Alle zurückgehaltenen Mails in den Versand geben',
		description: 'Für Mails, die ohne SMTP-Server im Postausgang geblieben sind, etwa nachdem SMTP_URL eingerichtet wurde.',
		tag: 'Verwaltung',
		access: 'coordinator',
		status: 202,
		response: z.object({ requeued: z.number().int().describe('Anzahl der Mails, die jetzt auf den Versand warten') }),
		async handler({ actor }) {
			return requeueHeldMails(db(), actor);
		}
	})
];
