import { error, fail, redirect } from '@sveltejs/kit';
import { asc, inArray, sql } from 'drizzle-orm';
import { EVENT_AUDIENCE_LABELS, EVENT_FORMAT_LABELS, EVENT_KIND_LABELS, SESSION_KIND_LABELS, type RegistrationField } from '$lib/events';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { areas } from '$lib/server/areas/schema';
import { db } from '$lib/server/db';
import { getEvent, hasConfirmedPlace, mayRegister, myRegistrations, publishedQuotes, register, registrationWindow, userDefaults } from '$lib/server/events';
import { markdownHtml, workshopSlots } from '$lib/server/events/view';
import type { Actions, PageServerLoad } from './$types';

function eventId(param: string): number {
	if (!/^[1-9]\d{0,9}$/.test(param) || Number(param) > 2_147_483_647) error(404, 'Diese Veranstaltung gibt es nicht.');
	return Number(param);
}

/** Gemeinden and Kreise for the municipality choice, sorted the German way. */
async function areaOptions() {
	const rows = await db()
		.select({ ags: areas.ags, name: areas.name, kind: areas.kind })
		.from(areas)
		.where(inArray(areas.kind, ['gemeinde', 'kreis']))
		.orderBy(sql`${areas.name} collate "de-x-icu"`, asc(areas.ags));
	return rows.map((r) => ({ value: r.ags, label: r.kind === 'kreis' ? `${r.name} (Kreis)` : r.name }));
}

export const load: PageServerLoad = async ({ params, locals }) => {
	const id = eventId(params.id);
	const e = await getEvent(db(), id);
	if (!e) error(404, 'Diese Veranstaltung gibt es nicht.');
	const user = locals.user;
	const isCoordinator = user?.role === 'coordinator';
	const [confirmedPlace, quotes, mine, defaults] = await Promise.all([
		hasConfirmedPlace(db(), id, user),
		publishedQuotes(db(), id),
		user ? myRegistrations(db(), user) : Promise.resolve([]),
		user ? userDefaults(db(), user.id) : Promise.resolve(undefined)
	]);
	const own = mine.find((r) => r.event.id === id && r.registration.status !== 'cancelled')?.registration;
	const window = registrationWindow(e);
	const allowed = mayRegister(e.audience, locals.actor);
	const ask = new Set(e.askFields as RegistrationField[]);
	const documented = !!e.documentationPublishedAt || isCoordinator;
	return {
		event: {
			id: e.id,
			kind: EVENT_KIND_LABELS[e.kind],
			title: e.title,
			summary: e.summary,
			descriptionHtml: markdownHtml(e.description),
			startsAt: e.startsAt,
			endsAt: e.endsAt,
			format: e.format,
			formatLabel: EVENT_FORMAT_LABELS[e.format],
			venue: e.venue,
			address: e.address,
			room: e.room,
			audience: EVENT_AUDIENCE_LABELS[e.audience],
			status: e.status,
			capacity: e.capacity,
			confirmed: e.confirmed,
			waitlisted: e.waitlisted,
			perAreaLimit: e.perAreaLimit,
			registrationClosesAt: e.registrationClosesAt ?? e.startsAt,
			contactName: e.contactName,
			contactEmail: e.contactEmail,
			contactPhone: e.contactPhone,
			videoUrl: confirmedPlace || isCoordinator ? e.videoUrl : null,
			past: e.endsAt.getTime() < Date.now(),
			documentationHtml: documented ? markdownHtml(e.documentation) : '',
			documentationPublished: !!e.documentationPublishedAt
		},
		programme: e.sessions.map((s) => ({
			id: s.id,
			kind: s.kind,
			kindLabel: SESSION_KIND_LABELS[s.kind],
			title: s.title,
			description: s.description,
			startsAt: s.startsAt,
			endsAt: s.endsAt,
			room: s.room,
			speakers: s.speakers,
			capacity: s.capacity,
			confirmed: s.confirmed,
			stations: s.stations.map((st) => ({ id: st.id, title: st.title, presenter: st.presenter, areaName: st.areaName })),
			rounds: s.rounds.map((r) => ({ number: r.number, startsAt: r.startsAt, endsAt: r.endsAt }))
		})),
		slots: workshopSlots(e),
		files: e.files.filter((f) => !f.documentation || documented).map((f) => ({ id: f.id, title: f.title, fileName: f.fileName, size: f.size, documentation: f.documentation })),
		quotes: quotes.map((q) => q.text).filter((q): q is string => !!q),
		registration: {
			open: window.open && allowed,
			windowMessage: window.message ?? null,
			needsLogin: window.open && !allowed && !user,
			notAllowed: window.open && !allowed && !!user,
			ask: {
				organisation: ask.has('organisation'),
				area: ask.has('area'),
				position: ask.has('position'),
				accessibility: ask.has('accessibility'),
				dietary: ask.has('dietary'),
				photoConsent: ask.has('photo_consent'),
				listConsent: ask.has('list_consent')
			},
			own: own ? { status: own.status } : null,
			defaults: defaults && !isCoordinator
				? { name: defaults.name, email: defaults.email, organisation: defaults.organisation ?? '', position: defaults.position ?? '', area_ags: defaults.areaAgs ?? '' }
				: { name: '', email: '', organisation: '', position: '', area_ags: '' }
		},
		areaOptions: ask.has('area') && window.open && allowed ? await areaOptions() : []
	};
};

export const actions: Actions = {
	anmelden: async ({ params, request, locals }) => {
		const id = eventId(params.id);
		const form = await request.formData();
		const values: Record<string, string> = {};
		for (const k of ['name', 'email', 'organisation', 'area_ags', 'position', 'accessibility_needs', 'dietary_needs']) values[k] = text(form, k).trim();
		values.photo_consent = text(form, 'photo_consent') ? 'on' : '';
		values.list_consent = text(form, 'list_consent') ? 'on' : '';
		const sessionIds: number[] = [];
		const errors: FormErrors = {};
		for (const [key, v] of form.entries()) {
			if (!/^slot_\d{1,3}$/.test(key) || typeof v !== 'string') continue;
			values[key] = v;
			if (v === '' || v === 'keiner') continue;
			if (/^[1-9]\d{0,9}$/.test(v)) sessionIds.push(Number(v));
			else errors[key] = ['Bitte wählen Sie einen Workshop aus der Liste.'];
		}
		if (!values.name) errors.name = ['Bitte geben Sie Ihren Namen an.'];
		if (!values.email) errors.email = ['Bitte geben Sie Ihre E-Mail-Adresse an.'];
		if (Object.keys(errors).length) return fail(400, { values, errors });
		let token: string;
		try {
			const r = await register(db(), locals.actor, {
				eventId: id,
				name: values.name,
				email: values.email,
				organisation: values.organisation,
				areaAgs: values.area_ags,
				position: values.position,
				accessibilityNeeds: values.accessibility_needs,
				dietaryNeeds: values.dietary_needs,
				photoConsent: values.photo_consent === 'on',
				listConsent: values.list_consent === 'on',
				sessionIds
			});
			token = r.cancelToken;
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			// The workshop choice is one field in the domain, one radio group per slot in the form.
			if (f.errors.session_ids) {
				f.errors.workshops = f.errors.session_ids;
				delete f.errors.session_ids;
			}
			return fail(f.status, { values, errors: f.errors });
		}
		redirect(303, `/veranstaltungen/anmeldung/${token}?neu=1`);
	}
};
