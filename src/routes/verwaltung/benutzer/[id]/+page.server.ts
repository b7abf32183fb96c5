import { error, fail, redirect } from '@sveltejs/kit';
import { getUserSummary, INVITATION_DAYS, resendInvitation, ROLE_LABELS, ROLES, setUserStatus, STATUS_LABELS, updateUser, type Role } from '$lib/server/accounts';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { listAudit } from '$lib/server/audit';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { idOf, requireCoordinatorPage as requireCoordinator } from '../../admin';

const NOTICES = {
	gespeichert: 'Die Änderungen sind gespeichert.',
	erneut: `Die Einladung wurde erneut verschickt; der neue Link gilt ${INVITATION_DAYS} Tage, frühere Links gelten nicht mehr.`,
	deaktiviert: 'Das Konto ist deaktiviert. Die Person kann sich nicht mehr anmelden, ihre API-Tokens funktionieren nicht mehr.',
	reaktiviert: 'Das Konto ist wieder aktiv.'
} as const;

const ACTIONS: Record<string, string> = {
	'user.created': 'Konto angelegt',
	'user.invited': 'Eingeladen',
	'user.invitation_resent': 'Einladung erneut gesendet',
	'user.invitation_accepted': 'Einladung angenommen',
	'user.updated': 'Angaben geändert',
	'user.disabled': 'Deaktiviert',
	'user.reactivated': 'Reaktiviert',
	'user.password_changed': 'Passwort geändert',
	'password_reset.requested': 'Neues Passwort angefordert',
	'password_reset.completed': 'Passwort zurückgesetzt',
	'session.created': 'Angemeldet',
	'session.ended': 'Abgemeldet',
	'session.ended_others': 'Andere Anmeldungen beendet',
	'session.login_failed': 'Anmeldung fehlgeschlagen'
};

const FIELDS: Record<string, string> = { name: 'Name', role: 'Rolle', areaAgs: 'AGS', organisation: 'Organisation', position: 'Funktion', phone: 'Telefon', status: 'Status' };

/** "Rolle: Lokaler Partner → Kommunale Ansprechperson" for `{field: [old, new]}` changes. */
function describeChanges(changes: unknown): string | null {
	if (!changes || typeof changes !== 'object') return null;
	const parts: string[] = [];
	for (const [k, v] of Object.entries(changes as Record<string, unknown>)) {
		if (!Array.isArray(v) || v.length !== 2 || !(k in FIELDS)) continue;
		const show = (x: unknown) => (x == null || x === '' ? '–' : k === 'role' ? (ROLE_LABELS[x as Role] ?? String(x)) : k === 'status' ? (STATUS_LABELS[x as keyof typeof STATUS_LABELS] ?? String(x)) : String(x));
		parts.push(`${FIELDS[k]}: ${show(v[0])} → ${show(v[1])}`);
	}
	return parts.length ? parts.join('; ') : null;
}

async function target(event: RequestEvent) {
	const me = requireCoordinator(event.locals, event.url);
	const id = idOf(event.params.id);
	const user = id ? await getUserSummary(db(), id) : undefined;
	if (!user) error(404, 'Dieses Konto gibt es nicht.');
	return { me, user };
}

export const load: PageServerLoad = async (event) => {
	const { me, user } = await target(event);
	const history = await listAudit(db(), { objectType: 'user', objectId: String(user.id), limit: 20 });
	const notice = [...event.url.searchParams.keys()].find((k): k is keyof typeof NOTICES => k in NOTICES);
	return {
		user: { ...user, roleLabel: ROLE_LABELS[user.role], statusLabel: STATUS_LABELS[user.status] },
		self: user.id === me.id,
		roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
		history: {
			total: history.total,
			items: history.items.map((h) => ({ id: h.id, at: h.at, action: ACTIONS[h.action] ?? h.action, actor: h.actorLabel, details: describeChanges(h.changes) }))
		},
		notice: notice ? NOTICES[notice] : null
	};
};

export const actions: Actions = {
	speichern: async (event) => {
		const { user } = await target(event);
		const form = await event.request.formData();
		const values = {
			name: text(form, 'name').trim(),
			role: text(form, 'role'),
			area_ags: text(form, 'area_ags').trim(),
			organisation: text(form, 'organisation').trim(),
			position: text(form, 'position').trim()
		};
		const errors: FormErrors = {};
		if (!values.name) errors.name = ['Bitte geben Sie einen Namen an.'];
		if (!(ROLES as string[]).includes(values.role)) errors.role = ['Bitte wählen Sie eine Rolle aus.'];
		if (Object.keys(errors).length) return fail(400, { form: 'speichern' as const, values, errors });
		try {
			await updateUser(db(), event.locals.actor, {
				userId: user.id,
				name: values.name,
				role: values.role as Role,
				areaAgs: values.area_ags || null,
				organisation: values.organisation,
				position: values.position
			});
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'speichern' as const, values, errors: f.errors });
		}
		redirect(303, `/verwaltung/benutzer/${user.id}?gespeichert`);
	},

	erneut: async (event) => {
		const { user } = await target(event);
		try {
			await resendInvitation(db(), event.locals.actor, { userId: user.id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'status' as const, errors: f.errors });
		}
		redirect(303, `/verwaltung/benutzer/${user.id}?erneut`);
	},

	status: async (event) => {
		const { user } = await target(event);
		const status = text(await event.request.formData(), 'status');
		if (status !== 'active' && status !== 'disabled') return fail(400, { form: 'status' as const, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await setUserStatus(db(), event.locals.actor, { userId: user.id, status });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'status' as const, errors: f.errors });
		}
		redirect(303, `/verwaltung/benutzer/${user.id}?${status === 'disabled' ? 'deaktiviert' : 'reaktiviert'}`);
	}
};
