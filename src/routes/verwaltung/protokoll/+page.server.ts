import { auditActionLabel, auditObjectLabel, auditObjectTypes, describeChanges, listAudit } from '$lib/server/audit';
import { db } from '$lib/server/db';
import { auditFilterFromUrl, offsetOf, requireCoordinatorPage } from '../admin';
import type { PageServerLoad } from './$types';

const LIMIT = 50;

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const { values: raw, filter, errors } = auditFilterFromUrl(url);
	// Valid dates are shown the German way whether typed so or as JJJJ-MM-TT; invalid input stays as typed.
	const german = (iso: string | undefined) => iso?.split('-').reverse().join('.');
	const values = filter ? { ...raw, from: german(filter.from), to: german(filter.to) } : raw;
	const offset = offsetOf(url);
	const [list, objectTypes] = await Promise.all([
		filter ? listAudit(db(), { ...filter, limit: LIMIT, offset }) : Promise.resolve({ items: [], total: 0 }),
		auditObjectTypes(db())
	]);
	const exportQuery = new URLSearchParams(raw as Record<string, string>).toString();
	return {
		values,
		errors,
		filtered: Object.keys(raw).length > 0,
		items: list.items.map((e) => ({
			id: e.id,
			at: e.at,
			actorLabel: e.actorLabel,
			action: e.action,
			actionLabel: auditActionLabel(e.action),
			objectType: e.objectType,
			objectLabel: auditObjectLabel(e.objectType),
			objectId: e.objectId,
			changes: describeChanges(e.changes),
			ip: e.ip
		})),
		total: list.total,
		limit: LIMIT,
		offset,
		objectTypes: [...new Set([...objectTypes, ...(values.object_type ? [values.object_type] : [])])].map((t) => ({ value: t, label: auditObjectLabel(t) === t ? t : `${auditObjectLabel(t)} (${t})` })),
		exportHref: `/verwaltung/protokoll/export.csv${exportQuery ? `?${exportQuery}` : ''}`
	};
};
