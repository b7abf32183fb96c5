import { error, fail, redirect } from '@sveltejs/kit';
import { formFailure, text, type FormErrors } from '$lib/server/accounts/forms';
import { db } from '$lib/server/db';
import {
	audiences,
	cancelInfomail,
	DEFAULT_RATE,
	deleteInfomail,
	getInfomail,
	INFOMAIL_STATUS_LABELS,
	infomailProgress,
	ITEM_REF_KINDS,
	LEVEL_LABELS,
	listRecipients,
	previewRecipients,
	RECIPIENT_STATUS_LABELS,
	RECIPIENT_STATUSES,
	resendUncertain,
	sendInfomail,
	sendTestInfomail,
	uncertainCount,
	updateInfomail,
	type RecipientStatus
} from '$lib/server/infomail';
import { bouncesOfInfomail } from '$lib/server/infomail/bounces';
import { INFOMAIL_LEVELS, type InfomailLevel } from '$lib/server/infomail/schema';
import { idOf, offsetOf, requireCoordinatorPage } from '../../admin';
import { berlinTime, formErrorKeys, parseForm, valuesOf, withSlots } from '../form';
import type { Actions, PageServerLoad } from './$types';

function mailId(params: { id: string }): number {
	const id = idOf(params.id);
	if (!id || id > 2_147_483_647) error(404, 'Diese Infomail gibt es nicht.');
	return id;
}

const RECIPIENT_LIMIT = 100;

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const id = mailId(params);
	const mail = await getInfomail(db(), id);
	if (!mail) error(404, 'Diese Infomail gibt es nicht.');
	const editable = mail.status === 'draft' || mail.status === 'scheduled';
	const extra: Partial<Record<InfomailLevel, number>> = {};
	const more = url.searchParams.get('mehr');
	if (more && (INFOMAIL_LEVELS as readonly string[]).includes(more)) extra[more as InfomailLevel] = 2;
	const statusFilter = url.searchParams.get('empfaenger');
	const recipientStatus = (RECIPIENT_STATUSES as readonly string[]).includes(statusFilter ?? '') ? (statusFilter as RecipientStatus) : undefined;
	const offset = offsetOf(url);
	const [progress, preview, recipients, bounces, uncertain] = await Promise.all([
		infomailProgress(db(), id),
		editable ? previewRecipients(db(), mail.audiences, 10) : Promise.resolve(null),
		editable ? Promise.resolve(null) : listRecipients(db(), id, { status: recipientStatus, limit: RECIPIENT_LIMIT, offset }),
		editable ? Promise.resolve([]) : bouncesOfInfomail(db(), id),
		editable ? Promise.resolve(0) : uncertainCount(db(), id)
	]);
	const audienceCounts = editable
		? await Promise.all(audiences().map(async (a) => ({ key: a.key, label: a.label, description: a.description, count: (await previewRecipients(db(), [a.key], 0)).total })))
		: [];
	return {
		mail: { id: mail.id, subject: mail.subject, status: mail.status, statusLabel: INFOMAIL_STATUS_LABELS[mail.status], scheduledAt: mail.scheduledAt, startedAt: mail.startedAt, finishedAt: mail.finishedAt, ratePerSecond: mail.ratePerSecond, audiences: mail.audiences },
		editable,
		values: withSlots(valuesOf(mail), extra),
		levels: INFOMAIL_LEVELS.map((l) => ({ key: l, label: LEVEL_LABELS[l] })),
		refKinds: Object.entries(ITEM_REF_KINDS).map(([value, k]) => ({ value, label: k.label })),
		audienceCounts,
		preview,
		progress,
		uncertain,
		recipients: recipients ? { ...recipients, items: recipients.items.map((r) => ({ ...r, statusLabel: RECIPIENT_STATUS_LABELS[r.status] })) } : null,
		recipientStatus: recipientStatus ?? '',
		recipientStatusOptions: RECIPIENT_STATUSES.map((s) => ({ value: s, label: RECIPIENT_STATUS_LABELS[s] })),
		recipientLimit: RECIPIENT_LIMIT,
		offset,
		url: url.toString(),
		bounces: bounces.map((b) => ({ email: b.email, kind: b.kind, reason: b.reason, occurredAt: b.occurredAt })),
		defaultRate: mail.ratePerSecond || DEFAULT_RATE,
		ownEmail: locals.user!.email,
		notice: url.searchParams.get('hinweis'),
		copied: url.searchParams.get('kopie') === '1'
	};
};

export const actions: Actions = {
	speichern: async ({ request, locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		const form = await request.formData();
		const { values, input, origins } = parseForm(form);
		try {
			await updateInfomail(db(), locals.actor, { id, ...input });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'speichern' as const, values: withSlots(values), errors: formErrorKeys(f.errors, origins) });
		}
		const add = text(form, 'add');
		if ((INFOMAIL_LEVELS as readonly string[]).includes(add)) redirect(303, `/verwaltung/infomail/${id}?mehr=${add}#ebene-${add}`);
		redirect(303, `/verwaltung/infomail/${id}?hinweis=gespeichert`);
	},
	testmail: async ({ request, locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		const email = text(await request.formData(), 'email').trim();
		try {
			await sendTestInfomail(db(), locals.actor, { id, email });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'testmail' as const, testEmail: email, errors: f.errors as FormErrors });
		}
		redirect(303, `/verwaltung/infomail/${id}?hinweis=testmail#testmail`);
	},
	senden: async ({ request, locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		const form = await request.formData();
		const when = text(form, 'when');
		const atText = text(form, 'at');
		const rateText = text(form, 'rate').trim();
		const sendValues = { when, at: atText, rate: rateText };
		const errors: FormErrors = {};
		let at: Date | undefined;
		if (when === 'geplant') {
			at = berlinTime(atText);
			if (!at) errors.at = ['Bitte geben Sie Datum und Uhrzeit an, z. B. 01.03.2026, 09:00.'];
			else if (at.getTime() < Date.now() + 60_000) errors.at = ['Der Zeitpunkt muss mindestens eine Minute in der Zukunft liegen.'];
		}
		if (text(form, 'confirm') !== 'ja') errors.confirm = ['Bitte bestätigen Sie, dass die Infomail an alle genannten Empfänger gehen soll.'];
		if (Object.keys(errors).length) return fail(400, { action: 'senden' as const, sendValues, errors });
		try {
			await sendInfomail(db(), locals.actor, { id, at: at ?? null, rate: rateText ? Number(rateText) : null });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'senden' as const, sendValues, errors: f.errors });
		}
		redirect(303, `/verwaltung/infomail/${id}?hinweis=${at ? 'geplant' : 'gestartet'}`);
	},
	abbrechen: async ({ locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		try {
			await cancelInfomail(db(), locals.actor, { id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'abbrechen' as const, errors: f.errors });
		}
		redirect(303, `/verwaltung/infomail/${id}?hinweis=abgebrochen`);
	},
	unsicher: async ({ locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		try {
			await resendUncertain(db(), locals.actor, { id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'unsicher' as const, errors: f.errors });
		}
		redirect(303, `/verwaltung/infomail/${id}?hinweis=unsicher`);
	},
	loeschen: async ({ locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = mailId(params);
		try {
			await deleteInfomail(db(), locals.actor, { id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			return fail(f.status, { action: 'loeschen' as const, errors: f.errors });
		}
		redirect(303, '/verwaltung/infomail');
	}
};
