import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { auditCsv, auditFilterSchema, countAuditToday, describeChanges, diff, listAudit, recordAudit, type Actor } from '.';
import { auditLog } from './schema';

const t = useTestDatabase();
const anna: Actor = { userId: 7, label: 'Anna Äbelmann <anna@stadt.example>', role: 'coordinator', ip: '192.0.2.1' };

beforeAll(async () => {
	const conn = t.database.db;
	// Fixed times around German midnight: 2026-03-09 23:30 UTC is already 10 March in Berlin.
	const rows = [
		{ at: '2026-03-01T09:00:00Z', action: 'user.created', objectType: 'user', objectId: '1', changes: { email: 'a@x.example', name: 'Jürgen Groß' } },
		{ at: '2026-03-05T12:00:00Z', action: 'user.updated', objectType: 'user', objectId: '1', changes: { name: ['Jürgen Groß', 'Jürgen Größer'] } },
		{ at: '2026-03-09T22:30:00Z', action: 'user.role_changed', objectType: 'user', objectId: '2', changes: { role: ['partner', 'coordinator'] } },
		{ at: '2026-03-09T23:30:00Z', action: 'mail.requeued', objectType: 'mail', objectId: '5', changes: { status: ['failed', 'queued'] } },
		{ at: '2026-03-20T08:00:00Z', action: 'usergroup.created', objectType: 'group', objectId: '3', changes: { note: 'Sitzung; "Ausschuss"\nzweite Zeile', pct: '100%_sicher' } }
	];
	for (const r of rows) {
		await conn.insert(auditLog).values({ ...r, at: new Date(r.at), actorUserId: anna.userId, actorLabel: anna.label, ip: anna.ip });
	}
	await recordAudit(conn, { label: 'System' }, { action: 'job.cleaned', objectType: 'job', changes: { removed: 3 } });
});

describe('listAudit', () => {
	it('filters by action prefix, object type and id', async () => {
		expect((await listAudit(t.database.db, { action: 'user.' })).total).toBe(3);
		// A prefix, not a pattern: `user` also matches usergroup, `_` is literal.
		expect((await listAudit(t.database.db, { action: 'user' })).total).toBe(4);
		expect((await listAudit(t.database.db, { action: 'user_' })).total).toBe(0);
		expect((await listAudit(t.database.db, { objectType: 'user', objectId: '1' })).items.map((e) => e.action)).toEqual(['user.updated', 'user.created']);
		expect((await listAudit(t.database.db, { objectType: 'mail' })).items[0]).toMatchObject({ action: 'mail.requeued', actorLabel: anna.label });
	});

	it('searches free text in actor, action, object and changes, LIKE characters literally', async () => {
		expect((await listAudit(t.database.db, { q: 'größer' })).total).toBe(1);
		expect((await listAudit(t.database.db, { q: 'ÄBELMANN' })).total).toBe(5);
		expect((await listAudit(t.database.db, { q: 'system' })).total).toBe(1);
		expect((await listAudit(t.database.db, { q: '100%_' })).total).toBe(1);
		expect((await listAudit(t.database.db, { q: '%' })).total).toBe(1);
		// A trailing backslash would end the LIKE pattern with its escape character.
		expect((await listAudit(t.database.db, { q: 'Zeile\\' })).total).toBe(0);
	});

	it('filters by calendar days in German time, both ends inclusive', async () => {
		const day = async (from?: string, to?: string) => (await listAudit(t.database.db, { from, to })).items.map((e) => e.action);
		expect(await day('2026-03-10', '2026-03-10')).toEqual(['mail.requeued']);
		expect(await day('2026-03-09', '2026-03-09')).toEqual(['user.role_changed']);
		expect(await day('2026-03-01', '2026-03-05')).toEqual(['user.updated', 'user.created']);
		expect(await day(undefined, '2026-02-28')).toEqual([]);
		expect(await day('2026-03-20')).toEqual(['job.cleaned', 'usergroup.created']);
	});

	it('pages newest first with a total', async () => {
		const p1 = await listAudit(t.database.db, { limit: 2 });
		const p2 = await listAudit(t.database.db, { limit: 2, offset: 2 });
		const p4 = await listAudit(t.database.db, { limit: 2, offset: 6 });
		expect(p1.total).toBe(6);
		expect(p1.items.map((e) => e.action)).toEqual(['job.cleaned', 'usergroup.created']);
		expect(p2.items.map((e) => e.action)).toEqual(['mail.requeued', 'user.role_changed']);
		expect(p4.items).toEqual([]);
	});

	it('counts the entries of today', async () => {
		expect(await countAuditToday(t.database.db)).toBe(1);
	});
});

describe('auditFilterSchema', () => {
	it('accepts ISO and German dates and rejects nonsense with German messages', () => {
		expect(auditFilterSchema.parse({ from: '2026-03-01', to: '5.3.2026' })).toEqual({ from: '2026-03-01', to: '2026-03-05' });
		for (const bad of [{ from: '2026-02-30' }, { from: 'gestern' }, { to: '31.13.2026' }, { action: "x'; drop" }, { objectType: 'a b' }, { q: 'x'.repeat(201) }]) {
			const r = auditFilterSchema.safeParse(bad);
			expect(r.success, JSON.stringify(bad)).toBe(false);
		}
		const order = auditFilterSchema.safeParse({ from: '2026-03-05', to: '2026-03-01' });
		expect(order.success).toBe(false);
		expect(order.error?.issues[0]).toMatchObject({ path: ['to'], message: 'Das Bis-Datum liegt vor dem Von-Datum.' });
	});
});

describe('describeChanges', () => {
	it('shows updates as old → new and creations as values', () => {
		expect(describeChanges({ name: ['Alt', 'Neu'], active: [true, false], note: [null, 'x'] })).toEqual(['name: Alt → Neu', 'active: ja → nein', 'note: (leer) → x']);
		expect(describeChanges({ email: 'a@b.example', tags: ['a', 'b', 'c'], n: 3 })).toEqual(['email: a@b.example', 'tags: ["a","b","c"]', 'n: 3']);
		expect(describeChanges(null)).toEqual([]);
		expect(describeChanges(diff({ a: 1, b: 'x' }, { a: 2, b: 'x' }))).toEqual(['a: 1 → 2']);
	});
});

describe('auditCsv', () => {
	it('exports the filtered log as UTF-8 CSV with BOM, ; and quoted values', async () => {
		const csv = await auditCsv(t.database.db, { action: 'user' });
		expect(csv.startsWith('\uFEFFZeitpunkt;Akteur;Konto-Nr.;Aktion;Bedeutung;Objekttyp;Objekt-ID;Änderungen;IP-Adresse\r\n')).toBe(true);
		const rows: string[][] = parse(csv.slice(1), { delimiter: ';' });
		expect(rows).toHaveLength(5);
		expect(rows[1]).toEqual(['20.03.2026 09:00:00', anna.label, '7', 'usergroup.created', '', 'group', '3', 'pct: 100%_sicher\nnote: Sitzung; "Ausschuss"\nzweite Zeile', '192.0.2.1']);
		expect(rows[2]).toEqual(['09.03.2026 23:30:00', anna.label, '7', 'user.role_changed', 'Rolle geändert', 'user', '2', 'role: partner → coordinator', '192.0.2.1']);
		expect(rows[4][7]).toBe('name: Jürgen Groß\nemail: a@x.example'); // jsonb orders keys by length
		// Raw form: the value with separator, quotes and line break is quoted, quotes doubled.
		expect(csv).toContain(';"pct: 100%_sicher\nnote: Sitzung; ""Ausschuss""\nzweite Zeile";');
	});

	it('exports only the header when nothing matches', async () => {
		const csv = await auditCsv(t.database.db, { q: 'gibt es nicht' });
		expect(csv.split('\r\n')).toEqual(['\uFEFFZeitpunkt;Akteur;Konto-Nr.;Aktion;Bedeutung;Objekttyp;Objekt-ID;Änderungen;IP-Adresse', '']);
	});
});
