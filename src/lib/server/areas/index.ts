/**
 * Official NRW areas: loading the reference files into the database and reading them.
 * The files in `data/` are copies of ../shared/data with their SOURCES.md; the attribution
 * text below is shown on /impressum as that file asks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, asc, eq, getTableColumns, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { appRoot } from '../config';
import type { DbOrTx } from '../db';
import { areas } from './schema';

export const AREA_ATTRIBUTION = [
	'Gebietsdaten: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2023, Einwohner 31.12.2022, Datenlizenz Deutschland – Namensnennung – Version 2.0 (www.govdata.de/dl-de/by-2-0), Daten verändert (Auszug NRW, Summen für Kreise und Regierungsbezirke).',
	'Verwaltungsgrenzen: © Land NRW (2022), Geobasis NRW, DVG2, Datenlizenz Deutschland – Zero – Version 2.0 (www.govdata.de/dl-de/zero-2-0), vereinfacht.'
];

export type AreaKind = 'regierungsbezirk' | 'kreis' | 'gemeinde';
const KIND_BY_LEVEL: Record<string, AreaKind> = { Regierungsbezirk: 'regierungsbezirk', Kreis: 'kreis', Gemeinde: 'gemeinde' };

/** German labels of the area kinds, singular and plural. */
export const AREA_KIND_LABELS: Record<AreaKind, { one: string; many: string }> = {
	regierungsbezirk: { one: 'Regierungsbezirk', many: 'Regierungsbezirke' },
	kreis: { one: 'Kreis', many: 'Kreise' },
	gemeinde: { one: 'Gemeinde', many: 'Gemeinden' }
};

function dataFile(name: string): string {
	return path.join(appRoot(), 'src/lib/server/areas/data', name);
}

interface Feature {
	properties: { ags: string };
	geometry: unknown;
}

/**
 * Loads the 432 areas with boundaries. Idempotent (upsert by AGS); runs on every start after
 * the migrations and writes only when the number of areas in the files differs from the table.
 */
export async function loadAreas(conn: DbOrTx): Promise<number> {
	const rows = parse(fs.readFileSync(dataFile('nrw-gebiete.csv'), 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
	const [{ n }] = await conn.select({ n: sql<number>`count(*)::int` }).from(areas);
	// Reference data unchanged since the last start: skip the 1 MB of boundaries (every start).
	if (n === rows.length) return 0;
	const gemeindeGeo = JSON.parse(fs.readFileSync(dataFile('nrw-gemeinden.geojson'), 'utf8')) as { features: Feature[] };
	const kreisGeo = JSON.parse(fs.readFileSync(dataFile('nrw-kreise.geojson'), 'utf8')) as { features: Feature[] };
	const gemeindeShapes = new Map(gemeindeGeo.features.map((f) => [f.properties.ags, f.geometry]));
	const kreisShapes = new Map(kreisGeo.features.map((f) => [f.properties.ags, f.geometry]));

	const values = rows.map((r) => {
		const kind = KIND_BY_LEVEL[r.ebene];
		if (!kind) throw new Error(`Unbekannte Ebene „${r.ebene}“ für AGS ${r.ags}`);
		return {
			ags: r.ags,
			kind,
			type: r.typ,
			name: r.name,
			officialName: r.name_amtlich,
			kreisAgs: r.kreis_ags || null,
			rbAgs: r.rb_ags || null,
			population: r.einwohner ? Number(r.einwohner) : null,
			populationDate: r.einwohner_stand || null,
			areaKm2: r.flaeche_km2 ? Number(r.flaeche_km2) : null,
			lat: r.lat ? Number(r.lat) : null,
			lon: r.lon ? Number(r.lon) : null,
			note: r.bemerkung || null,
			boundary: (kind === 'gemeinde' ? gemeindeShapes.get(r.ags) : kind === 'kreis' ? kreisShapes.get(r.ags) : null) ?? null,
			kreisBoundary: r.typ === 'kreisfreie Stadt' ? (kreisShapes.get(r.ags.slice(0, 5)) ?? null) : null
		};
	});
	const columns = getTableColumns(areas);
	for (let i = 0; i < values.length; i += 100) {
		await conn
			.insert(areas)
			.values(values.slice(i, i + 100))
			.onConflictDoUpdate({
				target: areas.ags,
				set: Object.fromEntries(
					Object.keys(values[0])
						.filter((k) => k !== 'ags')
						.map((k) => [k, sql.raw(`excluded.${columns[k as keyof typeof columns].name}`)])
				)
			});
	}
	return values.length;
}


export interface AreaFilter {
	kind?: AreaKind;
	/** Name, official name or AGS prefix. */
	q?: string;
	/** Only areas within this Kreis or Regierungsbezirk (AGS). */
	within?: string;
	limit?: number;
	offset?: number;
}

/** Columns of an area without its (large) boundary. */
const summary = {
	ags: areas.ags,
	kind: areas.kind,
	type: areas.type,
	name: areas.name,
	officialName: areas.officialName,
	kreisAgs: areas.kreisAgs,
	rbAgs: areas.rbAgs,
	population: areas.population,
	populationDate: areas.populationDate,
	areaKm2: areas.areaKm2,
	lat: areas.lat,
	lon: areas.lon,
	note: areas.note
};

export async function listAreas(conn: DbOrTx, f: AreaFilter) {
	const where: SQL[] = [];
	if (f.kind) where.push(eq(areas.kind, f.kind));
	if (f.within) where.push(or(eq(areas.kreisAgs, f.within), eq(areas.rbAgs, f.within))!);
	if (f.q) {
		const q = f.q.trim();
		const like = `%${q.replace(/[%_\\]/g, '\\$&')}%`;
		where.push(/^\d+$/.test(q) ? sql`${areas.ags} like ${q + '%'}` : or(ilike(areas.name, like), ilike(areas.officialName, like))!);
	}
	const cond = where.length ? and(...where) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select(summary)
			.from(areas)
			.where(cond)
			.orderBy(sql`${areas.name} collate "de-x-icu"`, asc(areas.ags))
			.limit(f.limit ?? 100)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(areas).where(cond)
	]);
	return { items, total };
}

export type AreaSummary = Awaited<ReturnType<typeof listAreas>>['items'][number];

export async function getArea(conn: DbOrTx, ags: string, withBoundary = false) {
	const [row] = await conn
		.select(withBoundary ? { ...summary, boundary: areas.boundary } : summary)
		.from(areas)
		.where(eq(areas.ags, ags));
	return row as (typeof row & { boundary?: unknown }) | undefined;
}

/** The Kreis and Regierungsbezirk names of an area, for display. */
export async function areaParents(conn: DbOrTx, area: { kreisAgs: string | null; rbAgs: string | null }) {
	const keys = [area.kreisAgs, area.rbAgs].filter((k): k is string => !!k);
	if (!keys.length) return { kreis: null, regierungsbezirk: null };
	const rows = await conn.select({ ags: areas.ags, name: areas.name }).from(areas).where(inArray(areas.ags, keys));
	const byAgs = new Map(rows.map((r) => [r.ags, r]));
	return { kreis: area.kreisAgs ? (byAgs.get(area.kreisAgs) ?? null) : null, regierungsbezirk: area.rbAgs ? (byAgs.get(area.rbAgs) ?? null) : null };
}

/**
 * Names and boundaries of several areas, for maps: the areas with the given AGS and/or those
 * within a Kreis or Regierungsbezirk (optionally of one kind). `kreisBoundary` is the outline of
 * a kreisfreie Stadt on Kreis level (the level of Regierungsbezirk maps).
 */
export async function listBoundaries(conn: DbOrTx, f: { ags?: string[]; within?: string; kind?: AreaKind }) {
	const where: SQL[] = [];
	if (f.ags) where.push(f.ags.length ? inArray(areas.ags, f.ags) : sql`false`);
	if (f.within) where.push(or(eq(areas.kreisAgs, f.within), eq(areas.rbAgs, f.within))!);
	if (f.kind) where.push(eq(areas.kind, f.kind));
	return conn
		.select({ ags: areas.ags, name: areas.name, kind: areas.kind, type: areas.type, boundary: areas.boundary, kreisBoundary: areas.kreisBoundary })
		.from(areas)
		.where(where.length ? and(...where) : undefined)
		.orderBy(asc(areas.ags));
}
