import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { ACCESSION_STATE_LABELS, listAccessions, listMembers, MEMBER_STATUS_LABELS, registerInterest } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { requireCoordinatorPage } from '../admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const [open, interested, applying, members] = await Promise.all([
		listAccessions(db(), locals.actor, { open: true }),
		listMembers(db(), { status: 'interested', limit: 1000 }, locals.actor),
		listMembers(db(), { status: 'applying', limit: 1000 }, locals.actor),
		listMembers(db(), { status: 'member', limit: 1 }, locals.actor)
	]);
	return {
		open: open.map((a) => ({ id: a.id, name: a.memberName, key: a.memberKey, stateLabel: ACCESSION_STATE_LABELS[a.state], state: a.state, updatedAt: a.updatedAt.toISOString() })),
		interested: interested.items.map((m) => ({ key: m.key, name: m.name, since: m.interestedOn, status: MEMBER_STATUS_LABELS[m.status] })),
		applyingCount: applying.total,
		memberCount: members.total,
		notice: url.searchParams.get('interesse')
	};
};

export const actions: Actions = {
	interesse: async ({ request, locals, url }) => {
		requireCoordinatorPage(locals, url);
		const form = await request.formData();
		const values = { ags: text(form, 'ags'), note: text(form, 'note') };
		let key: string;
		try {
			key = (await registerInterest(db(), locals.actor, { ags: values.ags, note: values.note || null })).key;
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			const errors = formErrorKeys(e.fieldErrors);
			if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
			return fail(e.status, { values, errors });
		}
		redirect(303, `/verwaltung/mitglieder?interesse=${encodeURIComponent(key)}`);
	}
};
