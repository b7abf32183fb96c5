import { z } from 'zod';
import { apiFields, defineEndpoint, listOf, pageQuery, serialId } from '../api/endpoint';
import { db } from '../db';
import { notFound } from '../errors';
import {
	createApiToken,
	getUserSummary,
	inviteUser,
	listApiTokens,
	listUsers,
	requestPasswordReset,
	resendInvitation,
	revokeApiToken,
	ROLES,
	updateOwnAccount,
	updateUser,
	USER_STATUSES,
	type UserSummary
} from '.';

const role = z.enum(ROLES).describe('coordinator (Koordinierungsstelle), member_contact (kommunale Ansprechperson), partner (lokaler Partner)');
const status = z.enum(USER_STATUSES).describe('invited (Einladung offen), active, disabled (gesperrt)');
const ags = z.string().regex(/^\d{3}(\d{2}(\d{3})?)?$/, 'Der AGS hat 3, 5 oder 8 Ziffern.');

export const meSchema = z.object({
	id: z.number().int(),
	email: z.string(),
	name: z.string(),
	role,
	area_ags: z.string().nullable().describe('AGS der Kommune, für die das Konto handelt')
});

export const accountSchema = meSchema.extend({
	status,
	area_name: z.string().nullable().describe('Name des Gebiets zu area_ags'),
	organisation: z.string().nullable(),
	position: z.string().nullable().describe('Funktion, z. B. Engagementbeauftragte'),
	phone: z.string().nullable(),
	created_at: z.string().describe('ISO 8601'),
	last_login_at: z.string().nullable().describe('Letzte Anmeldung im Browser (ISO 8601)')
});

function toApi(u: UserSummary): z.infer<typeof accountSchema> {
	return {
		id: u.id,
		email: u.email,
		name: u.name,
		role: u.role,
		status: u.status,
		area_ags: u.areaAgs,
		area_name: u.areaName,
		organisation: u.organisation,
		position: u.position,
		phone: u.phone,
		created_at: u.createdAt.toISOString(),
		last_login_at: u.lastLoginAt?.toISOString() ?? null
	};
}

async function summaryOf(id: number) {
	const u = await getUserSummary(db(), id);
	if (!u) throw notFound('Dieses Konto gibt es nicht.');
	return toApi(u);
}


const tokenSchema = z.object({
	id: z.number().int(),
	name: z.string(),
	prefix: z.string().describe('Die ersten Zeichen des Tokens, zum Wiedererkennen'),
	created_at: z.string(),
	last_used_at: z.string().nullable()
});

const idParam = z.object({ id: serialId('Nummer des Kontos') });
const tokenIdParam = z.object({ id: serialId('Nummer des Tokens') });

const accepted = z.object({ detail: z.string() });

const optionalText = (max: number) => z.string().max(max).nullable().optional();

export const accountEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/me',
		operationId: 'getMe',
		summary: 'Das eigene Konto',
		tag: 'Konto',
		access: 'user',
		response: accountSchema,
		async handler({ user }) {
			return summaryOf(user!.id);
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/me',
		operationId: 'updateMe',
		summary: 'Eigene Angaben ändern (Name, Organisation, Funktion, Telefon)',
		description: 'E-Mail-Adresse, Rolle und Gebiet ändert die Koordinierungsstelle. Felder, die fehlen, bleiben unverändert; null oder "" löscht eine Angabe.',
		tag: 'Konto',
		access: 'user',
		body: z.object({
			name: z.string().min(2).max(200).optional(),
			organisation: optionalText(200),
			position: optionalText(200),
			phone: optionalText(50)
		}),
		response: accountSchema,
		async handler({ user, actor, body }) {
			await apiFields(() => updateOwnAccount(db(), actor, body));
			return summaryOf(user!.id);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/me/tokens',
		operationId: 'listMyTokens',
		summary: 'Eigene API-Tokens (ohne Geheimnis)',
		tag: 'Konto',
		access: 'user',
		response: listOf(tokenSchema),
		async handler({ user }) {
			const items = await listApiTokens(db(), user!.id);
			return {
				items: items.map((t) => ({ id: t.id, name: t.name, prefix: t.prefix, created_at: t.createdAt.toISOString(), last_used_at: t.lastUsedAt?.toISOString() ?? null })),
				total: items.length
			};
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/me/tokens',
		operationId: 'createMyToken',
		summary: 'Neuen API-Token erzeugen',
		description: 'Der Token steht nur in dieser Antwort (Feld token); gespeichert wird nur sein Hash.',
		tag: 'Konto',
		access: 'user',
		status: 201,
		body: z.object({ name: z.string().trim().min(1, 'Bitte geben Sie an, wofür der Token ist.').max(100).describe('Wofür der Token ist') }),
		response: tokenSchema.extend({ token: z.string().describe('Der Token; wird nur jetzt angezeigt') }),
		async handler({ user, actor, body }) {
			const t = await db().transaction((tx) => createApiToken(tx, actor, { userId: user!.id, name: body.name }));
			return { id: t.id, name: t.name, prefix: t.prefix, created_at: t.createdAt.toISOString(), last_used_at: null, token: t.token };
		}
	}),
	defineEndpoint({
		method: 'DELETE',
		path: '/me/tokens/{id}',
		operationId: 'revokeMyToken',
		summary: 'Eigenen API-Token widerrufen',
		tag: 'Konto',
		access: 'user',
		status: 204,
		params: tokenIdParam,
		async handler({ user, actor, params }) {
			const ok = await db().transaction((tx) => revokeApiToken(tx, actor, { userId: user!.id, tokenId: params.id }));
			if (!ok) throw notFound('Diesen Token gibt es nicht oder er ist bereits widerrufen.');
			return null;
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/auth/password-reset',
		operationId: 'requestPasswordReset',
		summary: 'Link zum Zurücksetzen des Passworts anfordern',
		description:
			'Antwortet immer mit 202, auch für unbekannte Adressen, damit niemand erfährt, ob ein Konto besteht. Bestehende Konten erhalten eine E-Mail mit einem Link, der 60 Minuten gilt.',
		tag: 'Konto',
		access: 'public',
		status: 202,
		body: z.object({ email: z.string().max(254).describe('E-Mail-Adresse des Kontos') }),
		response: accepted,
		async handler({ actor, body }) {
			await apiFields(() => requestPasswordReset(db(), actor, { email: body.email }));
			return { detail: 'Wenn ein Konto mit dieser Adresse besteht, haben wir eine E-Mail mit einem Link zum Zurücksetzen des Passworts geschickt.' };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/users',
		operationId: 'listUsers',
		summary: 'Benutzerkonten',
		tag: 'Benutzerverwaltung',
		access: 'coordinator',
		query: pageQuery.extend({
			q: z.string().trim().max(100).optional().describe('Suche in Name, E-Mail, Organisation, Gebiet oder AGS-Anfang'),
			role: role.optional(),
			status: status.optional()
		}),
		response: listOf(accountSchema),
		async handler({ query }) {
			const { items, total } = await listUsers(db(), query);
			return { items: items.map(toApi), total };
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/users',
		operationId: 'inviteUser',
		summary: 'Person einladen',
		description: 'Legt ein Konto mit Status invited an und schickt eine Einladung, die 7 Tage gilt. 409, wenn die E-Mail-Adresse schon vergeben ist.',
		tag: 'Benutzerverwaltung',
		access: 'coordinator',
		status: 201,
		body: z.object({
			email: z.string().max(254),
			name: z.string().max(200),
			role,
			area_ags: ags.nullable().optional().describe('Pflicht für member_contact'),
			organisation: optionalText(200),
			position: optionalText(200)
		}),
		response: accountSchema,
		async handler({ actor, body }) {
			const u = await apiFields(() =>
				inviteUser(db(), actor, { email: body.email, name: body.name, role: body.role, areaAgs: body.area_ags, organisation: body.organisation, position: body.position })
			);
			return summaryOf(u.id);
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/users/{id}',
		operationId: 'getUser',
		summary: 'Ein Benutzerkonto',
		tag: 'Benutzerverwaltung',
		access: 'coordinator',
		params: idParam,
		response: accountSchema,
		async handler({ params }) {
			return summaryOf(params.id);
		}
	}),
	defineEndpoint({
		method: 'PATCH',
		path: '/users/{id}',
		operationId: 'updateUser',
		summary: 'Benutzerkonto ändern oder sperren',
		description: 'status disabled sperrt Anmeldung und API-Tokens und beendet alle Sitzungen; active hebt das auf. Das eigene Konto lässt sich nicht sperren und die eigene Rolle nicht ändern.',
		tag: 'Benutzerverwaltung',
		access: 'coordinator',
		params: idParam,
		body: z.object({
			name: z.string().max(200).optional(),
			role: role.optional(),
			area_ags: ags.nullable().optional(),
			organisation: optionalText(200),
			position: optionalText(200),
			status: z.enum(['active', 'disabled']).optional()
		}),
		response: accountSchema,
		async handler({ actor, params, body }) {
			await apiFields(() =>
				updateUser(db(), actor, {
					userId: params.id,
					name: body.name,
					role: body.role,
					areaAgs: body.area_ags,
					organisation: body.organisation,
					position: body.position,
					status: body.status
				})
			);
			return summaryOf(params.id);
		}
	}),
	defineEndpoint({
		method: 'POST',
		path: '/users/{id}/invitation',
		operationId: 'resendInvitation',
		summary: 'Einladung erneut senden',
		description: 'Nur für Konten mit Status invited (sonst 409). Frühere Einladungslinks werden ungültig.',
		tag: 'Benutzerverwaltung',
		access: 'coordinator',
		status: 202,
		params: idParam,
		response: accepted.extend({ expires_at: z.string() }),
		async handler({ actor, params }) {
			const { expiresAt } = await resendInvitation(db(), actor, { userId: params.id });
			return { detail: 'Die Einladung wurde erneut verschickt.', expires_at: expiresAt.toISOString() };
		}
	})
];
