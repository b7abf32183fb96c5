import { fail, redirect } from '@sveltejs/kit';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import { feedbackResults, publishQuote, saveDocumentation, setFeedbackOpen } from '$lib/server/events';
import { addEventFile, ALLOWED_EXTENSIONS, deleteEventFile, MAX_FILE_BYTES } from '$lib/server/events/files';
import { idOf, requireCoordinatorPage } from '../../../admin';
import { eventIdOf, loadEvent } from '../shared';
import type { Actions, PageServerLoad } from './$types';

const NOTICES: Record<string, string> = {
	dokumentation: 'Die Dokumentation ist gespeichert.',
	datei: 'Die Datei ist hochgeladen.',
	geloescht: 'Die Datei ist gelöscht.',
	rueckmeldung: 'Die Einstellung zur Rückmeldung ist gespeichert.',
	zitat: 'Die Auswahl der Zitate ist gespeichert.'
};

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const e = await loadEvent(params.id);
	const results = await feedbackResults(db(), e.id);
	return {
		notice: [...url.searchParams.keys()].map((k) => NOTICES[k]).find(Boolean) ?? null,
		event: { id: e.id, title: e.title, documentation: e.documentation ?? '', published: !!e.documentationPublishedAt, feedbackOpen: e.feedbackOpen },
		files: e.files.map((f) => ({ id: f.id, title: f.title, fileName: f.fileName, documentation: f.documentation })),
		allowed: ALLOWED_EXTENSIONS.join(', '),
		maxMb: MAX_FILE_BYTES / 1024 / 1024,
		results: {
			count: results.count,
			average: results.average,
			distribution: results.distribution,
			items: results.items.map((f) => ({ id: f.id, rating: f.rating, text: f.text, quoteConsent: f.quoteConsent, published: !!f.publishedAt }))
		}
	};
};

function failure(form: string, e: unknown, values: Record<string, string> = {}) {
	const f = formFailure(e);
	if (!f) throw e;
	return fail(f.status, { form, values, errors: f.errors });
}

export const actions: Actions = {
	dokumentation: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const values = { documentation: text(form, 'documentation'), publish: text(form, 'publish') ? 'on' : '' };
		try {
			await saveDocumentation(db(), locals.actor, { eventId: id, documentation: values.documentation, publish: values.publish === 'on' });
		} catch (e) {
			return failure('dokumentation', e, values);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/nachbereitung?dokumentation=1`);
	},
	datei: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		let form: FormData;
		try {
			form = await request.formData();
		} catch {
			return fail(400, { form: 'datei', values: {}, errors: { file: ['Die Datei konnte nicht gelesen werden.'] } as FormErrors });
		}
		const file = form.get('file');
		const values = { title: text(form, 'title').trim(), documentation: text(form, 'documentation') ? 'on' : '', consent_confirmed: text(form, 'consent_confirmed') ? 'on' : '' };
		if (!(file instanceof File) || file.size === 0) return fail(400, { form: 'datei', values, errors: { file: ['Bitte wählen Sie eine Datei.'] } as FormErrors });
		if (file.size > MAX_FILE_BYTES) return fail(400, { form: 'datei', values, errors: { file: ['Die Datei ist größer als 20 MB.'] } as FormErrors });
		try {
			await addEventFile(db(), locals.actor, {
				eventId: id,
				title: values.title || file.name,
				fileName: file.name,
				bytes: new Uint8Array(await file.arrayBuffer()),
				documentation: values.documentation === 'on',
				consentConfirmed: values.consent_confirmed === 'on'
			});
		} catch (e) {
			return failure('datei', e, values);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/nachbereitung?datei=1`);
	},
	loeschen: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const fileId = idOf(text(await request.formData(), 'file_id'));
		if (!fileId) return fail(400, { form: 'dateien', values: {}, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await deleteEventFile(db(), locals.actor, { eventId: id, fileId });
		} catch (e) {
			return failure('dateien', e);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/nachbereitung?geloescht=1`);
	},
	rueckmeldung: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const open = text(await request.formData(), 'open') === 'ja';
		await setFeedbackOpen(db(), locals.actor, { eventId: id, open });
		redirect(303, `/verwaltung/veranstaltungen/${id}/nachbereitung?rueckmeldung=1`);
	},
	zitat: async ({ locals, url, params, request }) => {
		requireCoordinatorPage(locals, url);
		const id = eventIdOf(params.id);
		const form = await request.formData();
		const feedbackId = idOf(text(form, 'feedback_id'));
		if (!feedbackId) return fail(400, { form: 'zitate', values: {}, errors: { '': ['Ungültige Anfrage.'] } as FormErrors });
		try {
			await publishQuote(db(), locals.actor, { feedbackId, publish: text(form, 'publish') === 'ja' });
		} catch (e) {
			return failure('zitate', e);
		}
		redirect(303, `/verwaltung/veranstaltungen/${id}/nachbereitung?zitat=1#zitate`);
	}
};
