import { db } from '$lib/server/db';
import { declarationVersionAt, listDeclarationVersions, listSigningRounds, todayBerlin } from '$lib/server/members';
import { declarationHtml } from '$lib/server/members/markdown';
import { idOf } from '../../verwaltung/admin';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url }) => {
	const today = todayBerlin();
	const [versions, current, rounds] = await Promise.all([listDeclarationVersions(db()), declarationVersionAt(db(), today), listSigningRounds(db())]);
	// Versions that only take effect later are not public yet.
	const published = versions.filter((v) => v.validFrom <= today || v.id === current?.id);
	const wanted = idOf(url.searchParams.get('fassung'));
	const shown = (wanted ? published.find((v) => v.id === wanted) : undefined) ?? current;
	return {
		shown: shown
			? { id: shown.id, title: shown.title, validFrom: shown.validFrom, placeLine: shown.placeLine, stateSignatoryName: shown.stateSignatoryName, stateSignatoryOffice: shown.stateSignatoryOffice, html: declarationHtml(shown.bodyMarkdown), current: shown.id === current?.id }
			: null,
		versions: published.map((v) => ({ id: v.id, title: v.title, validFrom: v.validFrom, current: v.id === current?.id })),
		rounds: rounds.filter((r) => r.date <= today).map((r) => ({ number: r.number, date: r.date, dateApproximate: r.dateApproximate, place: r.place, members: r.members, declarationVersionId: r.declarationVersionId })),
		unknownVersion: !!wanted && shown?.id !== wanted
	};
};
