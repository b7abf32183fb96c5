import { z } from 'zod';
import { snakeCase } from '../accounts/forms';
import { apiFields as domainApiFields, defineEndpoint, listOf, pageQuery, serialId } from '../api/endpoint';
import { db } from '../db';
import { DomainError, notFound } from '../errors';
import {
	cancelInfomail,
	createInfomail,
	getInfomail,
	infomailProgress,
	listInfomails,
	listRecipients,
	previewRecipients,
	resendUncertain,
	RECIPIENT_STATUSES,
	sendInfomail,
	sendTestInfomail,
	updateInfomail,
	type Infomail,
	type Progress
} from '.';
import { audiences } from './audiences';
import { listBouncedAddresses, recordBounce } from './bounces';
import { INFOMAIL_LEVELS } from './schema';
import { deleteSubscriberData, exportSubscriberData, listSubscribers, subscribe } from './subscriptions';

const STATUS = ['draft', 'scheduled', 'sending', 'sent', 'cancelled'] as const;

const itemBody = z.object({
	title: z.string().describe('Überschrift des Beitrags'),
	text: z.string().optional().describe('Text in Markdown'),
	link: z.string().nullable().optional().describe('Weiterführender Link (https://… oder /pfad)'),
	event_id: z.union([z.string(), z.number()]).nullable().optional().describe('Verknüpfte Veranstaltung (Nummer)'),
	member_ags: z.string().nullable().optional().describe('Verknüpftes Mitglied (AGS)')
});
const sectionBody = z.object({
	level: z.enum(INFOMAIL_LEVELS).describe('bund, land, kommune oder netzwerk'),
	items: z.array(itemBody).default([])
});
const infomailBody = z.object({
	subject: z.string().describe('Betreff'),
	intro: z.string().optional().describe('Einleitung in Markdown'),
	sections: z.array(sectionBody).optional(),
	audiences: z.array(z.string()).optional().describe('Empfängerkreise, z. B. ["member_contacts", "subscribers"] (Standard: beide)')
});

const itemOut = z.object({
	title: z.string(),
	text: z.string(),
	link: z.string().nullable(),
	event_id: z.string().nullable(),
	member_ags: z.string().nullable()
});
const progressOut = {
	recipients: z.number().int().describe('Empfänger, festgelegt beim Start des Versands'),
	pending: z.number().int().describe('noch zu senden (auch nach vorübergehendem Fehler)'),
	sending: z.number().int().describe('gerade in Übergabe an den SMTP-Server'),
	sent: z.number().int(),
	failed: z.number().int(),
	cancelled: z.number().int().describe('wegen Abbruch nicht gesendet'),
	skipped: z.number().int().describe('ausgelassen (abbestellt, unzustellbar oder gelöscht)'),
	resumed: z.number().int().describe('nach Absturz während der Übergabe als gesendet gewertet'),
	rate: z.number().nullable().describe('gesendete Mails pro Sekunde seit dem Start')
};
const infomailOut = z.object({
	id: z.number().int(),
	subject: z.string(),
	intro: z.string(),
	sections: z.array(z.object({ level: z.enum(INFOMAIL_LEVELS), items: z.array(itemOut) })),
	audiences: z.array(z.string()),
	status: z.enum(STATUS).describe('draft, scheduled, sending, sent, cancelled'),
	rate_per_second: z.number().int(),
	scheduled_at: z.string().nullable(),
	started_at: z.string().nullable(),
	finished_at: z.string().nullable(),
	web_url: z.string().nullable().describe('Archivseite (nur für gesendete Infomails)'),
	...progressOut
});

function toDomain(body: z.infer<typeof infomailBody>) {
	return {
		subject: body.subject,
		intro: body.intro ?? '',
		audiences: body.audiences,
		sections: (body.sections ?? []).map((s) => ({
			level: s.level,
			items: s.items.map((i) => ({
				title: i.title,
				text: i.text ?? '',
				link: i.link ?? null,
				ref: i.event_id != null && i.event_id !== '' ? { kind: 'event', id: String(i.event_id) } : i.member_ags ? { kind: 'member', id: i.member_ags } : null
			}))
		}))
	};
}

function toApi(m: Infomail, p: Progress): z.infer<typeof infomailOut> {
	return {
		id: m.id,
		subject: m.subject,
		intro: m.intro,
		sections: m.sections.map((s) => ({
			level: s.level,
			items: s.items.map((i) => ({
				title: i.title,
				text: i.text,
				link: i.link,
				event_id: i.ref?.kind === 'event' ? i.ref.id : null,
				member_ags: i.ref?.kind === 'member' ? i.ref.id : null
			}))
		})),
		audiences: m.audiences,
		status: m.status,
		rate_per_second: m.ratePerSecond,
		scheduled_at: m.scheduledAt?.toISOString() ?? null,
		started_at: m.startedAt?.toISOString() ?? null,
		finished_at: m.finishedAt?.toISOString() ?? null,
		web_url: m.status === 'sent' ? `/infomails/${m.id}` : null,
		recipients: p.recipients,
		pending: p.pending,
		sending: p.sending,
		sent: p.sent,
		failed: p.failed,
		cancelled: p.cancelled,
		skipped: p.skipped,
		resumed: p.resumed,
		rate: p.rate
	};
}

async function infomailResponse(id: number) {
	const m = await getInfomail(db(), id);
	const p = await infomailProgress(db(), id);
	if (!m || !p) throw notFound('Diese Infomail gibt es nicht.');
	return toApi(m, p);
}

/** Domain field paths (`sections.0.items.1.ref.id`) as the API's body fields. */
/** Like the other domains' `apiFields`, and a command's own ZodError (nested items) as field errors too. */
async function apiFields<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await domainApiFields(run);
	} catch (e) {
		if (e && typeof e === 'object' && 'issues' in e && Array.isArray((e as { issues: unknown[] }).issues)) {
			// ZodError of a command: report under body.* with the API's names.
			const issues = (e as { issues: { path: (string | number)[]; message: string }[] }).issues;
			const errors: Record<string, string[]> = {};
			for (const i of issues) {
				const key = `body.${i.path.map((p) => (p === 'ref' ? 'event_id' : typeof p === 'string' ? snakeCase(p) : p)).join('.')}`.replace(/\.event_id\.(id|kind)$/, '.event_id');
				(errors[key] ??= []).push(i.message);
			}
			throw new DomainError('validation', 'Die Anfrage enthält ungültige Werte. Details stehen in „errors“.', errors);
		}
		throw e;
	}
}

const idParam = z.object({ id: serialId('Nummer der Infomail') });
const accepted = z.object({ detail: z.string() });

const bounceOut = z.object({ id: z.number().int(), suppressed: z.boolean().describe('Adresse erhält keine Infomails mehr'), infomail_id: z.number().int().nullable() });

export const infomailEndpoints = [
	defineEndpoint({
		method: 'POST',
		path: '/subscriptions',
		operationId: 'subscribeInfomail',
		summary: 'Infomail abonnieren (Double-Opt-in)',
		description:
			'Antwortet bei jeder gültigen Adresse mit 202, gleich ob sie schon angemeldet ist: Neue Adressen erhalten eine Mail mit Bestätigungslink (7 Tage gültig), bestätigte einen Hinweis. Erst nach der Bestätigung auf der verlinkten Seite wird die Infomail geschickt. Zeit und IP der Anfrage werden als Nachweis der Einwilligung gespeichert.',
		tag: 'Infomail',
		access: 'public',
		status: 202,
		body: z.object({ email: z.string().max(254).describe('E-Mail-Adresse'), name: z.string().max(200).nullable().optional().describe('Name für die Anrede') }),
		response: accepted,
		async handler({ actor, body, event }) {
			await apiFields(() => subscribe(db(), actor, { email: body.email, name: body.name, source: 'API', userAgent: event.request.headers.get('user-agent') }));
			return { detail: 'Wenn die Adresse noch nicht angemeldet ist, haben wir eine E-Mail mit einem Bestätigungslink geschickt. Erst nach der Bestätigung erhalten Sie die Infomail.' };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/infomails',
		operationId: 'listInfomails',
		summary: 'Infomails (alle Zustände)',
		tag: 'Infomail',
		access: 'coordinator',
		query: pageQuery.extend({ status: z.enum(STATUS).optional() }),
		response: listOf(z.object({ id: z.number().int(), subject: z.string(), status: z.enum(STATUS), recipients: z.number().int().nullable(), scheduled_at: z.string().nullable(), started_at: z.string().nullable(), finished_at: z.string().nullable() })),
		async handler({ query }) {
			const r = await listInfomails(db(), { status: query.status, limit: query.limit, offset: query.offset });
			return {
				items: r.items.map((i) => ({
					id: i.id,
					subject: i.subject,
					status: i.status,
					recipients: i.recipientCount,
					scheduled_at: i.scheduledAt?.toISOString() ?? null,
					started_at: i.startedAt?.toISOString() ?? null,
					finished_at: i.finishedAt?.toISOString() ?? null
				})),
				total: r.total
			};
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/infomails',
		operationId: 'createInfomail',
		summary: 'Infomail als Entwurf anlegen',
		tag: 'Infomail',
		access: 'coordinator',
		status: 201,
		body: infomailBody,
		response: infomailOut,
		async handler({ actor, body }) {
			const id = await apiFields(() => createInfomail(db(), actor, toDomain(body)));
			return infomailResponse(id);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/infomails/{id}',
		operationId: 'getInfomail',
		summary: 'Eine Infomail mit Versandstand',
		description: 'status, recipients, sent, failed, pending … werden während des Versands laufend aktuell gezählt.',
		tag: 'Infomail',
		access: 'coordinator',
		params: idParam,
		response: infomailOut,
		async handler({ params }) {
			return infomailResponse(params.id);
		}
	}),
	defineEndpoint({
		method: 'PUT',
		path: '/infomails/{id}',
		operationId: 'updateInfomail',
		summary: 'Entwurf ändern',
		tag: 'Infomail',
		access: 'coordinator',
		params: idParam,
		body: infomailBody,
		response: infomailOut,
		async handler({ actor, params, body }) {
			await apiFields(() => updateInfomail(db(), actor, { id: params.id, ...toDomain(body) }));
			return infomailResponse(params.id);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/infomails/{id}/send',
		operationId: 'sendInfomail',
		summary: 'Versenden – sofort oder zu einem Zeitpunkt',
		description:
			'Ohne at beginnt der Versand sofort: die Empfänger werden jetzt festgelegt (jede Adresse einmal). Mit at (ISO 8601) wird er geplant; die Empfänger werden dann zum Startzeitpunkt festgelegt. rate: Mails pro Sekunde (1–10.000, Standard 100).',
		tag: 'Infomail',
		access: 'coordinator',
		status: 202,
		params: idParam,
		body: z.object({ at: z.string().nullable().optional().describe('Startzeitpunkt (ISO 8601)'), rate: z.number().int().nullable().optional().describe('Mails pro Sekunde') }),
		response: infomailOut,
		async handler({ actor, params, body }) {
			await apiFields(() => sendInfomail(db(), actor, { id: params.id, at: body.at, rate: body.rate }));
			return infomailResponse(params.id);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/infomails/{id}/resend-uncertain',
		operationId: 'resendUncertainInfomailDeliveries',
		summary: 'Unsichere Zustellungen nach einem Absturz erneut senden',
		description:
			'Mails, die bei der Übernahme nach einem Absturz als gesendet gezählt wurden, ohne dass ihre Zustellung sicher ist, gehen noch einmal hinaus – mit derselben Message-ID, damit Empfänger Dubletten erkennen. Adressen, die inzwischen abbestellt haben oder unzustellbar sind, bleiben ausgenommen. 409, wenn es keine unsicheren Zustellungen gibt.',
		tag: 'Infomail',
		access: 'coordinator',
		status: 202,
		params: idParam,
		response: z.object({ resent: z.number().int().describe('Anzahl der erneut eingeplanten Mails') }),
		async handler({ actor, params }) {
			return resendUncertain(db(), actor, { id: params.id });
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/infomails/{id}/cancel',
		operationId: 'cancelInfomail',
		summary: 'Geplanten Versand zurücknehmen oder laufenden abbrechen',
		tag: 'Infomail',
		access: 'coordinator',
		params: idParam,
		response: infomailOut,
		async handler({ actor, params }) {
			await cancelInfomail(db(), actor, { id: params.id });
			return infomailResponse(params.id);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/infomails/{id}/test',
		operationId: 'testInfomail',
		summary: 'Testmail an eine Adresse',
		description: 'Die Infomail, wie sie an diese Adresse ginge (mit Anrede, falls die Adresse bekannt ist), Betreff mit [Test]. Geht über den Postausgang.',
		tag: 'Infomail',
		access: 'coordinator',
		status: 202,
		params: idParam,
		body: z.object({ email: z.string().max(254) }),
		response: z.object({ detail: z.string(), outbox_id: z.number().int() }),
		async handler({ actor, params, body }) {
			const outboxId = await apiFields(() => sendTestInfomail(db(), actor, { id: params.id, email: body.email }));
			return { detail: `Testmail an ${body.email} ist im Postausgang.`, outbox_id: outboxId };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/infomails/{id}/recipients',
		operationId: 'listInfomailRecipients',
		summary: 'Empfänger einer Infomail mit Zustellstand',
		tag: 'Infomail',
		access: 'coordinator',
		params: idParam,
		query: pageQuery.extend({ status: z.enum(RECIPIENT_STATUSES).optional() }),
		response: listOf(
			z.object({ email: z.string(), name: z.string().nullable(), audience: z.string(), status: z.enum(RECIPIENT_STATUSES), attempts: z.number().int(), last_error: z.string().nullable(), sent_at: z.string().nullable() })
		),
		async handler({ params, query }) {
			if (!(await getInfomail(db(), params.id))) throw notFound('Diese Infomail gibt es nicht.');
			const r = await listRecipients(db(), params.id, { status: query.status, limit: query.limit, offset: query.offset });
			return {
				items: r.items.map((i) => ({ email: i.email, name: i.name, audience: i.audience, status: i.status, attempts: i.attempts, last_error: i.lastError, sent_at: i.sentAt?.toISOString() ?? null })),
				total: r.total
			};
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/infomail-audiences',
		operationId: 'listInfomailAudiences',
		summary: 'Empfängerkreise mit der Zahl ihrer Adressen',
		description: 'all zählt jede Adresse der gewählten Kreise einmal, ohne abbestellte und unzustellbare.',
		tag: 'Infomail',
		access: 'coordinator',
		query: z.object({ audiences: z.union([z.string(), z.array(z.string())]).optional().describe('Auswahl (mehrfach oder kommagetrennt); Standard: alle') }),
		response: z.object({ items: z.array(z.object({ key: z.string(), label: z.string(), description: z.string(), count: z.number().int() })), all: z.number().int() }),
		async handler({ query }) {
			const all = audiences();
			const chosen = query.audiences ? [query.audiences].flat().flatMap((a) => a.split(',')).map((a) => a.trim()) : all.map((a) => a.key);
			const p = await previewRecipients(db(), chosen, 0);
			const single = await Promise.all(all.map(async (a) => ({ key: a.key, label: a.label, description: a.description, count: (await previewRecipients(db(), [a.key], 0)).total })));
			return { items: single, all: p.total };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/mail/bounces',
		operationId: 'recordBounce',
		summary: 'Bounce melden (für MTA oder Mail-Dienstleister)',
		description:
			'Meldet eine unzustellbare Mail. JSON: {"email": "…", "type": "hard"|"soft", "reason": "550 5.1.1 user unknown", "message_id": "<…>", "occurred_at": "2026-03-01T10:00:00Z"} – nur email und type sind Pflicht. Nach einem harten Bounce (oder 3 weichen innerhalb von 30 Tagen) erhält die Adresse keine Infomails mehr, bis die Koordinierungsstelle sie freigibt. Anmeldung mit einem API-Token der Koordinierungsstelle.',
		tag: 'Infomail',
		access: 'coordinator',
		status: 201,
		body: z.object({
			email: z.string().max(254),
			type: z.enum(['hard', 'soft']),
			reason: z.string().max(2000).nullable().optional(),
			message_id: z.string().max(500).nullable().optional(),
			occurred_at: z.string().nullable().optional()
		}),
		response: bounceOut,
		async handler({ actor, body }) {
			const r = await apiFields(() => recordBounce(db(), actor, { email: body.email, type: body.type, reason: body.reason, messageId: body.message_id, occurredAt: body.occurred_at }));
			return { id: r.id, suppressed: r.suppressed, infomail_id: r.infomailId };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/mail/bounces',
		operationId: 'listBouncedAddresses',
		summary: 'Adressen mit Bounces',
		tag: 'Infomail',
		access: 'coordinator',
		query: pageQuery,
		response: listOf(z.object({ email: z.string(), hard: z.number().int(), soft: z.number().int(), last_at: z.string(), last_reason: z.string().nullable(), suppressed: z.boolean() })),
		async handler({ query }) {
			const r = await listBouncedAddresses(db(), { limit: query.limit, offset: query.offset });
			return { items: r.items.map((b) => ({ email: b.email, hard: b.hard, soft: b.soft, last_at: b.lastAt.toISOString(), last_reason: b.lastReason, suppressed: b.suppressed })), total: r.total };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/subscribers',
		operationId: 'listSubscribers',
		summary: 'Abonnentinnen und Abonnenten der Infomail',
		tag: 'Infomail',
		access: 'coordinator',
		query: pageQuery.extend({ q: z.string().trim().max(200).optional(), status: z.enum(['pending', 'confirmed', 'unsubscribed']).optional() }),
		response: listOf(z.object({ email: z.string(), name: z.string().nullable(), status: z.enum(['pending', 'confirmed', 'unsubscribed']), created_at: z.string(), confirmed_at: z.string().nullable(), unsubscribed_at: z.string().nullable() })),
		async handler({ query }) {
			const r = await listSubscribers(db(), { q: query.q, status: query.status, limit: query.limit, offset: query.offset });
			return {
				items: r.items.map((s) => ({ email: s.email, name: s.name, status: s.status, created_at: s.createdAt.toISOString(), confirmed_at: s.confirmedAt?.toISOString() ?? null, unsubscribed_at: s.unsubscribedAt?.toISOString() ?? null })),
				total: r.total
			};
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/subscribers/{email}',
		operationId: 'exportSubscriberData',
		summary: 'Alle Daten einer Adresse (DSGVO-Auskunft)',
		description: 'Abonnement, Einwilligungsnachweise (mit Text der Einwilligung), Zustellungen und Bounces.',
		tag: 'Infomail',
		access: 'coordinator',
		params: z.object({ email: z.string().max(254) }),
		response: z.record(z.string(), z.unknown()),
		async handler({ actor, params }) {
			return apiFields(() => exportSubscriberData(db(), actor, { email: params.email }));
		}
	}),
	defineEndpoint({
		method: 'DELETE',
		path: '/subscribers/{email}',
		operationId: 'deleteSubscriberData',
		summary: 'Daten einer Adresse löschen (DSGVO)',
		description: 'Löscht Abonnement, Einwilligungen und Bounces; in Zustellprotokollen wird die Adresse durch einen Platzhalter ersetzt. Auch eine Abbestellung wird damit gelöscht.',
		tag: 'Infomail',
		access: 'coordinator',
		status: 204,
		params: z.object({ email: z.string().max(254) }),
		async handler({ actor, params }) {
			await apiFields(() => deleteSubscriberData(db(), actor, { email: params.email }));
			return null;
		}
	})
];
