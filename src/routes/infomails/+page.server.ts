import { db } from '$lib/server/db';
import { listPublished } from '$lib/server/infomail';
import { LEVEL_LABELS } from '$lib/server/infomail/content';
import type { PageServerLoad } from './$types';

const LIMIT = 20;

export const load: PageServerLoad = async ({ url }) => {
	const raw = url.searchParams.get('offset') ?? '';
	const offset = /^\d{1,9}$/.test(raw) ? Number(raw) : 0;
	const { items, total } = await listPublished(db(), { limit: LIMIT, offset });
	return {
		items: items.map((i) => ({
			id: i.id,
			subject: i.subject,
			date: i.startedAt ?? i.finishedAt,
			topics: i.sections.map((s) => `${LEVEL_LABELS[s.level]}: ${s.items.map((it) => it.title).join(', ')}`)
		})),
		total,
		limit: LIMIT,
		offset,
		url: url.toString()
	};
};
