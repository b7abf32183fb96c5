/**
 * Exports of the directory as CSV, XLSX and JSON. Anonymous users get public fields only; the
 * network's members also see the fields a member shows to members only (e.g. contacts).
 */
import { inArray, sql } from 'drizzle-orm';
import writeXlsxFile from 'write-excel-file/node';
import type { Actor } from '../audit';
import type { DbOrTx } from '../db';
import { toCsv, type CsvValue } from '../export/csv';
import { isNetworkMember } from './common';
import { DEFAULT_VISIBILITY, MEMBER_KIND_LABELS, MEMBER_STATUS_LABELS, STRUCTURE_LABELS, type ProfileField, type StructureKind, type Visibility } from './labels';
import { listMembers, type MemberFilter } from './registry';
import { memberProfiles } from './schema';

export interface ExportRow {
	ags: string;
	name: string;
	kind: string;
	type: string;
	kreis: string | null;
	region: string | null;
	status: string;
	joined_on: string | null;
	left_on: string | null;
	signing_round: number | null;
	partner: boolean;
	website: string | null;
	description: string | null;
	structures: string | null;
	topics: string | null;
	/** Network members only (when the member shows contacts to members). */
	primary_contact?: string | null;
	primary_contact_email?: string | null;
}

export async function exportRows(conn: DbOrTx, filter: MemberFilter, viewer: Actor | null): Promise<ExportRow[]> {
	const network = isNetworkMember(viewer);
	const { items } = await listMembers(conn, { ...filter, limit: 100_000, offset: 0 }, viewer);
	const keys = items.map((m) => m.key);
	const profiles = keys.length ? await conn.select().from(memberProfiles).where(inArray(memberProfiles.memberKey, keys)) : [];
	const byKey = new Map(profiles.map((p) => [p.memberKey, p]));
	const topicRows = keys.length
		? await conn.execute<{ member_key: string; names: string }>(
				sql`select mt.member_key, string_agg(t.name, ', ' order by t.name collate "de-x-icu") as names from member_topics mt join topics t on t.id = mt.topic_id where mt.member_key in ${keys} group by mt.member_key`
			)
		: { rows: [] };
	const topics = new Map(topicRows.rows.map((r) => [r.member_key, r.names]));
	const contactRows =
		network && keys.length
			? await conn.execute<{ member_key: string; name: string; email: string }>(
					sql`select mc.member_key, u.name, u.email from member_contacts mc join users u on u.id = mc.user_id where mc."primary" and u.status <> 'disabled' and mc.member_key in ${keys}`
				)
			: { rows: [] };
	const contacts = new Map(contactRows.rows.map((r) => [r.member_key, r]));
	return items.map((m) => {
		const p = byKey.get(m.key);
		const vis = { ...DEFAULT_VISIBILITY, ...((p?.visibility as Record<ProfileField, Visibility>) ?? {}) };
		const may = (f: ProfileField) => vis[f] === 'public' || network;
		const structures = ((p?.structures as { kind: StructureKind; label: string; since: string }[]) ?? []).map((s) => `${s.label || STRUCTURE_LABELS[s.kind]}${s.since ? ` (seit ${s.since})` : ''}`);
		const row: ExportRow = {
			ags: m.key,
			name: m.name,
			kind: MEMBER_KIND_LABELS[m.kind].one,
			type: m.type,
			kreis: m.kreisName,
			region: m.rbName,
			status: MEMBER_STATUS_LABELS[m.status],
			joined_on: m.joinedOn,
			left_on: m.leftOn,
			signing_round: m.signingRound,
			partner: m.partner,
			website: may('website') ? (p?.website ?? null) : null,
			description: may('description') ? (p?.description ?? null) : null,
			structures: may('structures') && structures.length ? structures.join('; ') : null,
			topics: may('topics') ? (topics.get(m.key) ?? null) : null
		};
		if (network) {
			const c = may('contacts') ? contacts.get(m.key) : undefined;
			row.primary_contact = c?.name ?? null;
			row.primary_contact_email = c?.email ?? null;
		}
		return row;
	});
}

const COLUMNS: [keyof ExportRow, string, number][] = [
	['ags', 'Schlüssel (AGS)', 12],
	['name', 'Name', 30],
	['kind', 'Art', 28],
	['type', 'Typ', 16],
	['kreis', 'Kreis', 22],
	['region', 'Regierungsbezirk', 16],
	['status', 'Status', 18],
	['joined_on', 'Mitglied seit', 12],
	['left_on', 'Ausgetreten am', 12],
	['signing_round', 'Unterzeichnungsrunde', 10],
	['partner', 'Partnerkommune', 10],
	['website', 'Internetseite', 30],
	['description', 'Beschreibung', 50],
	['structures', 'Engagementstrukturen', 40],
	['topics', 'Schwerpunktthemen', 40],
	['primary_contact', 'Hauptansprechperson', 24],
	['primary_contact_email', 'E-Mail der Hauptansprechperson', 30]
];

function columnsFor(rows: ExportRow[], network: boolean) {
	void rows;
	return COLUMNS.filter(([k]) => network || (k !== 'primary_contact' && k !== 'primary_contact_email'));
}

/** `JJJJ-MM-TT` → `TT.MM.JJJJ` for German spreadsheets. */
function germanDate(d: string | null): string {
	return d ? `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}` : '';
}

export function membersCsv(rows: ExportRow[], network: boolean): string {
	const cols = columnsFor(rows, network);
	const out: CsvValue[][] = [cols.map(([, h]) => h)];
	for (const r of rows)
		out.push(
			cols.map(([k]) => {
				const v = r[k];
				if (k === 'joined_on' || k === 'left_on') return germanDate(v as string | null);
				if (typeof v === 'boolean') return v ? 'ja' : 'nein';
				return (v ?? '') as CsvValue;
			})
		);
	return '\uFEFF' + toCsv(out, { separator: ';' });
}

export async function membersXlsx(rows: ExportRow[], network: boolean): Promise<Buffer> {
	const cols = columnsFor(rows, network);
	const header = cols.map(([, h]) => ({ value: h, fontWeight: 'bold' as const }));
	const data = rows.map((r) =>
		cols.map(([k]) => {
			const v = r[k];
			if (typeof v === 'number') return { value: v, type: Number };
			if (typeof v === 'boolean') return { value: v ? 'ja' : 'nein', type: String };
			if ((k === 'joined_on' || k === 'left_on') && v) return { value: new Date(`${v}T00:00:00Z`), type: Date, format: 'dd.mm.yyyy' };
			return { value: v == null ? '' : String(v), type: String };
		})
	);
	return writeXlsxFile([header, ...data] as never, { sheet: 'Mitglieder', columns: cols.map(([, , w]) => ({ width: w })), stickyRowsCount: 1 }).toBuffer();
}
