import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { getArea, listAreas, areaParents } from '.';

const t = useTestDatabase();

describe('official areas', () => {
	it('holds 396 Gemeinden, 31 Kreise and 5 Regierungsbezirke', async () => {
		const conn = t.database.db;
		expect((await listAreas(conn, { kind: 'gemeinde', limit: 1 })).total).toBe(396);
		expect((await listAreas(conn, { kind: 'kreis', limit: 1 })).total).toBe(31);
		expect((await listAreas(conn, { kind: 'regierungsbezirk', limit: 1 })).total).toBe(5);
	});

	it('finds Bielefeld by name and by AGS prefix, with its parents', async () => {
		const conn = t.database.db;
		const byName = await listAreas(conn, { q: 'bielef' });
		expect(byName.items.map((a) => a.ags)).toEqual(['05711000']);
		const bielefeld = await getArea(conn, '05711000', true);
		expect(bielefeld).toMatchObject({ name: 'Bielefeld', type: 'kreisfreie Stadt', rbAgs: '057', kreisAgs: null });
		expect(bielefeld?.population).toBeGreaterThan(300_000);
		expect((bielefeld?.boundary as { type: string }).type).toMatch(/Polygon/);
		const parents = await areaParents(conn, bielefeld!);
		expect(parents.regierungsbezirk?.name).toBe('Detmold');
	});

	it('sorts German names with umlauts where a German reader expects them', async () => {
		const { items } = await listAreas(conn(), { kind: 'gemeinde', within: '05170', limit: 50 });
		const names = items.map((a) => a.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'de')));
	});

	it('treats % and _ in the search as plain characters', async () => {
		expect((await listAreas(conn(), { q: '%' })).total).toBe(0);
	});
});

function conn() {
	return t.database.db;
}
