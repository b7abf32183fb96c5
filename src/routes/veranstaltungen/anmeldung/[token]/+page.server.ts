import { error, fail, redirect } from '@sveltejs/kit';
import { REGISTRATION_STATUS_LABELS } from '$lib/events';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { cancelRegistration, changeSessions, chooseCarouselStations, personalSchedule, registrationByToken, submitFeedback } from '$lib/server/events';
import { feedbackResults } from '$lib/server/events';
import { workshopSlots } from '$lib/server/events/view';
import type { Actions, PageServerLoad } from './$types';

const NOTICES: Record<string, string> = {
	neu: 'Vielen Dank – Ihre Anmeldung ist eingegangen. Eine Bestätigung ist per E-Mail unterwegs.',
	abgesagt: 'Ihre Anmeldung ist zurückgezogen. Vielen Dank, dass Sie Bescheid gegeben haben.',
	workshops: 'Ihre Wahl der Workshops ist gespeichert.',
	stationen: 'Ihre Wahl der Stationen ist gespeichert.',
	rueckmeldung: 'Vielen Dank für Ihre Rückmeldung!'
};

export const load: PageServerLoad = async ({ params, url, setHeaders }) => {
	// same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on this page's
	// forms, which the origin check refuses; other sites still never see the link with its token.
	setHeaders({ 'referrer-policy': 'same-origin', 'cache-control': 'no-store' });
	const reg = await registrationByToken(db(), params.token);
	if (!reg) error(404, 'Dieser Link ist ungültig oder wurde durch einen neueren ersetzt. Bitte nutzen Sie den Link aus Ihrer letzten Mail zu dieser Anmeldung.');
	const p = (await personalSchedule(db(), reg.id))!;
	const e = p.event;
	const notice = [...url.searchParams.keys()].map((k) => NOTICES[k]).find(Boolean) ?? null;
	const feedback = e.feedbackOpen ? (await feedbackResults(db(), e.id)).items.find((f) => f.registrationId === reg.id) : undefined;
	const chosen = new Map(p.sessions.filter((s) => s.status !== 'cancelled').map((s) => [s.sessionId, s.status]));
	return {
		notice,
		registration: { id: reg.id, name: reg.name, email: reg.email, status: reg.status, statusLabel: REGISTRATION_STATUS_LABELS[reg.status], waitlistPosition: p.waitlistPosition, checkedIn: !!reg.checkedInAt },
		event: {
			id: e.id,
			title: e.title,
			startsAt: e.startsAt,
			endsAt: e.endsAt,
			format: e.format,
			venue: e.venue,
			address: e.address,
			room: e.room,
			videoUrl: reg.status === 'confirmed' ? e.videoUrl : null,
			status: e.status,
			past: e.endsAt.getTime() < Date.now(),
			started: e.startsAt.getTime() < Date.now(),
			feedbackOpen: e.feedbackOpen
		},
		items: p.items,
		slots: workshopSlots(e).map((s) => ({ ...s, chosen: s.options.find((o) => chosen.has(o.id))?.id ?? null, chosenStatus: s.options.map((o) => chosen.get(o.id)).find(Boolean) ?? null })),
		carousels: e.sessions
			.filter((s) => s.kind === 'carousel' && s.rounds.length && s.stations.length)
			.map((s) => ({
				id: s.id,
				title: s.title,
				stations: s.stations.map((st) => ({ id: st.id, title: st.title, who: [st.presenter, st.areaName].filter(Boolean).join(', ') })),
				rounds: s.rounds.map((r) => ({ id: r.id, number: r.number, startsAt: r.startsAt, endsAt: r.endsAt, stationId: p.assignments.find((a) => a.roundId === r.id)?.stationId ?? null }))
			})),
		feedback: feedback ? { rating: feedback.rating, text: feedback.text ?? '', quoteConsent: feedback.quoteConsent } : null
	};
};

function failWith(form: string, e: unknown, values: Record<string, string> = {}) {
	const f = formFailure(e);
	if (!f) throw e;
	return fail(f.status, { form, values, errors: f.errors });
}

export const actions: Actions = {
	absagen: async ({ params, locals }) => {
		try {
			await cancelRegistration(db(), locals.actor, { token: params.token });
		} catch (e) {
			return failWith('absagen', e);
		}
		redirect(303, `/veranstaltungen/anmeldung/${params.token}?abgesagt=1`);
	},
	workshops: async ({ params, request, locals }) => {
		const form = await request.formData();
		const ids: number[] = [];
		const values: Record<string, string> = {};
		for (const [k, v] of form.entries()) {
			if (!/^slot_\d{1,3}$/.test(k) || typeof v !== 'string') continue;
			values[k] = v;
			if (/^[1-9]\d{0,9}$/.test(v)) ids.push(Number(v));
		}
		try {
			const reg = await registrationByToken(db(), params.token);
			if (!reg) error(404, 'Dieser Link ist ungültig.');
			await changeSessions(db(), locals.actor, { registrationId: reg.id, token: params.token, sessionIds: ids });
		} catch (e) {
			return failWith('workshops', e, values);
		}
		redirect(303, `/veranstaltungen/anmeldung/${params.token}?workshops=1`);
	},
	stationen: async ({ params, request, locals }) => {
		const form = await request.formData();
		const choices: Record<string, number> = {};
		const values: Record<string, string> = {};
		for (const [k, v] of form.entries()) {
			const m = /^runde_(\d{1,10})$/.exec(k);
			if (!m || typeof v !== 'string') continue;
			values[k] = v;
			if (/^[1-9]\d{0,9}$/.test(v)) choices[m[1]] = Number(v);
		}
		try {
			const reg = await registrationByToken(db(), params.token);
			if (!reg) error(404, 'Dieser Link ist ungültig.');
			await chooseCarouselStations(db(), locals.actor, { registrationId: reg.id, token: params.token, choices });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			const errors: FormErrors = {};
			for (const [k, v] of Object.entries(f.errors)) errors[k.startsWith('choices.') ? `runde_${k.slice(8)}` : k] = v;
			return fail(f.status, { form: 'stationen', values, errors });
		}
		redirect(303, `/veranstaltungen/anmeldung/${params.token}?stationen=1`);
	},
	rueckmeldung: async ({ params, request, locals }) => {
		const form = await request.formData();
		const values = { rating: text(form, 'rating'), text: text(form, 'text').trim(), quote_consent: text(form, 'quote_consent') ? 'on' : '' };
		if (!/^[1-5]$/.test(values.rating)) return fail(400, { form: 'rueckmeldung', values, errors: { rating: ['Bitte wählen Sie eine Bewertung von 1 bis 5.'] } as FormErrors });
		try {
			await submitFeedback(db(), locals.actor, { token: params.token, rating: Number(values.rating), text: values.text, quoteConsent: values.quote_consent === 'on' });
		} catch (e) {
			return failWith('rueckmeldung', e, values);
		}
		redirect(303, `/veranstaltungen/anmeldung/${params.token}?rueckmeldung=1`);
	}
};
