/** How areas are named in running German text ("Kreis Kleve", "im Märkischen Kreis"). */
import type { AreaKind } from '.';

interface Named {
	kind: AreaKind;
	name: string;
}

/** "Kreis Kleve", "Rhein-Kreis Neuss", "Städteregion Aachen", "Regierungsbezirk Köln", "Rheine". */
export function areaDisplayName(a: Named): string {
	if (a.kind === 'regierungsbezirk') return `Regierungsbezirk ${a.name}`;
	if (a.kind === 'kreis') return /kreis|städteregion/i.test(a.name) ? a.name : `Kreis ${a.name}`;
	return a.name;
}

/** "im Kreis Kleve", "im Märkischen Kreis", "in der Städteregion Aachen", "im Regierungsbezirk Köln", "in Rheine". */
export function inArea(a: Named): string {
	const n = areaDisplayName(a);
	if (a.kind === 'gemeinde') return `in ${n}`;
	if (/^Städteregion/.test(n)) return `in der ${n}`;
	// Adjective before "Kreis" takes the dative ending: Märkischer Kreis → im Märkischen Kreis.
	return `im ${n.replace(/er Kreis$/, 'en Kreis')}`;
}
