import { fail, redirect } from '@sveltejs/kit';
import { berlinDate, berlinTime, EVENT_KIND_LABELS, fromBerlin, SESSION_KIND_LABELS, type SessionKind } from '$lib/events';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { addCarouselRound, addCarouselStation, addSession, autoAssignCarousel, deleteSession, updateEvent } from '$lib/server/events';
import { idOf, requireCoordinatorPage } from '../../admin';
import { eventInput, formErrors, optionalInt, options, readEventForm, valuesOf } from '../form';
import type { Actions, PageServerLoad } from './$types';
import { eventIdOf, loadEvent } from './shared';

const NOTICES: Record<string, string> = {
	angelegt: 'Die Veranstaltung ist angelegt. Ergänzen Sie jetzt das Programm.',
	gespeichert: 'Die Änderungen sind gespeichert. Bei geänderter Zeit oder geändertem Ort haben alle Angemeldeten eine Mail erhalten.',
	abgesagt: 'Die Veranstaltung ist abgesagt; alle Angemeldeten haben eine Mail erhalten.',
	programm: 'Der Programmpunkt ist gespeichert.',
	geloescht: 'Der Programmpunkt ist entfernt.',
	station: 'Die Station ist angelegt.',
	runde: 'Die Runde ist angelegt.',
	zugeteilt: 'Die offenen Runden sind zugeteilt.'
};

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const e = await loadEvent(params.id);
	return {
		notice: [...url.searchParams.keys()].map((k) => NOTICES[k]).find(Boolean) ?? null,
		event: { id: e.id, title: e.title, kind: EVENT_KIND_LABELS[e.kind], status: e.status, startsAt: e.startsAt, endsAt: e.endsAt, confirmed: e.confirmed, waitlisted: e.waitlisted, capacity: e.capacity, date: berlinDate(e.startsAt) },
		values: valuesOf(e),
		options,
		sessions: e.sessions.map((s) => ({
			id: s.id,
			kind: s.kind,
			kindLabel: SESSION_KIND_LABELS[s.kind],
			title: s.title,
			from: berlinTime(s.startsAt),
			to: berlinTime(s.endsAt),
			room: s.room,
			capacity: s.capacity,
			confirmed: s.confirmed,
			waitlisted: s.waitlisted,
			stations: s.stations.map((st) => ({ id: st.id, title: st.title, who: [st.presenter, st.areaName].filter(Boolean).join(', '), capacity: st.capacity })),
			rounds: s.rounds.map((r) => ({ id: r.id, number: r.number, from: berlinTime(r.startsAt), to: berlinTime(r.endsAt) }))
		}))
	};
};

function failure(form: string, e: unknown, values: Record<string, unknown>) {
	const f = formFailure(e);
	if (!f) throw e;
	return fail(f.status, { form, values, errors: formErrors(f.errors) });
}

export const actions: Actions = {
	speichern: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const values = readEventForm(await request.formData());
		const { errors, input } = eventInput(values);
		if (Object.keys(errors).length) return fail(400, { form: 'speichern', values, errors });
		try {
			await updateEvent(db(), locals.actor, { eventId: id, ...(input as object) } as Parameters<typeof updateEvent>[2]);
		} catch (e) {
			return failure('speichern', e, values);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?gespeichert=1`);
	},
	absagen: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const values = { reason: text(form, 'reason').trim(), confirm: text(form, 'confirm') };
		if (!values.confirm) return fail(400, { form: 'absagen', values, errors: { confirm: ['Bitte bestätigen Sie die Absage.'] } as FormErrors });
		try {
			await updateEvent(db(), locals.actor, { eventId: id, status: 'cancelled', cancelReason: values.reason });
		} catch (e) {
			return failure('absagen', e, values);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?abgesagt=1`);
	},
	programmpunkt: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const values = Object.fromEntries(['kind', 'title', 'date', 'from', 'to', 'room', 'speakers', 'capacity', 'description'].map((k) => [k, text(form, k).trim()]));
		const errors: FormErrors = {};
		const startsAt = fromBerlin(values.date, values.from);
		const endsAt = fromBerlin(values.date, values.to);
		if (!startsAt) errors.from = ['Bitte geben Sie den Beginn als Uhrzeit (HH:MM) an.'];
		if (!endsAt) errors.to = ['Bitte geben Sie das Ende als Uhrzeit (HH:MM) an.'];
		const capacity = optionalInt(values.capacity, 'capacity', errors);
		if (Object.keys(errors).length) return fail(400, { form: 'programmpunkt', values, errors });
		try {
			await addSession(db(), locals.actor, {
				eventId: id,
				kind: values.kind as SessionKind,
				title: values.title,
				startsAt: startsAt!,
				endsAt: endsAt!,
				room: values.room,
				speakers: values.speakers,
				description: values.description,
				capacity
			});
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			const errs = formErrors(f.errors);
			if (errs.start_date) {
				errs.from = errs.start_date;
				delete errs.start_date;
			}
			if (errs.end_time) {
				errs.to = errs.end_time;
				delete errs.end_time;
			}
			return fail(f.status, { form: 'programmpunkt', values, errors: errs });
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?programm=1#programm`);
	},
	loeschen: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const sessionId = idOf(text(await request.formData(), 'session_id'));
		if (!sessionId) return fail(400, { form: 'programm', values: {}, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await deleteSession(db(), locals.actor, { sessionId });
		} catch (e) {
			return failure('programm', e, {});
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?geloescht=1#programm`);
	},
	station: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const values = Object.fromEntries(['session_id', 'title', 'area_ags', 'presenter', 'capacity'].map((k) => [k, text(form, k).trim()]));
		const errors: FormErrors = {};
		const capacity = optionalInt(values.capacity, 'capacity', errors);
		const sessionId = idOf(values.session_id);
		if (!sessionId) errors[''] = ['Ungültige Anfrage.'];
		if (Object.keys(errors).length) return fail(400, { form: `station-${values.session_id}`, values, errors });
		try {
			await addCarouselStation(db(), locals.actor, { sessionId: sessionId!, title: values.title, areaAgs: values.area_ags, presenter: values.presenter, capacity });
		} catch (e) {
			return failure(`station-${values.session_id}`, e, values);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?station=1#karussell-${sessionId}`);
	},
	runde: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const e = await loadEvent(params.id);
		const form = await request.formData();
		const values = Object.fromEntries(['session_id', 'from', 'to'].map((k) => [k, text(form, k).trim()]));
		const errors: FormErrors = {};
		const date = berlinDate(e.startsAt);
		const startsAt = fromBerlin(date, values.from);
		const endsAt = fromBerlin(date, values.to);
		if (!startsAt) errors.from = ['Bitte geben Sie den Beginn als Uhrzeit (HH:MM) an.'];
		if (!endsAt) errors.to = ['Bitte geben Sie das Ende als Uhrzeit (HH:MM) an.'];
		const sessionId = idOf(values.session_id);
		if (!sessionId) errors[''] = ['Ungültige Anfrage.'];
		if (Object.keys(errors).length) return fail(400, { form: `runde-${values.session_id}`, values, errors });
		try {
			await addCarouselRound(db(), locals.actor, { sessionId: sessionId!, startsAt: startsAt!, endsAt: endsAt! });
		} catch (err) {
			const f = formFailure(err);
			if (!f) throw err;
			const errs = formErrors(f.errors);
			if (errs.start_date) {
				errs.from = errs.start_date;
				delete errs.start_date;
			}
			return fail(f.status, { form: `runde-${values.session_id}`, values, errors: errs });
		}
		redirect(303, `/verwaltung/veranstaltungen/${e.id}?runde=1#karussell-${sessionId}`);
	},
	zuteilen: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const sessionId = idOf(text(await request.formData(), 'session_id'));
		if (!sessionId) return fail(400, { form: 'programm', values: {}, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await autoAssignCarousel(db(), locals.actor, { sessionId });
		} catch (e) {
			return failure(`zuteilen-${sessionId}`, e, {});
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}?zugeteilt=1#karussell-${sessionId}`);
	}
};
