import { describe, expect, it } from 'vitest';
import { buildSvgMap, fitProjection, geometryBounds, geometryToSvgPath, isGeometry, type Geometry } from './svg';

const square: Geometry = {
	type: 'Polygon',
	coordinates: [
		[
			[7, 51],
			[8, 51],
			[8, 52],
			[7, 52],
			[7, 51]
		]
	]
};

describe('geometryToSvgPath', () => {
	it('projects a polygon with longitude scaled by cos(latitude) and y pointing down', () => {
		const rect: Geometry = { type: 'Polygon', coordinates: [[[7, 51], [9, 51], [9, 52], [7, 52], [7, 51]]] };
		const bounds = geometryBounds([rect])!;
		expect(bounds).toEqual({ minLon: 7, minLat: 51, maxLon: 9, maxLat: 52 });
		const p = fitProjection(bounds, { width: 100, padding: 0 });
		// 1° of longitude at 51.5° N is cos(51.5°) ≈ 0.6225 of 1° of latitude.
		const k = Math.cos((51.5 * Math.PI) / 180);
		const h = 100 / (2 * k);
		expect(p.height).toBe(Math.ceil(h));
		expect(p.project(7, 52)).toEqual([0, 0]);
		const [x, y] = p.project(9, 51);
		expect(x).toBeCloseTo(100, 6);
		expect(y).toBeCloseTo(h, 6);
		const hr = Math.round(h * 10) / 10;
		expect(geometryToSvgPath(rect, p)).toBe(`M0 ${hr}L100 ${hr} 100 0 0 0Z`);
	});

	it('caps the height of tall shapes at 1.5 × width and centres them', () => {
		const p = fitProjection(geometryBounds([square])!, { width: 100, padding: 0 });
		expect(p.height).toBe(150);
		const [left] = p.project(7, 51);
		const [right] = p.project(8, 51);
		expect(left + right).toBeCloseTo(100, 6);
	});

	it('draws every ring of a MultiPolygon, holes included, and drops repeated points', () => {
		const multi: Geometry = {
			type: 'MultiPolygon',
			coordinates: [
				[
					[
						[0, 0],
						[4, 0],
						[4, 4],
						[0, 4],
						[0, 0]
					],
					[
						[1, 1],
						[1, 1.00001],
						[2, 1],
						[2, 2],
						[1, 1]
					]
				],
				[
					[
						[10, 0],
						[11, 0],
						[11, 1],
						[10, 0]
					]
				]
			]
		};
		const p = fitProjection(geometryBounds([multi])!, { width: 220, padding: 10 });
		const d = geometryToSvgPath(multi, p);
		expect(d.match(/M/g)).toHaveLength(3);
		expect(d.match(/Z/g)).toHaveLength(3);
		// The near-duplicate (1, 1.00001) rounds onto (1, 1) and is left out.
		const hole = d.split('M')[2];
		expect(hole.split(/L| (?=\d)/).length).toBeLessThan(8);
		for (const n of d.match(/-?\d+(\.\d+)?/g)!.map(Number)) {
			expect(n).toBeGreaterThanOrEqual(0);
			expect(n).toBeLessThanOrEqual(220);
		}
	});

	it('skips degenerate rings and invalid coordinates', () => {
		const p = fitProjection({ minLon: 0, minLat: 0, maxLon: 1, maxLat: 1 }, { width: 100, padding: 0 });
		const g: Geometry = { type: 'Polygon', coordinates: [[[0, 0], [0, 0], [Number.NaN, 1], [0, 0]]] };
		expect(geometryToSvgPath(g, p)).toBe('');
	});
});

describe('buildSvgMap', () => {
	it('puts several shapes on one projection and reports the viewBox', () => {
		const east: Geometry = { type: 'Polygon', coordinates: [[[8, 51], [9, 51], [9, 52], [8, 52], [8, 51]]] };
		const map = buildSvgMap([{ geometry: square, role: 'context' }, { geometry: east, role: 'focus', label: 'Ost' }], { width: 400, padding: 10 })!;
		expect(map.viewBox).toBe(`0 0 400 ${map.height}`);
		expect(map.paths.map((p) => p.role)).toEqual(['context', 'focus']);
		// The shared edge at 8° E is at the same x in both paths.
		const xs = (d: string) => d.match(/[ML]?(-?\d+(?:\.\d+)?) -?\d+(?:\.\d+)?/g)!.map((m) => Number(m.replace(/^[ML]/, '').split(' ')[0]));
		expect(Math.max(...xs(map.paths[0].d))).toBe(Math.min(...xs(map.paths[1].d)));
		expect(map.paths[1].label).toBe('Ost');
	});

	it('returns null when nothing can be drawn', () => {
		expect(buildSvgMap([])).toBeNull();
	});

	it('recognises GeoJSON polygons only', () => {
		expect(isGeometry(square)).toBe(true);
		expect(isGeometry({ type: 'Point', coordinates: [7, 51] })).toBe(false);
		expect(isGeometry(null)).toBe(false);
	});
});
