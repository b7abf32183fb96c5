import { fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { ACCESSION_STATE_LABELS, listAccessions, openAccession } from '$lib/server/members';
import { formErrorKeys, text } from '$lib/server/members/forms';
import { getArea } from '$lib/server/areas';
import type { Actions, PageServerLoad } from './$types';
import { requireApplicantOrCoordinator } from './guard';

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = requireApplicantOrCoordinator(locals, url);
	const rows = await listAccessions(db(), locals.actor);
	const area = user.role === 'member_contact' && user.areaAgs ? await getArea(db(), user.areaAgs) : undefined;
	return {
		role: user.role,
		ownArea: area ? { ags: area.ags, name: area.name } : null,
		accessions: rows.map((r) => ({ id: r.id, name: r.memberName, key: r.memberKey, state: r.state, stateLabel: ACCESSION_STATE_LABELS[r.state], updatedAt: r.updatedAt.toISOString() }))
	};
};

export const actions: Actions = {
	eroeffnen: async ({ request, locals, url }) => {
		const user = requireApplicantOrCoordinator(locals, url);
		const form = await request.formData();
		const ags = user.role === 'member_contact' ? (user.areaAgs ?? '') : text(form, 'ags');
		let id: number;
		try {
			id = (await openAccession(db(), locals.actor, { ags })).id;
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			const errors = formErrorKeys(e.fieldErrors);
			if (!Object.values(errors).flat().includes(e.message)) errors[''] = [e.message];
			return fail(e.status, { values: { ags }, errors });
		}
		redirect(303, `/beitritt/${id}?neu=1`);
	}
};
