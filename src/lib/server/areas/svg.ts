/**
 * Boundaries as SVG paths, computed on the server so that maps need neither JavaScript nor
 * tiles from another server (CSP, privacy). The projection is equirectangular with the
 * longitude scaled by cos(latitude of the map centre) — for an area the size of NRW the
 * distortion is invisible, and it keeps the function small and exact to test.
 */

export type Position = [number, number] | number[];
export type Geometry =
	| { type: 'Polygon'; coordinates: Position[][] }
	| { type: 'MultiPolygon'; coordinates: Position[][][] };

export interface Bounds {
	minLon: number;
	minLat: number;
	maxLon: number;
	maxLat: number;
}

/** Lon/lat → SVG user units; y grows downwards. */
export interface Projection {
	width: number;
	height: number;
	project(lon: number, lat: number): [number, number];
}

export interface MapOptions {
	/** Width of the drawing in SVG units (the element scales it to its box). */
	width?: number;
	/** Empty margin on every side, in SVG units. */
	padding?: number;
}

/** True for a GeoJSON Polygon or MultiPolygon with numeric coordinates. */
export function isGeometry(value: unknown): value is Geometry {
	if (!value || typeof value !== 'object') return false;
	const g = value as { type?: unknown; coordinates?: unknown };
	if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return false;
	return Array.isArray(g.coordinates);
}

function polygons(g: Geometry): Position[][][] {
	return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

/** The smallest lon/lat box around all geometries, or null when they hold no point. */
export function geometryBounds(geometries: Geometry[]): Bounds | null {
	let b: Bounds | null = null;
	for (const g of geometries)
		for (const polygon of polygons(g))
			for (const ring of polygon)
				for (const [lon, lat] of ring) {
					if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
					if (!b) b = { minLon: lon, minLat: lat, maxLon: lon, maxLat: lat };
					else {
						b.minLon = Math.min(b.minLon, lon);
						b.maxLon = Math.max(b.maxLon, lon);
						b.minLat = Math.min(b.minLat, lat);
						b.maxLat = Math.max(b.maxLat, lat);
					}
				}
	return b;
}

/** A projection that fits `bounds` into `width` (height follows from the aspect ratio). */
export function fitProjection(bounds: Bounds, { width = 600, padding = 10 }: MapOptions = {}): Projection {
	const k = Math.cos((((bounds.minLat + bounds.maxLat) / 2) * Math.PI) / 180);
	const spanX = Math.max((bounds.maxLon - bounds.minLon) * k, 1e-9);
	const spanY = Math.max(bounds.maxLat - bounds.minLat, 1e-9);
	const inner = Math.max(width - 2 * padding, 1);
	const scale = inner / spanX;
	// Very tall shapes would make a huge drawing; cap the height at 1.5 × width.
	const maxInnerHeight = width * 1.5 - 2 * padding;
	const s = spanY * scale > maxInnerHeight ? maxInnerHeight / spanY : scale;
	const drawnWidth = spanX * s;
	const offsetX = padding + (inner - drawnWidth) / 2;
	const height = Math.ceil(spanY * s + 2 * padding);
	return {
		width,
		height,
		project: (lon, lat) => [offsetX + (lon - bounds.minLon) * k * s, padding + (bounds.maxLat - lat) * s]
	};
}

function round(n: number): number {
	return Math.round(n * 10) / 10;
}

/**
 * The `d` attribute of an SVG path for a Polygon or MultiPolygon: one closed subpath per ring
 * (holes included; draw with `fill-rule="evenodd"`). Points that fall on the same 0.1 unit
 * as their predecessor are dropped, which keeps the markup small.
 */
export function geometryToSvgPath(geometry: Geometry, projection: Projection): string {
	const parts: string[] = [];
	for (const polygon of polygons(geometry)) {
		for (const ring of polygon) {
			let last = '';
			const points: string[] = [];
			for (const [lon, lat] of ring) {
				if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
				const [x, y] = projection.project(lon, lat);
				const p = `${round(x)} ${round(y)}`;
				if (p !== last) points.push(p);
				last = p;
			}
			// A closed GeoJSON ring repeats its first point; Z closes it anyway.
			if (points.length > 1 && points[0] === points[points.length - 1]) points.pop();
			if (points.length < 3) continue;
			parts.push(`M${points[0]}L${points.slice(1).join(' ')}Z`);
		}
	}
	return parts.join('');
}

export interface MapShape<R extends string = string> {
	geometry: Geometry;
	/** What the shape is on the map (CSS class suffix), e.g. `focus`, `context`. */
	role: R;
	/** Name for a tooltip-free legend or tests; not drawn. */
	label?: string;
}

export interface SvgMap<R extends string = string> {
	viewBox: string;
	width: number;
	height: number;
	paths: { d: string; role: R; label?: string }[];
}

/** Several shapes on one map with a common projection; null when there is nothing to draw. */
export function buildSvgMap<R extends string>(shapes: MapShape<R>[], options: MapOptions = {}): SvgMap<R> | null {
	const bounds = geometryBounds(shapes.map((s) => s.geometry));
	if (!bounds) return null;
	const projection = fitProjection(bounds, options);
	const paths = shapes.map((s) => ({ d: geometryToSvgPath(s.geometry, projection), role: s.role, label: s.label })).filter((p) => p.d);
	if (!paths.length) return null;
	return { viewBox: `0 0 ${projection.width} ${projection.height}`, width: projection.width, height: projection.height, paths };
}
