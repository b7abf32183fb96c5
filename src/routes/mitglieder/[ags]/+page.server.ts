import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { EHRENAMTSKARTE_LABELS, getMember, listAccessions, MEMBER_KEY_RE, MEMBER_KIND_LABELS, MEMBER_STATUS_LABELS, PROFILE_FIELD_LABELS, STRUCTURE_LABELS } from '$lib/server/members';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const key = params.ags.toUpperCase();
	if (!MEMBER_KEY_RE.test(key)) error(404, 'Diese Seite gibt es nicht.');
	const viewer = locals.user ? locals.actor : null;
	const m = await getMember(db(), key, viewer);
	if (!m) error(404, `${key} ist nicht im Mitgliederverzeichnis.`);
	const accessions = m.canEdit ? await listAccessions(db(), locals.actor, { memberKey: key }) : [];
	return {
		member: {
			...m,
			kindLabel: MEMBER_KIND_LABELS[m.kind].one,
			statusLabel: MEMBER_STATUS_LABELS[m.status],
			history: m.history?.map((h) => ({ ...h, toLabel: MEMBER_STATUS_LABELS[h.toStatus], at: h.at.toISOString() })),
			criteria: m.criteria?.map((c) => ({
				...c,
				confirmedAt: c.confirmedAt?.toISOString() ?? null,
				valueLabel: c.criterion === 'ehrenamtskarte' && c.value ? EHRENAMTSKARTE_LABELS[c.value as keyof typeof EHRENAMTSKARTE_LABELS] : c.value === 'yes' ? 'erfüllt' : c.value === 'no' ? 'nicht erfüllt' : 'noch nicht angegeben'
			}))
		},
		structureLabels: STRUCTURE_LABELS,
		fieldLabels: PROFILE_FIELD_LABELS,
		accessions: accessions.map((a) => ({ id: a.id, state: a.state })),
		isCoordinator: locals.user?.role === 'coordinator'
	};
};
