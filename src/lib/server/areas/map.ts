/** The small map on an area's page: which shapes to draw around it, and its text alternative. */
import type { DbOrTx } from '../db';
import { listBoundaries, type AreaKind } from '.';
import { areaDisplayName, inArea } from './names';
import { buildSvgMap, isGeometry, type MapShape, type SvgMap } from './svg';

/** focus: the area itself; context: its neighbours for orientation; part: its subdivisions; outline: its border over them. */
export type MapRole = 'focus' | 'context' | 'part' | 'outline';

export interface AreaMap {
	svg: SvgMap<MapRole>;
	/** Short text alternative (SVG `<title>`). */
	title: string;
	/** What the map shows, for the SVG `<desc>`. */
	description: string;
}

interface MapArea {
	ags: string;
	name: string;
	kind: AreaKind;
	type: string;
	kreisAgs: string | null;
	rbAgs: string | null;
}

export async function areaMap(conn: DbOrTx, area: MapArea, parents: { kreis: { name: string } | null }): Promise<AreaMap | null> {
	const shapes: MapShape<MapRole>[] = [];
	let description = '';
	const title = `Karte: ${areaDisplayName(area)}${area.kind === 'gemeinde' ? ` (${area.type})` : ''}`;

	if (area.kind === 'gemeinde' && area.kreisAgs) {
		// A kreisangehörige Gemeinde among the other Gemeinden of its Kreis.
		const siblings = await listBoundaries(conn, { within: area.kreisAgs, kind: 'gemeinde' });
		for (const s of siblings) if (s.ags !== area.ags && isGeometry(s.boundary)) shapes.push({ geometry: s.boundary, role: 'context', label: s.name });
		const self = siblings.find((s) => s.ags === area.ags);
		if (self && isGeometry(self.boundary)) shapes.push({ geometry: self.boundary, role: 'focus', label: area.name });
		const kreis = parents.kreis ? inArea({ kind: 'kreis', name: parents.kreis.name }) : 'im selben Kreis';
		description = `Die Karte zeigt ${area.name} hervorgehoben zwischen den übrigen ${siblings.length - 1} Städten und Gemeinden ${kreis}.`;
	} else if (area.kind === 'gemeinde') {
		const [self] = await listBoundaries(conn, { ags: [area.ags] });
		if (self && isGeometry(self.boundary)) shapes.push({ geometry: self.boundary, role: 'focus', label: area.name });
		description = `Die Karte zeigt die Stadtgrenze von ${area.name}.`;
	} else if (area.kind === 'kreis') {
		const parts = await listBoundaries(conn, { within: area.ags, kind: 'gemeinde' });
		for (const p of parts) if (isGeometry(p.boundary)) shapes.push({ geometry: p.boundary, role: 'part', label: p.name });
		const [self] = await listBoundaries(conn, { ags: [area.ags] });
		if (self && isGeometry(self.boundary)) shapes.push({ geometry: self.boundary, role: 'outline', label: area.name });
		description = `Die Karte zeigt die Grenzen der ${parts.length} Städte und Gemeinden ${inArea(area)}.`;
	} else {
		// Regierungsbezirke have no boundary of their own; their Kreise and kreisfreie Städte make it up.
		const parts = await listBoundaries(conn, { within: area.ags });
		let n = 0;
		for (const p of parts) {
			const g = p.kind === 'kreis' ? p.boundary : p.type === 'kreisfreie Stadt' ? p.kreisBoundary : null;
			if (isGeometry(g)) {
				shapes.push({ geometry: g, role: 'part', label: p.name });
				n++;
			}
		}
		description = `Die Karte zeigt die Grenzen der ${n} Kreise und kreisfreien Städte ${inArea(area)}.`;
	}

	const svg = buildSvgMap(shapes, { width: 600, padding: 8 });
	if (!svg) return null;
	return { svg, title, description };
}
