import { db } from '$lib/server/db';
import { MEMBER_KIND_LABELS, memberStatistics } from '$lib/server/members';
import { horizontalBars, verticalBars } from '$lib/server/members/charts';
import { formatDate } from '$lib/format';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const s = await memberStatistics(db());
	const rounds = s.rounds.map((r) => ({ ...r, label: `${r.number}. Runde`, when: `${formatDate(r.date)}${r.dateApproximate ? ' (ungefähr)' : ''}` }));
	const kinds = s.byKind.map((k) => ({ label: MEMBER_KIND_LABELS[k.kind].many, value: k.members }));
	return {
		total: s.total,
		left: s.left,
		rounds,
		regions: s.byRegion,
		kinds,
		charts: {
			rounds: verticalBars(rounds.map((r) => ({ label: `${r.number}. (${r.date.slice(0, 4)})`, value: r.cumulative }))),
			regions: horizontalBars(s.byRegion.map((r) => ({ label: r.name, value: r.members }))),
			kinds: horizontalBars(kinds)
		}
	};
};
