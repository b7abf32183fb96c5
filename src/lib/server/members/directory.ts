/**
 * The directory page's data in one place (also measured by the benchmark): filters from the
 * URL, the filtered members, the map and the choice lists.
 */
import { sql } from 'drizzle-orm';
import type { Actor } from '../audit';
import type { DbOrTx } from '../db';
import { formatDate } from '../../format';
import { isNetworkMember } from './common';
import { MEMBER_KIND_LABELS, MEMBER_KINDS, MEMBER_STATUS_LABELS, MEMBER_STATUSES, type MemberKind, type MemberStatus } from './labels';
import { membersMap } from './map';
import { listMembers, SORTS, visibleStatuses, type MemberFilter, type MemberSort } from './registry';

/** URL parameters of the directory (German, as users see them in the address bar). */
export interface DirectoryParams {
	q: string;
	art: string;
	rb: string;
	kreis: string;
	runde: string;
	thema: string;
	status: string;
	sortierung: string;
	reihenfolge: string;
}

const SORT_PARAM: Record<string, MemberSort> = { name: 'name', beitritt: 'joined', runde: 'round', einwohner: 'population' };

export function directoryParams(url: URL): DirectoryParams {
	const get = (k: string) => (url.searchParams.get(k) ?? '').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 100);
	return { q: get('q'), art: get('art'), rb: get('rb'), kreis: get('kreis'), runde: get('runde'), thema: get('thema'), status: get('status'), sortierung: get('sortierung'), reihenfolge: get('reihenfolge') };
}

/** The filter a page may apply; unknown values are dropped and reported in `errors`. */
export async function directoryFilter(conn: DbOrTx, p: DirectoryParams, viewer: Actor | null) {
	const [rbs, kreise, rounds, topics] = await Promise.all([
		conn.execute<{ ags: string; name: string }>(sql`select ags, name from areas where kind = 'regierungsbezirk' order by name collate "de-x-icu"`),
		conn.execute<{ ags: string; name: string }>(sql`select ags, name from areas where kind = 'kreis' order by name collate "de-x-icu"`),
		conn.execute<{ number: number; date: string }>(sql`select number, date from signing_rounds order by number`),
		conn.execute<{ slug: string; name: string }>(sql`select slug, name from topics order by name collate "de-x-icu"`)
	]);
	const errors: Record<string, string[]> = {};
	const f: MemberFilter = { limit: 1000 };
	if (p.q) f.q = p.q;
	if (p.art) (MEMBER_KINDS as readonly string[]).includes(p.art) ? (f.kind = p.art as MemberKind) : (errors.art = ['Diese Art gibt es nicht; es werden alle Arten gezeigt.']);
	if (p.rb) rbs.rows.some((r) => r.ags === p.rb) ? (f.region = p.rb) : (errors.rb = ['Diesen Regierungsbezirk gibt es nicht; es werden alle gezeigt.']);
	if (p.kreis) kreise.rows.some((r) => r.ags === p.kreis) ? (f.kreis = p.kreis) : (errors.kreis = ['Diesen Kreis gibt es nicht; es werden alle gezeigt.']);
	if (p.runde) rounds.rows.some((r) => String(r.number) === p.runde) ? (f.round = Number(p.runde)) : (errors.runde = ['Diese Unterzeichnungsrunde gibt es nicht; es werden alle gezeigt.']);
	if (p.thema) topics.rows.some((r) => r.slug === p.thema) ? (f.topic = p.thema) : (errors.thema = ['Dieses Thema gibt es nicht; es werden alle gezeigt.']);
	const statuses = visibleStatuses(viewer);
	if (p.status) (statuses as string[]).includes(p.status) ? (f.status = p.status as MemberStatus) : (errors.status = ['Diesen Status gibt es hier nicht; es werden die Mitglieder gezeigt.']);
	if (!f.status && !p.status) f.status = 'member';
	if (p.status === 'alle' && isNetworkMember(viewer)) {
		delete f.status;
		delete errors.status;
	}
	if (p.sortierung) SORT_PARAM[p.sortierung] ? (f.sort = SORT_PARAM[p.sortierung]) : (errors.sortierung = ['Diese Sortierung gibt es nicht; sortiert wird nach Name.']);
	if (p.reihenfolge === 'absteigend') f.desc = true;
	return {
		filter: f,
		errors,
		options: {
			kinds: MEMBER_KINDS.map((k) => ({ value: k, label: MEMBER_KIND_LABELS[k].many })),
			rbs: rbs.rows.map((r) => ({ value: r.ags, label: r.name })),
			kreise: kreise.rows.map((r) => ({ value: r.ags, label: /kreis|städteregion/i.test(r.name) ? r.name : `Kreis ${r.name}` })),
			rounds: rounds.rows.map((r) => ({ value: String(r.number), label: `${r.number}. Runde (${r.date.slice(0, 4)})` })),
			topics: topics.rows.map((r) => ({ value: r.slug, label: r.name })),
			statuses: [
				...statuses.map((s) => ({ value: s, label: MEMBER_STATUS_LABELS[s] })),
				...(isNetworkMember(viewer) ? [{ value: 'alle', label: 'Alle' }] : [])
			],
			sorts: [
				{ value: 'name', label: 'Name' },
				{ value: 'beitritt', label: 'Beitrittsdatum' },
				{ value: 'runde', label: 'Unterzeichnungsrunde' },
				{ value: 'einwohner', label: 'Einwohnerzahl' }
			]
		}
	};
}

/** Everything /mitglieder shows. */
export async function directoryPage(conn: DbOrTx, url: URL, viewer: Actor | null) {
	const params = directoryParams(url);
	const { filter, errors, options } = await directoryFilter(conn, params, viewer);
	const { items, total } = await listMembers(conn, filter, viewer);
	const rows = items.map((m) => ({
		key: m.key,
		name: m.name,
		kind: m.kind,
		kindLabel: MEMBER_KIND_LABELS[m.kind].one,
		type: m.type,
		kreis: m.kreisName ? (/kreis|städteregion/i.test(m.kreisName) ? m.kreisName : `Kreis ${m.kreisName}`) : null,
		region: m.rbName,
		status: m.status,
		statusLabel: MEMBER_STATUS_LABELS[m.status],
		joinedOn: m.joinedOn,
		signingRound: m.signingRound,
		partner: m.partner,
		population: m.population
	}));
	const map = membersMap(
		items.map((m) => ({
			key: m.key,
			name: m.name,
			kind: m.kind,
			areaAgs: m.areaAgs,
			rbAgs: m.rbAgs,
			label: `${m.name}${m.status === 'member' && m.joinedOn ? `, Mitglied seit ${formatDate(m.joinedOn)}` : `, ${MEMBER_STATUS_LABELS[m.status]}`}`
		}))
	);
	return { params, errors, options, rows, total, map, sorts: SORTS };
}
