/**
 * The public site: feedback on barriers (required by BITV NRW § 7 / EU directive 2016/2102).
 * Anyone may send it; the coordination office gets it by mail and answers.
 */
import { and, desc, eq, gt, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { parseInput } from '../accounts';
import { users } from '../accounts/schema';
import { recordAudit, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import type { DbOrTx } from '../db';
import { DomainError, notFound, requireCoordinator } from '../errors';
import { enqueueMail } from '../mail';
import { renderMail } from '../mail/templates';
import { accessibilityFeedback } from './schema';

/** Feedback a single address may send per hour; the form mails everybody in the office. */
export const FEEDBACK_MAX_PER_IP_PER_HOUR = 10;

/**
 * Control characters (except tab and line breaks) are dropped: PostgreSQL cannot store NUL in
 * text, and the others only hide text in mails and lists.
 */
export function stripControlCharacters(v: string): string {
	return v.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '');
}

/** Empty or missing text becomes null. */
function optionalText(max: number, tooLong: string) {
	return z
		.string({ error: 'Bitte geben Sie hier Text ein.' })
		.nullish()
		.transform((v) => (v ? stripControlCharacters(v).trim() : ''))
		.pipe(z.string().max(max, tooLong))
		.transform((v) => (v ? v : null));
}

/** The validators of each field, shared by the command, the form and the API body. */
export const feedbackFields = {
	/** Optional; only to address an answer. */
	name: optionalText(200, 'Der Name darf höchstens 200 Zeichen lang sein.'),
	/** Optional; when given, an answer and a confirmation go there. */
	email: z
		.string({ error: 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@stadt.de.' })
		.trim()
		.max(254, 'Die E-Mail-Adresse ist zu lang.')
		.nullish()
		.transform((v) => (v ? v : null))
		.pipe(z.email({ error: 'Bitte geben Sie eine gültige E-Mail-Adresse an, z. B. name@stadt.de.' }).nullable()),
	/** Address or name of the page where the barrier was met; free text, as people describe it. */
	pageUrl: optionalText(1000, 'Die Angabe zur Seite darf höchstens 1000 Zeichen lang sein.'),
	/** What did not work. */
	message: z
		.string({ error: 'Bitte beschreiben Sie das Problem.' })
		.transform((v) => stripControlCharacters(v).trim())
		.pipe(z.string().min(1, 'Bitte beschreiben Sie das Problem.').max(5000, 'Die Nachricht darf höchstens 5000 Zeichen lang sein.'))
};

export const submitAccessibilityFeedbackInput = z.object({
	// Order as in the form, so that the error summary lists the fields top-down.
	/** The description of the barrier (required). */
	message: feedbackFields.message,
	/** The page concerned (optional). */
	pageUrl: feedbackFields.pageUrl,
	/** Name of the sender (optional). */
	name: feedbackFields.name,
	/** E-mail address of the sender (optional). */
	email: feedbackFields.email
});
export type SubmitAccessibilityFeedbackInput = z.input<typeof submitAccessibilityFeedbackInput>;

function coordinatorMail(f: { id: number; name: string | null; email: string | null; pageUrl: string | null; message: string }) {
	return renderMail({
		subject: `Rückmeldung zur Barrierefreiheit (Nr. ${f.id})`,
		paragraphs: [
			'über das Formular der Erklärung zur Barrierefreiheit ist eine neue Rückmeldung eingegangen.',
			`Name: ${f.name ?? '(nicht angegeben)'}`,
			`E-Mail-Adresse: ${f.email ?? '(nicht angegeben)'}`,
			`Betroffene Seite: ${f.pageUrl ?? '(nicht angegeben)'}`,
			'Nachricht:',
			f.message
		],
		after: [
			f.email
				? 'Bitte antworten Sie der Person zeitnah; eine Antwort auf diese Mail geht direkt an sie.'
				: 'Die Person hat keine E-Mail-Adresse angegeben; eine Antwort ist nicht möglich.'
		]
	});
}

/**
 * The confirmation deliberately repeats nothing the sender typed (no name, no message): the
 * form is public, and the mail must not become a way to send arbitrary text to anybody.
 */
function confirmationMail(id: number) {
	return renderMail({
		subject: 'Ihre Rückmeldung zur Barrierefreiheit ist angekommen',
		paragraphs: [
			`vielen Dank für Ihre Rückmeldung zur Barrierefreiheit der Plattform des Kommunen-Netzwerks. Sie hat die Nummer ${id}.`,
			'Die Koordinierungsstelle prüft Ihr Anliegen und antwortet Ihnen in der Regel innerhalb von zwei Wochen.',
			'Wenn Sie diese Rückmeldung nicht geschickt haben, können Sie diese Mail ignorieren.'
		]
	});
}

/**
 * Stores feedback on a barrier, mails it to every active coordinator and, when the sender gave an
 * address, a confirmation to the sender — all in one transaction. Throttled per IP address.
 */
export async function submitAccessibilityFeedback(conn: DbOrTx, actor: Actor, input: SubmitAccessibilityFeedbackInput): Promise<{ id: number }> {
	const v = parseInput(submitAccessibilityFeedbackInput, input);
	return conn.transaction(async (tx) => {
		if (actor.ip) {
			const hourAgo = new Date(Date.now() - 3_600_000);
			const [{ n }] = await tx
				.select({ n: sql<number>`count(*)::int` })
				.from(auditLog)
				.where(and(eq(auditLog.action, 'accessibility_feedback.submitted'), eq(auditLog.ip, actor.ip), gt(auditLog.at, hourAgo)));
			if (n >= FEEDBACK_MAX_PER_IP_PER_HOUR)
				throw new DomainError('throttled', 'Von Ihrem Anschluss kamen in der letzten Stunde sehr viele Rückmeldungen. Bitte versuchen Sie es später erneut oder schreiben Sie uns eine E-Mail.', {}, 3600);
		}
		const [row] = await tx
			.insert(accessibilityFeedback)
			.values({ name: v.name, email: v.email, pageUrl: v.pageUrl, message: v.message })
			.returning({ id: accessibilityFeedback.id });
		const coordinators = await tx
			.select({ email: users.email, name: users.name })
			.from(users)
			.where(and(eq(users.role, 'coordinator'), eq(users.status, 'active')))
			.orderBy(users.id);
		const notice = coordinatorMail({ id: row.id, ...v });
		for (const c of coordinators) {
			await enqueueMail(tx, {
				to: c.email,
				toName: c.name,
				template: 'accessibility_feedback',
				...notice,
				headers: v.email ? { 'Reply-To': v.email } : undefined
			});
		}
		if (v.email) await enqueueMail(tx, { to: v.email, toName: null, template: 'accessibility_feedback_confirmation', ...confirmationMail(row.id) });
		// No message text or address in the log: it is personal data the log need not keep.
		await recordAudit(tx, actor, {
			action: 'accessibility_feedback.submitted',
			objectType: 'accessibility_feedback',
			objectId: row.id,
			changes: { pageUrl: v.pageUrl, withEmail: !!v.email, notified: coordinators.length }
		});
		return { id: row.id };
	});
}

export interface FeedbackListFilter {
	/** open: not yet settled; done: settled; absent: all. */
	status?: 'open' | 'done';
	limit?: number;
	offset?: number;
}

/** Feedback, newest first. Only for coordinators (the API checks access). */
export async function listAccessibilityFeedback(conn: DbOrTx, f: FeedbackListFilter = {}) {
	const where = f.status === 'open' ? isNull(accessibilityFeedback.doneAt) : f.status === 'done' ? isNotNull(accessibilityFeedback.doneAt) : undefined;
	const [items, [{ total }]] = await Promise.all([
		conn
			.select()
			.from(accessibilityFeedback)
			.where(where)
			.orderBy(desc(accessibilityFeedback.id))
			.limit(f.limit ?? 100)
			.offset(f.offset ?? 0),
		conn.select({ total: sql<number>`count(*)::int` }).from(accessibilityFeedback).where(where)
	]);
	return { items, total };
}

export interface SetFeedbackDoneInput {
	/** The feedback entry. */
	id: number;
	/** true: answered or otherwise settled; false: open again. */
	done: boolean;
}

/** Marks feedback as settled (or open again). Coordinators only. */
export async function setAccessibilityFeedbackDone(conn: DbOrTx, actor: Actor, input: SetFeedbackDoneInput) {
	requireCoordinator(actor);
	return conn.transaction(async (tx) => {
		const [row] = await tx
			.update(accessibilityFeedback)
			.set({ doneAt: input.done ? sql`coalesce(${accessibilityFeedback.doneAt}, now())` : null })
			.where(eq(accessibilityFeedback.id, input.id))
			.returning();
		if (!row) throw notFound(`Es gibt keine Rückmeldung Nr. ${input.id}.`);
		await recordAudit(tx, actor, {
			action: input.done ? 'accessibility_feedback.done' : 'accessibility_feedback.reopened',
			objectType: 'accessibility_feedback',
			objectId: row.id
		});
		return row;
	});
}
