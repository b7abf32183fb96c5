import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { areaParents, getArea, listAreas } from '$lib/server/areas';
import { areaMap } from '$lib/server/areas/map';
import { areaDisplayName, inArea } from '$lib/server/areas/names';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const notFound = `Es gibt kein Gebiet mit dem Amtlichen Gemeindeschlüssel „${params.ags.slice(0, 20)}“.`;
	if (!/^\d{3}(\d{2}(\d{3})?)?$/.test(params.ags)) error(404, notFound);
	const conn = db();
	const area = await getArea(conn, params.ags);
	if (!area) error(404, notFound);

	const parents = await areaParents(conn, area);
	const [gemeinden, kreise, map] = await Promise.all([
		area.kind === 'gemeinde' ? null : listAreas(conn, { kind: 'gemeinde', within: area.ags, limit: 1000 }),
		area.kind === 'regierungsbezirk' ? listAreas(conn, { kind: 'kreis', within: area.ags, limit: 100 }) : null,
		areaMap(conn, area, parents)
	]);
	const kreisNames = new Map((kreise?.items ?? []).map((k) => [k.ags, areaDisplayName(k)]));

	return {
		area: {
			ags: area.ags,
			kind: area.kind,
			type: area.type,
			name: areaDisplayName(area),
			shortName: area.name,
			officialName: area.officialName,
			population: area.population,
			populationDate: area.populationDate,
			areaKm2: area.areaKm2,
			lat: area.lat,
			lon: area.lon,
			note: area.note,
			inArea: inArea(area)
		},
		kreis: parents.kreis
			? { ags: parents.kreis.ags, name: areaDisplayName({ kind: 'kreis', name: parents.kreis.name }), inArea: inArea({ kind: 'kreis', name: parents.kreis.name }) }
			: null,
		regierungsbezirk: parents.regierungsbezirk
			? { ags: parents.regierungsbezirk.ags, name: areaDisplayName({ kind: 'regierungsbezirk', name: parents.regierungsbezirk.name }), inArea: inArea({ kind: 'regierungsbezirk', name: parents.regierungsbezirk.name }) }
			: null,
		kreise: kreise ? kreise.items.map((k) => ({ ags: k.ags, name: areaDisplayName(k), population: k.population })) : null,
		gemeinden: gemeinden
			? gemeinden.items.map((g) => ({
					ags: g.ags,
					name: g.name,
					type: g.type,
					kreis: g.kreisAgs ? (kreisNames.get(g.kreisAgs) ?? null) : null,
					population: g.population,
					areaKm2: g.areaKm2
				}))
			: null,
		map
	};
};
