import { fail, redirect } from '@sveltejs/kit';
import { REGISTRATION_STATUS_LABELS, REGISTRATION_STATUSES, type RegistrationStatus } from '$lib/events';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { cancelRegistration, listRegistrations, messageParticipants } from '$lib/server/events';
import { idOf, requireCoordinatorPage } from '../../../admin';
import { eventIdOf, loadEvent } from '../shared';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const e = await loadEvent(params.id);
	const q = (url.searchParams.get('q') ?? '').trim().slice(0, 100);
	const s = url.searchParams.get('status') ?? '';
	const status = (REGISTRATION_STATUSES as readonly string[]).includes(s) ? (s as RegistrationStatus) : undefined;
	const sessionId = idOf(url.searchParams.get('programmpunkt'));
	const { items, total } = await listRegistrations(db(), e.id, { q: q || undefined, status, sessionId });
	const notice = url.searchParams.get('storniert') ? 'Die Anmeldung ist storniert; falls jemand nachrücken konnte, ist die Mail unterwegs.' : url.searchParams.get('gesendet') ? `Die Nachricht ist an ${url.searchParams.get('gesendet')} Personen unterwegs.` : null;
	return {
		notice,
		event: { id: e.id, title: e.title, confirmed: e.confirmed, waitlisted: e.waitlisted, capacity: e.capacity },
		filter: { q, status: status ?? '', programmpunkt: sessionId ? String(sessionId) : '' },
		statusOptions: REGISTRATION_STATUSES.map((x) => ({ value: x, label: REGISTRATION_STATUS_LABELS[x] })),
		sessionOptions: e.sessions.filter((x) => x.kind === 'workshop').map((x) => ({ value: String(x.id), label: x.title })),
		total,
		items: items.map((r, i) => ({
			id: r.id,
			nr: i + 1,
			name: r.name,
			email: r.email,
			organisation: r.organisation,
			areaName: r.areaName,
			status: r.status,
			statusLabel: REGISTRATION_STATUS_LABELS[r.status],
			sessions: r.sessions.filter((x) => x.status !== 'cancelled').map((x) => `${x.title}${x.status === 'waitlisted' ? ' (Warteliste)' : ''}`),
			needs: [r.accessibilityNeeds, r.dietaryNeeds].filter(Boolean).join(' · '),
			checkedIn: !!r.checkedInAt
		}))
	};
};

export const actions: Actions = {
	stornieren: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const registrationId = idOf(text(await request.formData(), 'registration_id'));
		if (!registrationId) return fail(400, { form: 'liste', errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await cancelRegistration(db(), locals.actor, { registrationId });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'liste', errors: f.errors });
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/teilnehmende?storniert=${registrationId}`);
	},
	nachricht: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const values = { subject: text(form, 'subject').trim(), body: text(form, 'body').trim(), include_waitlist: text(form, 'include_waitlist') ? 'on' : '' };
		let sent: number;
		try {
			sent = await messageParticipants(db(), locals.actor, { eventId: id, subject: values.subject, body: values.body, includeWaitlist: values.include_waitlist === 'on' });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { form: 'nachricht', values, errors: f.errors });
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/teilnehmende?gesendet=${sent}`);
	}
};
