import { db } from '$lib/server/db';
import { AREA_KIND_LABELS, listAreas, type AreaKind } from '$lib/server/areas';
import { areaDisplayName } from '$lib/server/areas/names';
import type { PageServerLoad } from './$types';

const PAGE_SIZE = 50;
const KINDS = Object.keys(AREA_KIND_LABELS) as AreaKind[];

export const load: PageServerLoad = async ({ url }) => {
	// Control characters (NUL cannot even reach PostgreSQL) are dropped rather than rejected.
	const q = (url.searchParams.get('q') ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100);
	const artParam = url.searchParams.get('art') ?? '';
	const rbParam = url.searchParams.get('rb') ?? '';
	const offsetParam = url.searchParams.get('offset') ?? '';
	const offset = /^\d{1,7}$/.test(offsetParam) ? Number(offsetParam) : 0;
	const art = (KINDS as string[]).includes(artParam) ? (artParam as AreaKind) : undefined;

	const conn = db();
	const [rbs, kreise] = await Promise.all([listAreas(conn, { kind: 'regierungsbezirk' }), listAreas(conn, { kind: 'kreis', limit: 100 })]);
	const rb = rbs.items.some((r) => r.ags === rbParam) ? rbParam : undefined;

	// Unknown filter values (an old link, a typo in the address) are ignored and explained, never a 5xx.
	const errors: Record<string, string[]> = {};
	if (artParam && !art) errors.art = ['Diese Art gibt es nicht. Es werden alle Arten gezeigt.'];
	if (rbParam && !rb) errors.rb = ['Diesen Regierungsbezirk gibt es nicht. Es werden alle Regierungsbezirke gezeigt.'];

	const { items, total } = await listAreas(conn, { q: q || undefined, kind: art, within: rb, limit: PAGE_SIZE, offset });
	const names = new Map([...rbs.items, ...kreise.items].map((a) => [a.ags, areaDisplayName(a)]));
	return {
		q,
		art: art ?? '',
		rb: rb ?? '',
		offset,
		limit: PAGE_SIZE,
		total,
		errors,
		kindOptions: [
			{ value: 'gemeinde', label: 'Städte und Gemeinden' },
			{ value: 'kreis', label: 'Kreise' },
			{ value: 'regierungsbezirk', label: 'Regierungsbezirke' }
		],
		rbOptions: rbs.items.map((r) => ({ value: r.ags, label: r.name })),
		populationDate: items.find((a) => a.populationDate)?.populationDate ?? null,
		items: items.map((a) => ({
			ags: a.ags,
			name: areaDisplayName(a),
			type: a.type,
			kreisAgs: a.kreisAgs,
			kreis: a.kreisAgs ? (names.get(a.kreisAgs) ?? a.kreisAgs) : null,
			rbAgs: a.rbAgs,
			rb: a.rbAgs ? (names.get(a.rbAgs) ?? a.rbAgs) : null,
			population: a.population
		}))
	};
};
