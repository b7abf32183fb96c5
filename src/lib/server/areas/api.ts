import { z } from 'zod';
import { defineEndpoint, listOf, pageQuery } from '../api/endpoint';
import { db } from '../db';
import { notFound } from '../errors';
import { getArea, listAreas, type AreaSummary } from '.';

const agsParam = z.object({ ags: z.string().regex(/^\d{3}(\d{2}(\d{3})?)?$/, 'Der AGS hat 3, 5 oder 8 Ziffern.').describe('Amtlicher Gemeindeschlüssel') });

export const areaSchema = z.object({
	ags: z.string().describe('Amtlicher Gemeindeschlüssel (3, 5 oder 8 Ziffern)'),
	kind: z.enum(['regierungsbezirk', 'kreis', 'gemeinde']),
	type: z.string().describe('Regierungsbezirk, Kreis, kreisfreie Stadt, Stadt oder Gemeinde'),
	name: z.string(),
	official_name: z.string(),
	kreis_ags: z.string().nullable(),
	regierungsbezirk_ags: z.string().nullable(),
	population: z.number().int().nullable().describe('Einwohner zum Stichtag population_date'),
	population_date: z.string().nullable(),
	area_km2: z.number().nullable(),
	lat: z.number().nullable(),
	lon: z.number().nullable(),
	note: z.string().nullable()
});

function toApi(a: AreaSummary): z.infer<typeof areaSchema> {
	return {
		ags: a.ags,
		kind: a.kind,
		type: a.type,
		name: a.name,
		official_name: a.officialName,
		kreis_ags: a.kreisAgs,
		regierungsbezirk_ags: a.rbAgs,
		population: a.population,
		population_date: a.populationDate,
		area_km2: a.areaKm2,
		lat: a.lat,
		lon: a.lon,
		note: a.note
	};
}

export const areaEndpoints = [
	defineEndpoint({
		method: 'GET',
		path: '/areas',
		operationId: 'listAreas',
		summary: 'Amtliche Gebiete in NRW (Gemeinden, Kreise, Regierungsbezirke)',
		tag: 'Gebiete',
		access: 'public',
		query: pageQuery.extend({
			kind: z.enum(['gemeinde', 'kreis', 'regierungsbezirk']).optional().describe('Ebene'),
			q: z.string().trim().max(100).optional().describe('Suche im Namen oder AGS-Anfang'),
			within: z.string().regex(/^\d{3}(\d{2})?$/).optional().describe('Nur Gebiete in diesem Kreis oder Regierungsbezirk (AGS)')
		}),
		response: listOf(areaSchema),
		async handler({ query }) {
			const { items, total } = await listAreas(db(), query);
			return { items: items.map(toApi), total };
		}
	}),
	defineEndpoint({
		method: 'GET',
		path: '/areas/{ags}',
		operationId: 'getArea',
		summary: 'Ein amtliches Gebiet mit Grenze (GeoJSON)',
		tag: 'Gebiete',
		access: 'public',
		params: agsParam,
		response: areaSchema.extend({ boundary: z.unknown().describe('GeoJSON-Geometrie (WGS84), vereinfacht') }),
		async handler({ params }) {
			const area = await getArea(db(), params.ags, true);
			if (!area) throw notFound(`Es gibt kein Gebiet mit dem AGS ${params.ags}.`);
			return { ...toApi(area), boundary: area.boundary ?? null };
		}
	})
];
