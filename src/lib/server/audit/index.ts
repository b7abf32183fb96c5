/**
 * The audit log. Every command writes its record through `recordAudit` with the transaction
 * handle of the change itself, so a change without its record cannot commit.
 */
import { and, desc, eq, gte, ilike, lte, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx, Tx } from '../db';
import { auditLog } from './schema';

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

export interface AuditFilter {
	/** Free text over actor, action, object and changes. */
	q?: string;
	action?: string;
	objectType?: string;
	objectId?: string;
	actorUserId?: number;
	/** ISO dates (inclusive). */
	from?: string;
	to?: string;
	limit?: number;
	offset?: number;
}

export async function listAudit(conn: DbOrTx, f: AuditFilter) {
	const where: SQL[] = [];
	if (f.action) where.push(ilike(auditLog.action, `${f.action.replace(/[%_]/g, '\\$&')}%`));
	if (f.objectType) where.push(eq(auditLog.objectType, f.objectType));
	if (f.objectId) where.push(eq(auditLog.objectId, f.objectId));
	if (f.actorUserId) where.push(eq(auditLog.actorUserId, f.actorUserId));
	if (f.from) where.push(gte(auditLog.at, new Date(`${f.from}T00:00:00`)));
	if (f.to) where.push(lte(auditLog.at, new Date(`${f.to}T23:59:59.999`)));
	if (f.q) {
		const like = `%${f.q.replace(/[%_]/g, '\\$&')}%`;
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
	const cond = where.length ? and(...where) : undefined;
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
