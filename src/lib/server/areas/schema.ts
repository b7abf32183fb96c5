import { doublePrecision, index, integer, jsonb, numeric, pgEnum, pgTable, text, date } from 'drizzle-orm/pg-core';

/** The administrative level of an official area. */
export const areaKind = pgEnum('area_kind', ['regierungsbezirk', 'kreis', 'gemeinde']);

/**
 * Official NRW areas (Destatis GV100AD, boundaries Geobasis NRW DVG2). Reference data, loaded
 * from the files in `areas/data/` on every start; never edited in the app.
 */
export const areas = pgTable(
	'areas',
	{
		/** Amtlicher Gemeindeschlüssel: 3 digits (Regierungsbezirk), 5 (Kreis), 8 (Gemeinde). */
		ags: text('ags').primaryKey(),
		kind: areaKind('kind').notNull(),
		/** GV100AD type: Regierungsbezirk, Kreis, kreisfreie Stadt, Stadt, Gemeinde. */
		type: text('type').notNull(),
		name: text('name').notNull(),
		officialName: text('official_name').notNull(),
		kreisAgs: text('kreis_ags'),
		rbAgs: text('rb_ags'),
		population: integer('population'),
		populationDate: date('population_date'),
		areaKm2: numeric('area_km2', { precision: 10, scale: 2, mode: 'number' }),
		lat: doublePrecision('lat'),
		lon: doublePrecision('lon'),
		note: text('note'),
		/** Simplified boundary as a GeoJSON geometry (WGS84); Kreis level for Kreise and kreisfreie Städte. */
		boundary: jsonb('boundary'),
		/** Boundary on Kreis level for kreisfreie Städte (they are drawn on both maps). */
		kreisBoundary: jsonb('kreis_boundary')
	},
	(t) => [index('areas_kind_idx').on(t.kind), index('areas_kreis_idx').on(t.kreisAgs), index('areas_rb_idx').on(t.rbAgs)]
);
