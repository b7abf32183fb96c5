import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { areaParents, getArea } from '.';
import { areaMap } from './map';
import { areaDisplayName, inArea } from './names';

const t = useTestDatabase();

async function mapOf(ags: string) {
	const area = (await getArea(t.database.db, ags))!;
	return areaMap(t.database.db, area, await areaParents(t.database.db, area));
}

describe('areaMap', () => {
	it('shows a kreisangehörige Gemeinde among the other Gemeinden of its Kreis', async () => {
		const m = (await mapOf('05566076'))!; // Rheine, Kreis Steinfurt (24 Gemeinden)
		expect(m.svg.paths.filter((p) => p.role === 'focus').map((p) => p.label)).toEqual(['Rheine']);
		expect(m.svg.paths.filter((p) => p.role === 'context')).toHaveLength(23);
		expect(m.title).toBe('Karte: Rheine (Stadt)');
		expect(m.description).toBe('Die Karte zeigt Rheine hervorgehoben zwischen den übrigen 23 Städten und Gemeinden im Kreis Steinfurt.');
		expect(m.svg.viewBox).toMatch(/^0 0 600 \d+$/);
	});

	it('draws a Kreis with its Gemeinden and its outline, a Regierungsbezirk from its Kreise and kreisfreie Städte', async () => {
		const kreis = (await mapOf('05566'))!;
		expect(kreis.svg.paths.filter((p) => p.role === 'part')).toHaveLength(24);
		expect(kreis.svg.paths.filter((p) => p.role === 'outline')).toHaveLength(1);
		const rb = (await mapOf('055'))!; // Münster: 5 Kreise, 3 kreisfreie Städte
		expect(rb.svg.paths).toHaveLength(8);
		expect(rb.svg.paths.map((p) => p.label)).toEqual(expect.arrayContaining(['Münster', 'Borken']));
		expect(rb.description).toContain('im Regierungsbezirk Münster');
	});

	it('draws a kreisfreie Stadt alone', async () => {
		const m = (await mapOf('05113000'))!; // Essen
		expect(m.svg.paths.map((p) => p.role)).toEqual(['focus']);
		expect(m.title).toBe('Karte: Essen (kreisfreie Stadt)');
	});
});

describe('area names in running text', () => {
	it('adds "Kreis" only where the name lacks it and declines adjectives', () => {
		expect(areaDisplayName({ kind: 'kreis', name: 'Kleve' })).toBe('Kreis Kleve');
		expect(areaDisplayName({ kind: 'kreis', name: 'Rhein-Kreis Neuss' })).toBe('Rhein-Kreis Neuss');
		expect(areaDisplayName({ kind: 'kreis', name: 'Hochsauerlandkreis' })).toBe('Hochsauerlandkreis');
		expect(inArea({ kind: 'kreis', name: 'Märkischer Kreis' })).toBe('im Märkischen Kreis');
		expect(inArea({ kind: 'kreis', name: 'Städteregion Aachen' })).toBe('in der Städteregion Aachen');
		expect(inArea({ kind: 'regierungsbezirk', name: 'Köln' })).toBe('im Regierungsbezirk Köln');
		expect(inArea({ kind: 'gemeinde', name: 'Rheine' })).toBe('in Rheine');
	});
});
