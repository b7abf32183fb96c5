import { error, fail, redirect } from '@sveltejs/kit';
import { findUserByEmail } from '$lib/server/accounts';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { addMemberContact, changeMemberStatus, getMember, MEMBER_KEY_RE, MEMBER_STATUS_LABELS, removeMemberContact, updateMember } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

function keyOf(raw: string): string {
	const key = raw.toUpperCase();
	if (!MEMBER_KEY_RE.test(key)) error(404, 'Diese Seite gibt es nicht.');
	return key;
}

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const m = await getMember(db(), keyOf(params.ags), locals.actor);
	if (!m) error(404, 'Dieser Eintrag ist nicht im Mitgliederverzeichnis.');
	return {
		m: {
			key: m.key,
			name: m.name,
			status: m.status,
			statusLabel: MEMBER_STATUS_LABELS[m.status],
			partner: m.partner,
			signatoryName: m.signatoryName,
			signatoryOffice: m.signatoryOffice,
			note: m.note,
			contacts: m.profile.contacts ?? [],
			history: (m.history ?? []).map((h) => ({ ...h, at: h.at.toISOString(), label: MEMBER_STATUS_LABELS[h.toStatus] }))
		},
		notice: url.searchParams.get('erledigt')
	};
};

async function run(event: RequestEvent, formName: string, values: Record<string, string>, step: () => Promise<unknown>) {
	requireCoordinatorPage(event.locals, event.url);
	try {
		await step();
	} catch (e) {
		if (!(e instanceof DomainError)) throw e;
		const errors = formErrorKeys(e.fieldErrors, { signatoryName: 'signatory_name', signatoryOffice: 'signatory_office', userId: 'email' });
		if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
		return fail(e.status, { form: formName, values, errors });
	}
	redirect(303, `/verwaltung/mitglieder/${event.params.ags}?erledigt=${formName}`);
}

export const actions: Actions = {
	aendern: async (event) => {
		const form = await event.request.formData();
		const values = { partner: text(form, 'partner'), signatory_name: text(form, 'signatory_name'), signatory_office: text(form, 'signatory_office'), note: text(form, 'note') };
		return run(event, 'aendern', values, () =>
			updateMember(db(), event.locals.actor, { ags: keyOf(event.params.ags), partner: values.partner === 'on', signatoryName: values.signatory_name, signatoryOffice: values.signatory_office, note: values.note })
		);
	},
	status: async (event) => {
		const form = await event.request.formData();
		const values = { status: text(form, 'status'), on: text(form, 'on'), status_note: text(form, 'status_note') };
		return run(event, 'status', values, () =>
			changeMemberStatus(db(), event.locals.actor, { ags: keyOf(event.params.ags), status: values.status as 'left', on: values.on || undefined, note: values.status_note || null })
		);
	},
	kontakt: async (event) => {
		const form = await event.request.formData();
		const values = { email: text(form, 'email'), primary: text(form, 'primary') };
		return run(event, 'kontakt', values, async () => {
			const u = values.email ? await findUserByEmail(db(), values.email) : undefined;
			if (!u) throw new DomainError('validation', 'Zu dieser Adresse gibt es kein Konto.', { email: ['Zu dieser Adresse gibt es kein Konto. Laden Sie die Person zuerst unter „Benutzer“ ein.'] });
			await addMemberContact(db(), event.locals.actor, { ags: keyOf(event.params.ags), userId: u.id, primary: values.primary === 'on' });
		});
	},
	entfernen: async (event) => {
		const form = await event.request.formData();
		const userId = Number(text(form, 'user_id'));
		return run(event, 'entfernen', {}, () => removeMemberContact(db(), event.locals.actor, { ags: keyOf(event.params.ags), userId }));
	}
};
