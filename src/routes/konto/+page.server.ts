import { error, fail, redirect } from '@sveltejs/kit';
import {
	changePassword,
	createApiToken,
	endOtherSessions,
	getUserSummary,
	listApiTokens,
	listSessions,
	revokeApiToken,
	ROLE_LABELS,
	updateOwnAccount
} from '$lib/server/accounts';
import { checkNewPassword, formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { PASSWORD_RULE } from '$lib/server/accounts/passwords';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

const NOTICES = {
	daten: 'Ihre Angaben sind gespeichert.',
	passwort: 'Ihr neues Passwort ist gespeichert. Alle anderen Anmeldungen wurden beendet.',
	widerrufen: 'Der API-Token ist widerrufen und funktioniert nicht mehr.',
	sitzungen: 'Alle anderen Anmeldungen wurden beendet.'
} as const;

/** A short, readable browser description instead of the whole user agent string. */
function browserOf(ua: string | null): string {
	if (!ua) return 'Unbekannter Browser';
	const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : null;
	const os = /Windows/.test(ua) ? 'Windows' : /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : null;
	if (!browser && !os) return ua.slice(0, 60);
	return [browser, os].filter(Boolean).join(' unter ');
}

export const load: PageServerLoad = async ({ locals, url }) => {
	if (!locals.user) redirect(303, '/anmelden?ziel=/konto');
	const account = await getUserSummary(db(), locals.user.id);
	if (!account) error(401, 'Bitte melden Sie sich erneut an.');
	const [tokens, sessions] = await Promise.all([listApiTokens(db(), account.id), listSessions(db(), account.id)]);
	const saved = url.searchParams.get('gespeichert');
	return {
		account: {
			name: account.name,
			email: account.email,
			role: ROLE_LABELS[account.role],
			areaAgs: account.areaAgs,
			areaName: account.areaName,
			organisation: account.organisation,
			position: account.position,
			phone: account.phone
		},
		tokens,
		sessions: sessions.map((s) => ({ current: s.id === locals.sessionId, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, browser: browserOf(s.userAgent) })),
		welcome: url.searchParams.get('willkommen') === '1',
		notice: saved && saved in NOTICES ? NOTICES[saved as keyof typeof NOTICES] : null,
		rule: PASSWORD_RULE
	};
};

function requireUser(event: RequestEvent) {
	if (!event.locals.user) redirect(303, '/anmelden?ziel=/konto');
	return event.locals.user;
}

export const actions: Actions = {
	daten: async (event) => {
		requireUser(event);
		const form = await event.request.formData();
		const values = { name: text(form, 'name'), organisation: text(form, 'organisation'), position: text(form, 'position'), phone: text(form, 'phone') };
		try {
			await updateOwnAccount(db(), event.locals.actor, values);
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'daten' as const, values, errors: f.errors });
		}
		redirect(303, '/konto?gespeichert=daten#daten');
	},

	passwort: async (event) => {
		requireUser(event);
		const form = await event.request.formData();
		const current = text(form, 'current_password');
		const password = text(form, 'password');
		const errors: FormErrors = checkNewPassword(password, text(form, 'password_confirm'));
		if (!current) errors.current_password = ['Bitte geben Sie Ihr aktuelles Passwort an.'];
		if (Object.keys(errors).length) return fail(400, { form: 'passwort' as const, errors });
		try {
			await changePassword(db(), event.locals.actor, { currentPassword: current, newPassword: password, keepSessionId: event.locals.sessionId });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'passwort' as const, errors: f.errors });
		}
		redirect(303, '/konto?gespeichert=passwort#passwort');
	},

	token: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const name = text(form, 'name').trim();
		if (!name) return fail(400, { form: 'token' as const, values: { name }, errors: { name: ['Bitte geben Sie an, wofür der Token ist, z. B. „Tabellenabgleich“.'] } as FormErrors });
		if (name.length > 100) return fail(400, { form: 'token' as const, values: { name }, errors: { name: ['Bitte höchstens 100 Zeichen.'] } as FormErrors });
		const created = await db().transaction((tx) => createApiToken(tx, event.locals.actor, { userId: user.id, name }));
		// No redirect: the secret is shown this one time and must not end up in a URL.
		return { form: 'token' as const, created: { name: created.name, token: created.token } };
	},

	widerrufen: async (event) => {
		const user = requireUser(event);
		const form = await event.request.formData();
		const tokenId = Number(text(form, 'token_id'));
		const ok =
			Number.isInteger(tokenId) && tokenId > 0 && tokenId < 2 ** 31 && (await db().transaction((tx) => revokeApiToken(tx, event.locals.actor, { userId: user.id, tokenId })));
		if (!ok) return fail(404, { form: 'widerrufen' as const, errors: { '': ['Diesen Token gibt es nicht oder er ist bereits widerrufen.'] } as FormErrors });
		redirect(303, '/konto?gespeichert=widerrufen#tokens');
	},

	sitzungen: async (event) => {
		requireUser(event);
		if (!event.locals.sessionId) return fail(400, { form: 'sitzungen' as const, errors: { '': ['Das geht nur mit einer Anmeldung im Browser.'] } as FormErrors });
		await endOtherSessions(db(), event.locals.actor, { keepSessionId: event.locals.sessionId });
		redirect(303, '/konto?gespeichert=sitzungen#sitzungen');
	}
};
