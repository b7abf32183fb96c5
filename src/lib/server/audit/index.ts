/**
 * The audit log. Every command writes its record through `recordAudit` with the transaction
 * handle of the change itself, so a change without its record cannot commit.
 */
import { and, desc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { DbOrTx, Tx } from '../db';
import { calendarDateSchema } from '../validation';
import { toCsv, type CsvValue } from '../export/csv';
import { auditLog } from './schema';
import { EVENT_AUDIT_LABELS, EVENT_AUDIT_OBJECT_LABELS } from '../events/labels';
import { INFOMAIL_AUDIT_LABELS, INFOMAIL_AUDIT_OBJECT_LABELS } from '../infomail/labels';
import { MEMBER_AUDIT_LABELS, MEMBER_AUDIT_OBJECT_LABELS } from '../members/labels';

/** Who performs a state change. */
export interface Actor {
	/** The user, when one is logged in or identified by API token. */
	userId?: number;
	/** Readable name for the log: "Name <mail>", "System", "CLI", "Anonym". */
	label: string;
	/** The role, when a user acts; commands check permissions with it. */
	role?: 'coordinator' | 'member_contact' | 'partner';
	/** Area (AGS) a member contact acts for. */
	areaAgs?: string | null;
	ip?: string;
}

export const systemActor: Actor = { label: 'System' };
export const cliActor: Actor = { label: 'Kommandozeile' };
export function anonymousActor(ip?: string): Actor {
	return { label: 'Anonym', ip };
}

export interface AuditEntry {
	/** Dotted verb in the past tense, e.g. `user.invited`. */
	action: string;
	objectType: string;
	objectId?: string | number | null;
	/** `{field: [old, new]}` for updates, the new values for creations; never secrets. */
	changes?: Record<string, unknown> | null;
}

export async function recordAudit(tx: Tx | DbOrTx, actor: Actor, entry: AuditEntry): Promise<void> {
	await tx.insert(auditLog).values({
		actorUserId: actor.userId ?? null,
		actorLabel: actor.label,
		action: entry.action,
		objectType: entry.objectType,
		objectId: entry.objectId == null ? null : String(entry.objectId),
		changes: entry.changes ?? null,
		ip: actor.ip ?? null
	});
}

/** `{field: [old, new]}` for the fields whose values differ. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, [unknown, unknown]> {
	const out: Record<string, [unknown, unknown]> = {};
	for (const [k, v] of Object.entries(after)) {
		if (v !== undefined && JSON.stringify(before[k]) !== JSON.stringify(v)) out[k] = [before[k] ?? null, v];
	}
	return out;
}

/**
 * What the actions and object types mean, for people reading the log. Codes without an entry
 * are shown as they are; a domain adding actions adds their wording here.
 */
export const AUDIT_ACTION_LABELS: Record<string, string> = {
	'user.created': 'Konto angelegt',
	'user.updated': 'Konto geändert',
	'user.role_changed': 'Rolle geändert',
	'user.password_changed': 'Passwort geändert',
	'user.invited': 'Zur Plattform eingeladen',
	'user.invitation_resent': 'Einladung erneut gesendet',
	'user.invitation_accepted': 'Einladung angenommen',
	'session.created': 'Angemeldet',
	'session.login_failed': 'Anmeldung fehlgeschlagen',
	'session.ended': 'Abgemeldet',
	'session.ended_others': 'Andere Anmeldungen beendet',
	'password_reset.requested': 'Neues Passwort angefordert',
	'password_reset.completed': 'Neues Passwort gesetzt',
	'api_token.created': 'API-Token erstellt',
	'api_token.revoked': 'API-Token widerrufen',
	'mail.requeued': 'Mail erneut in den Versand gegeben',
	'mail.test_sent': 'Testmail ausgelöst',
	'mail.held_requeued': 'Zurückgehaltene Mails in den Versand gegeben',
	'demo_data.loaded': 'Demodaten geladen',
	'accessibility_feedback.submitted': 'Barriere gemeldet',
	'accessibility_feedback.done': 'Rückmeldung zur Barrierefreiheit erledigt',
	'accessibility_feedback.reopened': 'Rückmeldung zur Barrierefreiheit wieder geöffnet',
	'retention.purged': 'Abgelaufene Daten gelöscht',
	// Each domain keeps its own wording next to its code (a plain data module, no cycle).
	...EVENT_AUDIT_LABELS,
	...INFOMAIL_AUDIT_LABELS,
	...MEMBER_AUDIT_LABELS
};
export const AUDIT_OBJECT_LABELS: Record<string, string> = {
	user: 'Konto',
	session: 'Anmeldung',
	api_token: 'API-Token',
	mail: 'Mail',
	job: 'Auftrag',
	system: 'System',
	accessibility_feedback: 'Rückmeldung zur Barrierefreiheit',
	...EVENT_AUDIT_OBJECT_LABELS,
	...INFOMAIL_AUDIT_OBJECT_LABELS,
	...MEMBER_AUDIT_OBJECT_LABELS
};
export function auditActionLabel(action: string): string {
	return AUDIT_ACTION_LABELS[action] ?? action;
}
export function auditObjectLabel(objectType: string): string {
	return AUDIT_OBJECT_LABELS[objectType] ?? objectType;
}

/** Calendar days of the filters are days in Germany, whatever the server's time zone. */
export const TIME_ZONE = 'Europe/Berlin';

/** `JJJJ-MM-TT` or `TT.MM.JJJJ` → `JJJJ-MM-TT`; the log starts with the platform. */
const dateSchema = calendarDateSchema({ minYear: 2000, example: '31.12.2026' });

/** Validators of the audit filters, shared by the page (camelCase) and the API (snake_case). */
export const auditFilterFields = {
	/** Free text over actor, action, object and changes. */
	q: z.string().trim().max(200, 'Der Suchbegriff darf höchstens 200 Zeichen lang sein.'),
	/** Beginning of the action, e.g. `user.` or `mail.requeued`. */
	action: z
		.string()
		.trim()
		.max(100, 'Die Aktion darf höchstens 100 Zeichen lang sein.')
		.regex(/^[A-Za-z0-9_.]*$/, 'Eine Aktion besteht aus Buchstaben, Ziffern, Punkt und Unterstrich, z. B. „user.“ oder „mail.requeued“.'),
	/** Exact object type, e.g. `user`. */
	objectType: z
		.string()
		.trim()
		.max(50, 'Der Objekttyp darf höchstens 50 Zeichen lang sein.')
		.regex(/^[A-Za-z0-9_.]*$/, 'Ein Objekttyp besteht aus Buchstaben, Ziffern, Punkt und Unterstrich, z. B. „user“.'),
	/** Exact object id. */
	objectId: z.string().trim().max(100, 'Die Objekt-ID darf höchstens 100 Zeichen lang sein.'),
	/** First day (inclusive). */
	from: dateSchema,
	/** Last day (inclusive). */
	to: dateSchema
};

function fromBeforeTo(v: { from?: string; to?: string }, ctx: z.RefinementCtx, toKey = 'to') {
	if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: 'custom', path: [toKey], message: 'Das Bis-Datum liegt vor dem Von-Datum.' });
}

export const auditFilterSchema = z
	.object({
		q: auditFilterFields.q.optional(),
		action: auditFilterFields.action.optional(),
		objectType: auditFilterFields.objectType.optional(),
		objectId: auditFilterFields.objectId.optional(),
		from: auditFilterFields.from.optional(),
		to: auditFilterFields.to.optional()
	})
	.superRefine((v, ctx) => fromBeforeTo(v, ctx));
export { fromBeforeTo as auditDateOrder };

export interface AuditFilter extends z.infer<typeof auditFilterSchema> {
	actorUserId?: number;
	limit?: number;
	offset?: number;
}

/** Escapes `\`, `%` and `_` for a LIKE pattern (backslash is PostgreSQL's default escape). */
function escapeLike(s: string): string {
	return s.replace(/[\\%_]/g, '\\$&');
}

function auditWhere(f: AuditFilter): SQL | undefined {
	const where: SQL[] = [];
	if (f.action) where.push(ilike(auditLog.action, `${escapeLike(f.action)}%`));
	if (f.objectType) where.push(eq(auditLog.objectType, f.objectType));
	if (f.objectId) where.push(eq(auditLog.objectId, f.objectId));
	if (f.actorUserId) where.push(eq(auditLog.actorUserId, f.actorUserId));
	if (f.from) where.push(sql`${auditLog.at} >= (${f.from}::date)::timestamp at time zone ${TIME_ZONE}`);
	if (f.to) where.push(sql`${auditLog.at} < (${f.to}::date + 1)::timestamp at time zone ${TIME_ZONE}`);
	if (f.q) {
		const like = `%${escapeLike(f.q)}%`;
		where.push(
			or(
				ilike(auditLog.actorLabel, like),
				ilike(auditLog.action, like),
				ilike(auditLog.objectType, like),
				ilike(auditLog.objectId, like),
				sql`${auditLog.changes}::text ilike ${like}`
			)!
		);
	}
	return where.length ? and(...where) : undefined;
}

export async function listAudit(conn: DbOrTx, f: AuditFilter) {
	const cond = auditWhere(f);
	const [items, [{ total }]] = await Promise.all([
		conn
			.select()
			.from(auditLog)
			.where(cond)
			.orderBy(desc(auditLog.id))
			.limit(f.limit ?? 100)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(auditLog).where(cond)
	]);
	return { items, total };
}

/** The object types that occur in the log, for the filter's choice list. */
export async function auditObjectTypes(conn: DbOrTx): Promise<string[]> {
	const rows = await conn.selectDistinct({ t: auditLog.objectType }).from(auditLog).orderBy(auditLog.objectType);
	return rows.map((r) => r.t);
}

/** Entries written since midnight (German time). */
export async function countAuditToday(conn: DbOrTx): Promise<number> {
	const [{ n }] = await conn
		.select({ n: sql<number>`count(*)::int` })
		.from(auditLog)
		.where(sql`${auditLog.at} >= date_trunc('day', now() at time zone ${TIME_ZONE}) at time zone ${TIME_ZONE}`);
	return n;
}

function showValue(v: unknown): string {
	if (v === null || v === undefined || v === '') return '(leer)';
	if (typeof v === 'string') return v;
	if (typeof v === 'boolean') return v ? 'ja' : 'nein';
	return JSON.stringify(v);
}

/** The changes of an entry as lines for people: `feld: alt → neu`, or `feld: wert` for creations. */
export function describeChanges(changes: unknown): string[] {
	if (changes === null || changes === undefined) return [];
	if (typeof changes !== 'object' || Array.isArray(changes)) return [showValue(changes)];
	return Object.entries(changes as Record<string, unknown>).map(([k, v]) =>
		Array.isArray(v) && v.length === 2 ? `${k}: ${showValue(v[0])} → ${showValue(v[1])}` : `${k}: ${showValue(v)}`
	);
}

const timeFormat = new Intl.DateTimeFormat('de-DE', {
	timeZone: TIME_ZONE,
	day: '2-digit',
	month: '2-digit',
	year: 'numeric',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit'
});

/** `TT.MM.JJJJ hh:mm:ss` in German time; without the comma of Intl, spreadsheets read it as a date. */
function spreadsheetTime(d: Date): string {
	const p = Object.fromEntries(timeFormat.formatToParts(d).map((x) => [x.type, x.value]));
	return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}:${p.second}`;
}

/** Most rows one export holds; a larger log must be narrowed down by the filters. */
export const EXPORT_MAX_ROWS = 100_000;

/**
 * The filtered log as CSV for German spreadsheet programs: UTF-8 with byte order mark, `;` as
 * separator, CRLF line ends, newest entry first, at most EXPORT_MAX_ROWS rows.
 */
export async function auditCsv(conn: DbOrTx, f: AuditFilter): Promise<string> {
	const rows: CsvValue[][] = [['Zeitpunkt', 'Akteur', 'Konto-Nr.', 'Aktion', 'Bedeutung', 'Objekttyp', 'Objekt-ID', 'Änderungen', 'IP-Adresse']];
	const batch = 5000;
	for (let offset = 0; offset < EXPORT_MAX_ROWS; offset += batch) {
		const items = await conn
			.select()
			.from(auditLog)
			.where(auditWhere(f))
			.orderBy(desc(auditLog.id))
			.limit(Math.min(batch, EXPORT_MAX_ROWS - offset))
			.offset(offset);
		for (const e of items) {
			rows.push([spreadsheetTime(e.at), e.actorLabel, e.actorUserId, e.action, AUDIT_ACTION_LABELS[e.action] ?? '', e.objectType, e.objectId, describeChanges(e.changes).join('\n'), e.ip]);
		}
		if (items.length < batch) break;
	}
	return '\uFEFF' + toCsv(rows, { separator: ';' });
}
