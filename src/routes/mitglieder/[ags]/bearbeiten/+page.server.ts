import { error, fail, redirect } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { DomainError } from '$lib/server/errors';
import { getMember, listTopics, MEMBER_KEY_RE, PROFILE_FIELD_LABELS, PROFILE_FIELDS, STRUCTURE_KINDS, STRUCTURE_LABELS, updateMemberProfile, type ProfileField } from '$lib/server/members';
import { fileOf, formErrorKeys, text } from '$lib/server/members/forms';
import type { Actions, PageServerLoad } from './$types';

const ROWS = 5;

function keyOf(raw: string): string {
	const key = raw.toUpperCase();
	if (!MEMBER_KEY_RE.test(key)) error(404, 'Diese Seite gibt es nicht.');
	return key;
}

async function editable(locals: App.Locals, url: URL, key: string) {
	if (!locals.user) redirect(303, `/anmelden?ziel=${encodeURIComponent(url.pathname)}`);
	const m = await getMember(db(), key, locals.actor);
	if (!m) error(404, 'Dieser Eintrag ist nicht im Mitgliederverzeichnis.');
	if (!m.canEdit) error(403, `Das Profil von ${m.name} bearbeiten nur deren Ansprechpersonen und die Koordinierungsstelle.`);
	return m;
}

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const m = await editable(locals, url, keyOf(params.ags));
	const structures = m.profile.structures ?? [];
	return {
		m: { key: m.key, name: m.name, description: m.profile.description ?? '', website: m.profile.website ?? '', logo: m.profile.logo ?? null, topicIds: (m.profile.topics ?? []).map((t) => t.id), visibility: m.visibility },
		structures: Array.from({ length: Math.max(ROWS, structures.length + 1) }, (_, i) => structures[i] ?? { kind: '', label: '', since: '' }),
		topics: (await listTopics(db())).map((t) => ({ id: t.id, name: t.name })),
		kindOptions: STRUCTURE_KINDS.map((k) => ({ value: k, label: STRUCTURE_LABELS[k] })),
		fields: PROFILE_FIELDS.map((f) => ({ key: f, label: PROFILE_FIELD_LABELS[f] }))
	};
};

export const actions: Actions = {
	default: async ({ request, params, locals, url }) => {
		const key = keyOf(params.ags);
		await editable(locals, url, key);
		const form = await request.formData();
		const values: Record<string, string> = { description: text(form, 'description'), website: text(form, 'website') };
		const structures = [];
		for (let i = 0; i < 30; i++) {
			const kind = text(form, `structure_${i}_kind`);
			const label = text(form, `structure_${i}_label`);
			const since = text(form, `structure_${i}_since`);
			Object.assign(values, { [`structure_${i}_kind`]: kind, [`structure_${i}_label`]: label, [`structure_${i}_since`]: since });
			if (kind) structures.push({ kind: kind as never, label, since });
			else if (label || since) return fail(400, { values, errors: { [`structure_${i}_kind`]: ['Bitte wählen Sie die Art der Struktur.'] } as Record<string, string[]> });
		}
		const topicIds = form.getAll('topic').map((v) => Number(v)).filter((n) => Number.isInteger(n) && n > 0);
		const visibility: Partial<Record<ProfileField, 'public' | 'members'>> = {};
		for (const f of PROFILE_FIELDS) {
			const v = text(form, `visibility_${f}`);
			if (v === 'public' || v === 'members') visibility[f] = v;
		}
		try {
			await updateMemberProfile(db(), locals.actor, {
				ags: key,
				description: values.description,
				website: values.website,
				structures,
				topicIds,
				visibility,
				logo: await fileOf(form, 'logo'),
				removeLogo: text(form, 'remove_logo') === 'on'
			});
		} catch (e) {
			if (!(e instanceof DomainError)) throw e;
			const errors = formErrorKeys(e.fieldErrors, { topicIds: 'topic' });
			for (const k of Object.keys(errors)) {
				const m = /^structures\.(\d+)\.(\w+)$/.exec(k);
				if (m) {
					errors[`structure_${m[1]}_${m[2]}`] = errors[k];
					delete errors[k];
				}
			}
			if (!Object.keys(errors).length || e.kind !== 'validation') errors[''] = [e.message];
			return fail(e.status, { values, errors });
		}
		redirect(303, `/mitglieder/${key}`);
	}
};
