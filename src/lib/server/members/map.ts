/**
 * The NRW map of the member directory, drawn on the server with d3-geo: every Gemeinde and
 * Kreis outline, members highlighted and linked, the Bezirksregierungen as marks at their
 * seats. The projected outlines are computed once per process from the reference files
 * (they never change at runtime), so a page only assigns classes and links.
 */
import fs from 'node:fs';
import path from 'node:path';
import { geoMercator, geoPath, type GeoPermissibleObjects } from 'd3-geo';
import { appRoot } from '../config';
import type { MemberKind } from './labels';

interface Feature {
	type: 'Feature';
	properties: { ags: string; name?: string };
	geometry: GeoPermissibleObjects;
}
interface Collection {
	type: 'FeatureCollection';
	features: Feature[];
}

export const MAP_WIDTH = 640;
export const MAP_HEIGHT = 560;
const MIN_STEP = 3;

/** Regierungssitze: where the Bezirksregierungen are drawn. */
const SEATS: Record<string, { lon: number; lat: number; city: string }> = {
	'051': { lon: 6.78, lat: 51.23, city: 'Düsseldorf' },
	'053': { lon: 6.96, lat: 50.94, city: 'Köln' },
	'055': { lon: 7.63, lat: 51.96, city: 'Münster' },
	'057': { lon: 8.88, lat: 51.94, city: 'Detmold' },
	'059': { lon: 8.06, lat: 51.4, city: 'Arnsberg' }
};

/** A path context that rounds to whole units and drops points closer than MIN_STEP units: ~100 KB for all of NRW. */
class CompactPath {
	private out: string[] = [];
	private lx = 0;
	private ly = 0;
	private inLine = false;
	moveTo(x: number, y: number) {
		const rx = Math.round(x);
		const ry = Math.round(y);
		this.out.push(`M${rx} ${ry}`);
		this.lx = rx;
		this.ly = ry;
		this.inLine = false;
	}
	lineTo(x: number, y: number) {
		const rx = Math.round(x);
		const ry = Math.round(y);
		// Points closer than MIN_STEP to the last one kept add nothing visible at this size.
		if (Math.abs(rx - this.lx) + Math.abs(ry - this.ly) < MIN_STEP) return;
		// Relative steps are short ("l2 -1") and keep the markup small.
		this.out.push(`${this.inLine ? ' ' : 'l'}${rx - this.lx} ${ry - this.ly}`);
		this.inLine = true;
		this.lx = rx;
		this.ly = ry;
	}
	closePath() {
		this.out.push('Z');
		this.inLine = false;
	}
	arc() {}
	take(): string {
		const s = this.out.join('');
		this.out = [];
		return s;
	}
}

export interface BaseMap {
	viewBox: string;
	/** Outline of every Gemeinde by AGS (8 digits). */
	gemeinden: Map<string, string>;
	/** Outline of every Kreis and kreisfreie Stadt on Kreis level, by 5-digit key. */
	kreise: Map<string, string>;
	/** All Gemeinde borders as one path (the thin grid). */
	gemeindeGrid: string;
	/** All Kreis borders as one path. */
	kreisGrid: string;
	seats: Map<string, { x: number; y: number; city: string }>;
}

let cached: BaseMap | undefined;

type Ring = number[][];

/** Twice the signed planar area of a ring in lon/lat (positive: counter-clockwise). */
function ringArea(ring: Ring): number {
	let a = 0;
	for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
	return a;
}

/**
 * GeoJSON (RFC 7946) winds outer rings counter-clockwise; d3-geo works on the sphere and reads
 * that as "everything except this area". Outer rings clockwise, holes counter-clockwise.
 */
function rewind(geometry: { type: string; coordinates: unknown }): void {
	const fix = (polygon: Ring[]) =>
		polygon.forEach((ring, i) => {
			const ccw = ringArea(ring) > 0;
			if ((i === 0 && ccw) || (i > 0 && !ccw)) ring.reverse();
		});
	if (geometry.type === 'Polygon') fix(geometry.coordinates as Ring[]);
	else if (geometry.type === 'MultiPolygon') (geometry.coordinates as Ring[][]).forEach(fix);
}

function readCollection(name: string): Collection {
	const c = JSON.parse(fs.readFileSync(path.join(appRoot(), 'src/lib/server/areas/data', name), 'utf8')) as Collection;
	for (const f of c.features) rewind(f.geometry as unknown as { type: string; coordinates: unknown });
	return c;
}

export function baseMap(): BaseMap {
	if (cached) return cached;
	const gem = readCollection('nrw-gemeinden.geojson');
	const kreis = readCollection('nrw-kreise.geojson');
	const projection = geoMercator().fitExtent(
		[
			[6, 6],
			[MAP_WIDTH - 6, MAP_HEIGHT - 6]
		],
		kreis as unknown as GeoPermissibleObjects
	);
	const ctx = new CompactPath();
	const draw = geoPath(projection, ctx as never);
	const gemeinden = new Map<string, string>();
	for (const f of gem.features) {
		draw(f as unknown as GeoPermissibleObjects);
		gemeinden.set(f.properties.ags, ctx.take());
	}
	const kreise = new Map<string, string>();
	for (const f of kreis.features) {
		draw(f as unknown as GeoPermissibleObjects);
		kreise.set(f.properties.ags.slice(0, 5), ctx.take());
	}
	const seats = new Map<string, { x: number; y: number; city: string }>();
	for (const [rb, s] of Object.entries(SEATS)) {
		const [x, y] = projection([s.lon, s.lat]) ?? [0, 0];
		seats.set(rb, { x: Math.round(x), y: Math.round(y), city: s.city });
	}
	cached = {
		viewBox: `0 0 ${MAP_WIDTH} ${MAP_HEIGHT}`,
		gemeinden,
		kreise,
		gemeindeGrid: [...gemeinden.values()].join(''),
		kreisGrid: [...kreise.values()].join(''),
		seats
	};
	return cached;
}

export interface MapMember {
	key: string;
	name: string;
	kind: MemberKind;
	areaAgs: string | null;
	rbAgs: string;
	/** Text for the link, e.g. "Bielefeld, Mitglied seit 2019". */
	label: string;
}

export interface MembersMap {
	viewBox: string;
	kreisGrid: string;
	gemeindeGrid: string;
	/** Member Kreise (hatched), linked. */
	kreise: { key: string; d: string; label: string }[];
	/** Member Gemeinden (filled), linked. */
	gemeinden: { key: string; d: string; label: string }[];
	/** Member Bezirksregierungen, as marks at their seats. */
	bodies: { key: string; x: number; y: number; label: string }[];
}

/** The map data for a list of members (only members drawn as such; the rest is the grid). */
export function membersMap(list: MapMember[]): MembersMap {
	const base = baseMap();
	const out: MembersMap = { viewBox: base.viewBox, kreisGrid: base.kreisGrid, gemeindeGrid: '', kreise: [], gemeinden: [], bodies: [] };
	for (const m of list) {
		if (m.kind === 'kreis' && m.areaAgs) {
			const d = base.kreise.get(m.areaAgs);
			if (d) out.kreise.push({ key: m.key, d, label: m.label });
		} else if (m.kind === 'bezirksregierung') {
			const s = base.seats.get(m.rbAgs);
			if (s) out.bodies.push({ key: m.key, x: s.x, y: s.y, label: m.label });
		} else if (m.areaAgs) {
			const d = base.gemeinden.get(m.areaAgs);
			if (d) out.gemeinden.push({ key: m.key, d, label: m.label });
		}
	}
	// Member Gemeinden carry their own outline; the grid holds only the others (a smaller page).
	const drawn = new Set(out.gemeinden.map((g) => g.key));
	out.gemeindeGrid = drawn.size ? [...base.gemeinden].filter(([ags]) => !drawn.has(ags)).map(([, d]) => d).join('') : base.gemeindeGrid;
	return out;
}
