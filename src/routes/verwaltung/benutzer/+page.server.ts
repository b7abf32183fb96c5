import { fail, redirect } from '@sveltejs/kit';
import {
	getUserSummary,
	INVITATION_DAYS,
	inviteUser,
	listUsers,
	resendInvitation,
	ROLE_LABELS,
	ROLES,
	setUserStatus,
	STATUS_LABELS,
	USER_STATUSES,
	type Role,
	type UserStatus
} from '$lib/server/accounts';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import type { Actions, PageServerLoad, RequestEvent } from './$types';
import { idOf, requireCoordinatorPage as requireCoordinator } from '../admin';

const PAGE_SIZE = 50;

export const load: PageServerLoad = async ({ locals, url }) => {
	const me = requireCoordinator(locals, url);
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const roleParam = url.searchParams.get('rolle') ?? '';
	const role = (ROLES as string[]).includes(roleParam) ? (roleParam as Role) : undefined;
	const statusParam = url.searchParams.get('status') ?? '';
	const status = (USER_STATUSES as string[]).includes(statusParam) ? (statusParam as UserStatus) : undefined;
	const offsetParam = Number(url.searchParams.get('offset') ?? 0);
	const offset = Number.isInteger(offsetParam) && offsetParam > 0 ? Math.min(offsetParam, 1_000_000) : 0;
	const { items, total } = await listUsers(db(), { q: q || undefined, role, status, limit: PAGE_SIZE, offset });

	let notice: { kind: 'eingeladen' | 'erneut' | 'deaktiviert' | 'reaktiviert'; name: string; email: string } | null = null;
	for (const kind of ['eingeladen', 'erneut', 'deaktiviert', 'reaktiviert'] as const) {
		const id = idOf(url.searchParams.get(kind));
		const u = id ? await getUserSummary(db(), id) : undefined;
		if (u) notice = { kind, name: u.name, email: u.email };
	}

	return {
		users: items.map((u) => ({
			id: u.id,
			name: u.name,
			email: u.email,
			role: ROLE_LABELS[u.role],
			areaAgs: u.areaAgs,
			areaName: u.areaName,
			organisation: u.organisation,
			status: u.status,
			statusLabel: STATUS_LABELS[u.status],
			lastLoginAt: u.lastLoginAt,
			self: u.id === me.id
		})),
		total,
		limit: PAGE_SIZE,
		offset,
		filter: { q, rolle: role ?? '', status: status ?? '' },
		roleOptions: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
		statusOptions: USER_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] })),
		invitationDays: INVITATION_DAYS,
		notice,
		url: url.toString()
	};
};

/** The list the action was posted from (search, filters, page) with a notice about the result. */
function back(event: RequestEvent, notice: string, id: number): string {
	const params = new URLSearchParams();
	for (const k of ['q', 'rolle', 'status', 'offset']) {
		const v = event.url.searchParams.get(k);
		if (v) params.set(k, v);
	}
	params.set(notice, String(id));
	return `${event.url.pathname}?${params}`;
}

function userIdOf(form: FormData): number | undefined {
	return idOf(text(form, 'user_id'));
}

export const actions: Actions = {
	einladen: async (event) => {
		requireCoordinator(event.locals, event.url);
		const form = await event.request.formData();
		const values = {
			email: text(form, 'email').trim(),
			name: text(form, 'name').trim(),
			role: text(form, 'role'),
			area_ags: text(form, 'area_ags').trim(),
			organisation: text(form, 'organisation').trim(),
			position: text(form, 'position').trim()
		};
		const errors: FormErrors = {};
		if (!values.email) errors.email = ['Bitte geben Sie die E-Mail-Adresse der Person an.'];
		if (!values.name) errors.name = ['Bitte geben Sie den Namen der Person an.'];
		if (!(ROLES as string[]).includes(values.role)) errors.role = ['Bitte wählen Sie eine Rolle aus.'];
		if (values.role === 'member_contact' && !values.area_ags) errors.area_ags = ['Eine kommunale Ansprechperson braucht den AGS ihrer Kommune.'];
		if (Object.keys(errors).length) return fail(400, { form: 'einladen' as const, values, errors });
		let id: number;
		try {
			const user = await inviteUser(db(), event.locals.actor, {
				email: values.email,
				name: values.name,
				role: values.role as Role,
				areaAgs: values.area_ags || null,
				organisation: values.organisation || null,
				position: values.position || null
			});
			id = user.id;
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'einladen' as const, values, errors: f.errors });
		}
		redirect(303, back(event, 'eingeladen', id));
	},

	erneut: async (event) => {
		requireCoordinator(event.locals, event.url);
		const userId = userIdOf(await event.request.formData());
		if (!userId) return fail(400, { form: 'liste' as const, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await resendInvitation(db(), event.locals.actor, { userId });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'liste' as const, errors: f.errors });
		}
		redirect(303, back(event, 'erneut', userId));
	},

	status: async (event) => {
		requireCoordinator(event.locals, event.url);
		const form = await event.request.formData();
		const userId = userIdOf(form);
		const status = text(form, 'status');
		if (!userId || (status !== 'active' && status !== 'disabled')) return fail(400, { form: 'liste' as const, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await setUserStatus(db(), event.locals.actor, { userId, status });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'liste' as const, errors: f.errors });
		}
		redirect(303, back(event, status === 'disabled' ? 'deaktiviert' : 'reaktiviert', userId));
	}
};
