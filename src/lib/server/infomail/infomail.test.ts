import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../accounts';
import { cliActor, type Actor } from '../audit';
import { auditLog } from '../audit/schema';
import { setConfig } from '../config';
import { DomainError } from '../errors';
import { startWorker, type Worker } from '../jobs';
import { mailJobHandlers } from '../mail';
import { outboxMails } from '../mail/schema';
import { useTestDatabase } from '../testing';
import { startTestSmtpServer, type ReceivedMail, type TestSmtpServer } from '../testing/smtp';
import {
	cancelInfomail,
	createInfomail,
	createInfomailFromLast,
	getInfomail,
	infomailProgress,
	previewRecipients,
	resendUncertain,
	sendInfomail,
	sendTestInfomail,
	uncertainCount,
	updateInfomail
} from '.';
import { listBouncedAddresses, recordBounce, clearBounces } from './bounces';
import { markdownToHtml } from './content';
import { infomailJobHandlers, runSender } from './sending';
import { infomailConsents, infomailRecipients, infomailSubscribers } from './schema';
import {
	confirmSubscription,
	confirmTokenState,
	deleteSubscriberData,
	exportSubscriberData,
	importSubscribers,
	subscribe,
	unsubscribe,
	unsubscribeTokenAddress
} from './subscriptions';

const t = useTestDatabase();
let smtp: TestSmtpServer;
let worker: Worker;
const coordinator: Actor = { userId: undefined, label: 'Kora Koordination <kora@example.org>', role: 'coordinator', ip: '10.0.0.1' };
const visitor = (ip = '192.0.2.10'): Actor => ({ label: 'Anonym', ip });

beforeAll(async () => {
	smtp = await startTestSmtpServer();
	const db = () => t.database;
	worker = startWorker({ pool: t.database.pool, handlers: { ...mailJobHandlers(() => t.database.db), ...infomailJobHandlers(db) } }, false);
});
afterAll(async () => {
	await worker?.stop();
	await smtp?.stop();
});
beforeEach(async () => {
	smtp.clear();
	await smtp.start();
	setConfig({ ...t.config, smtpUrl: smtp.url });
});

const content = {
	subject: 'Infomail März 2026',
	intro: 'Liebe Kolleginnen und Kollegen, hier die **Neuigkeiten**.',
	sections: [
		{ level: 'land' as const, items: [{ title: 'Ehrenamtskarte NRW', text: 'Neue [Partner](/gebiete) gesucht.\n\n- eins\n- zwei', link: 'https://www.engagiert-in-nrw.de' }] },
		{ level: 'bund' as const, items: [{ title: 'Engagementstrategie des Bundes', text: 'Text mit <script>alert(1)</script> und <b style="color:red">fett</b>.', ref: { kind: 'event', id: '12' } }] }
	]
};

function confirmLinkOf(m: ReceivedMail): string {
	const match = m.parsed.text?.match(/\/infomail\/bestaetigen\/([\w-]+)/);
	if (!match) throw new Error('Kein Bestätigungslink in der Mail');
	return match[1];
}

/** The outbox runs through the job worker; transactional mails (confirmations) go that way. */
async function drain() {
	await worker.drain();
}

async function subscribeAndConfirm(email: string, name: string | null = null) {
	await subscribe(t.database.db, visitor(), { email, name });
	await drain();
	const mail = smtp.messages.filter((m) => m.envelope.to[0] === email.toLowerCase()).at(-1)!;
	await confirmSubscription(t.database.db, visitor('198.51.100.7'), { token: confirmLinkOf(mail) });
}

async function makeDue(infomailId: number) {
	await t.database.pool.query(`update infomail_recipients set next_attempt_at = now() where infomail_id = $1 and status = 'pending'`, [infomailId]);
	await t.database.pool.query(`update jobs set run_at = now() where status = 'pending' and kind like 'infomail.%' and payload->>'infomailId' = $1::text`, [infomailId]);
}

async function cancelAllSends() {
	await t.database.pool.query(`update infomails set status = 'cancelled' where status in ('sending', 'scheduled')`);
}

describe('content', () => {
	it('renders markdown safely with absolute links', () => {
		const html = markdownToHtml('Hallo **Welt** [intern](/gebiete) [x](javascript:alert(1)) <img src=x onerror=alert(1)> <span style="color:red">rot</span>');
		expect(html).toContain('<strong>Welt</strong>');
		expect(html).toContain('href="http://127.0.0.1:3999/gebiete"');
		expect(html).not.toMatch(/javascript:|onerror|<img|style=|<script/);
	});

	it('validates items, links and references with German messages', async () => {
		const bad = createInfomail(t.database.db, coordinator, {
			subject: 'x',
			sections: [{ level: 'land', items: [{ title: '', text: '', link: 'ftp://x', ref: { kind: 'member', id: '12' } }] }]
		});
		await expect(bad).rejects.toThrow();
		try {
			await bad;
		} catch (e) {
			const issues = (e as { issues: { path: (string | number)[]; message: string }[] }).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
			expect(issues.join('\n')).toMatch(/subject: Bitte geben Sie einen Betreff an/);
			expect(issues.join('\n')).toMatch(/sections\.0\.items\.0\.title: Bitte geben Sie einen Titel an/);
			expect(issues.join('\n')).toMatch(/link: Der Link muss mit https/);
			expect(issues.join('\n')).toMatch(/ref\.id: Bitte geben Sie den AGS/);
		}
		await expect(createInfomail(t.database.db, { label: 'x', role: 'member_contact' }, content)).rejects.toThrow(DomainError);
	});
});

describe('subscriptions (double opt-in)', () => {
	it('confirms only by POST of the link page, records the consent proof and answers alike for known addresses', async () => {
		await subscribe(t.database.db, visitor('192.0.2.55'), { email: 'Neu.Abo@Example.org', name: 'Nora Neu', userAgent: 'Testbrowser/1.0' });
		await drain();
		const [mail] = await smtp.waitForMessages(1);
		expect(mail.envelope.to).toEqual(['neu.abo@example.org']);
		expect(mail.parsed.subject).toMatch(/bestätigen/);
		expect(mail.parsed.text).toContain('Guten Tag Nora Neu,');
		const token = confirmLinkOf(mail);
		const [sub] = await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, 'neu.abo@example.org'));
		expect(sub.status).toBe('pending');
		// Opening the link (GET) only reads the state.
		expect(await confirmTokenState(t.database.db, token)).toEqual({ state: 'valid', email: 'neu.abo@example.org' });
		expect((await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.id, sub.id)))[0].status).toBe('pending');

		await confirmSubscription(t.database.db, visitor('198.51.100.7'), { token });
		const [after] = await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.id, sub.id));
		expect(after.status).toBe('confirmed');
		const [consent] = await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.subscriberId, sub.id));
		expect(consent).toMatchObject({ source: 'Formular /infomail', consentVersion: '2026-01', requestIp: '192.0.2.55', requestUserAgent: 'Testbrowser/1.0', confirmIp: '198.51.100.7' });
		expect(consent.requestedAt).toBeInstanceOf(Date);
		expect(consent.confirmedAt!.getTime()).toBeGreaterThanOrEqual(consent.requestedAt.getTime());
		// Repeating the confirmation changes nothing.
		await confirmSubscription(t.database.db, visitor('203.0.113.1'), { token });
		expect((await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.id, consent.id)))[0].confirmIp).toBe('198.51.100.7');

		// Subscribing a confirmed address again: same (silent) result for the caller, a note in the mailbox, no new consent.
		smtp.clear();
		await expect(subscribe(t.database.db, visitor(), { email: 'neu.abo@example.org' })).resolves.toBeUndefined();
		await drain();
		const [note] = await smtp.waitForMessages(1);
		expect(note.parsed.subject).toMatch(/bereits/);
		expect(await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.subscriberId, sub.id))).toHaveLength(1);

		await expect(confirmSubscription(t.database.db, visitor(), { token: 'gibt-es-nicht' })).rejects.toMatchObject({ kind: 'not_found' });
		await expect(subscribe(t.database.db, visitor(), { email: 'keine-adresse' })).rejects.toThrow();
	});

	it('throttles silently per address', async () => {
		for (let i = 0; i < 5; i++) await subscribe(t.database.db, visitor(`192.0.2.${100 + i}`), { email: 'viel@example.org' });
		await drain();
		expect(smtp.messages.filter((m) => m.envelope.to[0] === 'viel@example.org')).toHaveLength(3);
	});

	it('unsubscribes by token, withdraws the consent and needs a new confirmation to subscribe again', async () => {
		await subscribeAndConfirm('wieder@example.org', 'Wilma Wieder');
		smtp.clear();
		// The "already subscribed" note carries an unsubscribe link of the subscriber.
		await subscribe(t.database.db, visitor(), { email: 'wieder@example.org' });
		await drain();
		const link = (await smtp.waitForMessages(1))[0].parsed.text!.match(/\/infomail\/abbestellen\/([\w-]+)/)![1];
		expect(await unsubscribeTokenAddress(t.database.db, link)).toMatchObject({ email: 'wieder@example.org', subscribed: true });
		const r = await unsubscribe(t.database.db, visitor('203.0.113.9'), { token: link, method: 'web' });
		expect(r).toEqual({ email: 'wieder@example.org', changed: true });
		expect((await unsubscribe(t.database.db, visitor(), { token: link })).changed).toBe(false);
		const [sub] = await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, 'wieder@example.org'));
		expect(sub.status).toBe('unsubscribed');
		const consents = await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.subscriberId, sub.id));
		expect(consents.every((c) => c.withdrawnAt && c.withdrawIp === '203.0.113.9' && c.withdrawMethod === 'web')).toBe(true);

		smtp.clear();
		await subscribe(t.database.db, visitor(), { email: 'wieder@example.org' });
		await drain();
		expect((await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.id, sub.id)))[0].status).toBe('unsubscribed');
		await confirmSubscription(t.database.db, visitor(), { token: confirmLinkOf((await smtp.waitForMessages(1))[0]) });
		expect((await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.id, sub.id)))[0].status).toBe('confirmed');
		expect(await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.subscriberId, sub.id))).toHaveLength(2);
		await expect(unsubscribe(t.database.db, visitor(), { token: 'unbekannt' })).rejects.toMatchObject({ kind: 'not_found' });
	});

	it('exports and deletes the data of an address (DSGVO), coordinators only', async () => {
		await subscribeAndConfirm('dsgvo@example.org', 'Dora Daten');
		await expect(exportSubscriberData(t.database.db, visitor(), { email: 'dsgvo@example.org' })).rejects.toMatchObject({ kind: 'forbidden' });
		const data = await exportSubscriberData(t.database.db, coordinator, { email: 'DSGVO@example.org' });
		expect(data.subscriber).toMatchObject({ name: 'Dora Daten', status: 'confirmed' });
		expect(data.consents[0]).toMatchObject({ source: 'Formular /infomail', consentVersion: '2026-01', requestIp: '192.0.2.10', confirmIp: '198.51.100.7' });
		expect(data.consents[0].consentText).toMatch(/Infomail/);
		expect(await deleteSubscriberData(t.database.db, coordinator, { email: 'dsgvo@example.org' })).toEqual({ deleted: true });
		expect(await t.database.db.select().from(infomailSubscribers).where(eq(infomailSubscribers.email, 'dsgvo@example.org'))).toHaveLength(0);
		const after = await exportSubscriberData(t.database.db, coordinator, { email: 'dsgvo@example.org' });
		expect(after).toMatchObject({ subscriber: null, consents: [], deliveries: [], bounces: [] });
		const [log] = await t.database.db.select().from(auditLog).where(eq(auditLog.action, 'infomail_subscriber.deleted'));
		expect(JSON.stringify(log.changes)).not.toContain('dsgvo@');
	});

	it('imports a list with the consent source, keeping opt-outs', async () => {
		const res = await importSubscribers(t.database.db, cliActor, {
			source: 'Altliste Newsletter 2025',
			rows: [
				{ line: 2, email: 'import1@example.org', name: 'Ina Import', consentedAt: new Date('2025-05-01T10:00:00Z') },
				{ line: 3, email: 'IMPORT1@example.org' },
				{ line: 4, email: 'kaputt' },
				{ line: 5, email: 'wieder@example.org' }
			]
		});
		expect(res).toMatchObject({ created: 1, alreadyConfirmed: 1, keptUnsubscribed: 0, invalid: [{ line: 4 }] });
		const [c] = await t.database.db.select().from(infomailConsents).where(eq(infomailConsents.email, 'import1@example.org'));
		expect(c).toMatchObject({ source: 'Import: Altliste Newsletter 2025', consentVersion: 'import' });
		expect(c.confirmedAt?.toISOString()).toBe('2025-05-01T10:00:00.000Z');
	});
});

describe('sending', () => {
	let anna: number;
	beforeAll(async () => {
		await t.database.db.transaction(async (tx) => {
			const u1 = await createUser(tx, cliActor, { email: 'Anna.Beispiel@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: '05711000', password: 'Ein-langes-Passwort-1' });
			anna = u1.id;
			await createUser(tx, cliActor, { email: 'm.muster@arnsberg.example', name: 'Markus Muster', role: 'member_contact', areaAgs: '05958004', password: 'Ein-langes-Passwort-1' });
			await createUser(tx, cliActor, { email: 'partner@example.org', name: 'Paula Partner', role: 'partner', password: 'Ein-langes-Passwort-1' });
		});
		// Also a subscriber: must get one mail only.
		await subscribeAndConfirm('anna.beispiel@bielefeld.example');
	});

	it('shows the recipients before sending: one per address, without partners and unsubscribed', async () => {
		const p = await previewRecipients(t.database.db, ['member_contacts', 'subscribers']);
		const emails = p.sample.map((r) => r.email);
		expect(emails).toContain('anna.beispiel@bielefeld.example');
		expect(emails.filter((e) => e === 'anna.beispiel@bielefeld.example')).toHaveLength(1);
		expect(emails).not.toContain('partner@example.org');
		expect(emails).not.toContain('wieder@example.org'.replace('wieder', 'nie'));
		expect(p.sample.find((r) => r.email === 'anna.beispiel@bielefeld.example')?.name).toBe('Anna Beispiel');
		expect(p.byAudience.map((a) => a.key)).toEqual(['member_contacts', 'subscribers']);
	});

	it('sends each recipient exactly one accessible, personal mail with list headers and absolute links', async () => {
		const id = await createInfomail(t.database.db, coordinator, content);
		const before = await previewRecipients(t.database.db, ['member_contacts', 'subscribers'], 1000);
		const started = await sendInfomail(t.database.db, coordinator, { id, rate: 1000 });
		expect(started).toMatchObject({ status: 'sending', recipients: before.total });
		await expect(updateInfomail(t.database.db, coordinator, { id, ...content })).rejects.toMatchObject({ kind: 'conflict' });
		await drain();
		const progress = (await infomailProgress(t.database.db, id))!;
		expect(progress).toMatchObject({ status: 'sent', recipients: before.total, sent: before.total, pending: 0, failed: 0, sending: 0 });
		const received = smtp.messages.filter((m) => m.parsed.subject === content.subject);
		expect(received).toHaveLength(before.total);
		expect(new Set(received.map((m) => m.envelope.to[0])).size).toBe(before.total);

		const anna = received.find((m) => m.envelope.to[0] === 'anna.beispiel@bielefeld.example')!;
		const p = anna.parsed;
		const [row] = await t.database.db.select().from(infomailRecipients).where(sql`${infomailRecipients.infomailId} = ${id} and ${infomailRecipients.email} = 'anna.beispiel@bielefeld.example'`);
		expect(p.messageId).toBe(row.messageId);
		expect(row.messageId).toMatch(new RegExp(`^<infomail\\.${id}\\.[0-9a-f]{32}@kommunennetz\\.example>$`));
		expect(p.from?.value[0].address).toBe('test@kommunennetz.example');
		expect(p.replyTo?.value[0].address).toBe('test@kommunennetz.example');
		expect(p.date).toBeInstanceOf(Date);
		const raw = anna.raw.toString();
		expect(raw).toMatch(/^Date: /m);
		const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
		expect(unfolded).toMatch(new RegExp(`^List-Unsubscribe: <http://127\\.0\\.0\\.1:3999/infomail/abbestellen/${row.unsubscribeToken}/one-click>\r?$`, 'm'));
		expect(unfolded).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
		expect(unfolded).toMatch(/^Message-ID: <infomail\./m);
		expect(p.text).toContain('Guten Tag Anna Beispiel,');
		expect(p.text).toContain('EHRENAMTSKARTE NRW'.slice(0, 0) + 'Ehrenamtskarte NRW');
		expect(p.text).toContain(`/infomail/abbestellen/${row.unsubscribeToken}`);
		expect(p.html).toContain('<html lang="de">');
		expect(p.html).toContain('Guten Tag Anna Beispiel,');
		expect(p.html).toContain('href="http://127.0.0.1:3999/gebiete"');
		expect(p.html).toContain('http://127.0.0.1:3999/veranstaltungen/12');
		expect(p.html).not.toMatch(/<script|alert\(1\)<\/script>/);
		// Bund comes before Land, whatever the order typed.
		const html = String(p.html);
		expect(html.indexOf('>Bund<')).toBeLessThan(html.indexOf('>Land Nordrhein-Westfalen<'));
		// Every href is absolute.
		for (const href of html.matchAll(/href="([^"]*)"/g)) expect(href[1]).toMatch(/^(https?:|mailto:)/);
		// The archive shows it now.
		expect((await getInfomail(t.database.db, id))?.status).toBe('sent');
	});

	it('one-click unsubscribe by the token of a received mail stops the next Infomail for a member contact', async () => {
		const [row] = await t.database.db.select().from(infomailRecipients).where(eq(infomailRecipients.email, 'm.muster@arnsberg.example')).limit(1);
		await unsubscribe(t.database.db, visitor('203.0.113.50'), { token: row.unsubscribeToken, method: 'one-click' });
		const p = await previewRecipients(t.database.db, ['member_contacts'], 100);
		expect(p.sample.map((r) => r.email)).not.toContain('m.muster@arnsberg.example');
		expect(p.sample.map((r) => r.email)).toContain('anna.beispiel@bielefeld.example');
	});

	it('retries temporary SMTP failures with backoff and records permanent ones', async () => {
		await subscribeAndConfirm('temp@example.org');
		await subscribeAndConfirm('perm@example.org');
		smtp.clear();
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Fehlerprobe', audiences: ['subscribers'] });
		const total = (await previewRecipients(t.database.db, ['subscribers'], 1000)).total;
		// The rows are sent in address order: anna…, import1…, neu.abo…, perm…, temp…, wieder…
		const emails = (await previewRecipients(t.database.db, ['subscribers'], 1000)).sample.map((r) => r.email);
		expect(emails.indexOf('perm@example.org')).toBeGreaterThan(-1);
		smtp.failNext(1, 451);
		await sendInfomail(t.database.db, coordinator, { id, rate: 1000 });
		await drain();
		let p = (await infomailProgress(t.database.db, id))!;
		expect(p).toMatchObject({ status: 'sending', pending: 1, sent: total - 1 });
		const [retry] = await t.database.db.select().from(infomailRecipients).where(sql`${infomailRecipients.infomailId} = ${id} and ${infomailRecipients.status} = 'pending'`);
		expect(retry.attempts).toBe(1);
		expect(retry.lastError).toMatch(/^451/);
		expect(retry.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 20_000);
		smtp.failNext(1, 550, 'Mailbox unavailable');
		await makeDue(id);
		await drain();
		p = (await infomailProgress(t.database.db, id))!;
		expect(p).toMatchObject({ status: 'sent', pending: 0, failed: 1, sent: total - 1 });
		const [failed] = await t.database.db.select().from(infomailRecipients).where(sql`${infomailRecipients.infomailId} = ${id} and ${infomailRecipients.status} = 'failed'`);
		expect(failed).toMatchObject({ attempts: 2, email: retry.email });
		expect(failed.lastError).toMatch(/^550/);
		expect(smtp.messages.filter((m) => m.envelope.to[0] === retry.email)).toHaveLength(0);
		expect(new Set(smtp.messages.map((m) => m.envelope.to[0])).size).toBe(smtp.messages.length);
	});

	it('pauses while the SMTP server is down and resumes without losing or repeating anyone', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Server weg', audiences: ['subscribers', 'member_contacts'] });
		await smtp.stop();
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 1000 });
		const report = await runSender(t.database, id);
		expect(report.ended).toBe('paused');
		expect((await infomailProgress(t.database.db, id))!.sent).toBe(0);
		await smtp.start();
		await makeDue(id);
		await drain();
		expect(await infomailProgress(t.database.db, id)).toMatchObject({ status: 'sent', sent: recipients });
		const got = smtp.messages.filter((m) => m.parsed.subject === 'Server weg');
		expect(got).toHaveLength(recipients!);
	});

	it('schedules for later, starts when due with the recipients of that moment, and a scheduled send can be withdrawn', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Geplant', audiences: ['subscribers'] });
		const at = new Date(Date.now() + 3_600_000);
		expect(await sendInfomail(t.database.db, coordinator, { id, at: at.toISOString() })).toMatchObject({ status: 'scheduled', recipients: null });
		await drain();
		expect((await getInfomail(t.database.db, id))!.status).toBe('scheduled');
		expect(smtp.messages).toHaveLength(0);
		// A subscriber confirming before the start is included.
		await subscribeAndConfirm('spaet@example.org', 'Sina Spät');
		smtp.clear();
		await makeDue(id);
		await t.database.pool.query(`update infomails set scheduled_at = now() where id = $1`, [id]);
		await drain();
		const p = (await infomailProgress(t.database.db, id))!;
		expect(p.status).toBe('sent');
		expect(smtp.messages.map((m) => m.envelope.to[0])).toContain('spaet@example.org');

		const id2 = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Doch nicht', audiences: ['subscribers'] });
		await sendInfomail(t.database.db, coordinator, { id: id2, at: new Date(Date.now() + 3_600_000) });
		expect(await cancelInfomail(t.database.db, coordinator, { id: id2 })).toEqual({ status: 'draft' });
		await makeDue(id2);
		await drain();
		expect((await getInfomail(t.database.db, id2))!.status).toBe('draft');
		expect(smtp.messages.filter((m) => m.parsed.subject === 'Doch nicht')).toHaveLength(0);
		await expect(sendInfomail(t.database.db, coordinator, { id: id2, at: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({ kind: 'validation' });
	});

	it('cancels a running send: the rest is left out', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Abbruch', audiences: ['subscribers', 'member_contacts'] });
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 1 });
		// At one mail per second the run is still busy when the cancellation comes.
		const run = runSender(t.database, id);
		await smtp.waitForMessages(1, 5000);
		await cancelInfomail(t.database.db, coordinator, { id });
		const report = await run;
		expect(report.ended).toBe('cancelled');
		const p = (await infomailProgress(t.database.db, id))!;
		expect(p.status).toBe('cancelled');
		expect(p.sent).toBeGreaterThanOrEqual(1);
		expect(p.sent).toBeLessThan(recipients!);
		expect(p.cancelled).toBe(recipients! - p.sent);
		expect(p.pending + p.sending).toBe(0);
		expect(smtp.messages.filter((m) => m.parsed.subject === 'Abbruch')).toHaveLength(p.sent);
		await expect(cancelInfomail(t.database.db, coordinator, { id })).rejects.toMatchObject({ kind: 'conflict' });
	});

	it('refuses to send to nobody and empty Infomails', async () => {
		const id = await createInfomail(t.database.db, coordinator, { subject: 'Leer', intro: '', sections: [], audiences: ['subscribers'] });
		await expect(sendInfomail(t.database.db, coordinator, { id })).rejects.toThrow(/leer/);
		await t.database.pool.query(`update users set status = 'disabled' where role = 'member_contact'`);
		const id2 = await createInfomail(t.database.db, coordinator, { ...content, audiences: ['member_contacts'] });
		await expect(sendInfomail(t.database.db, coordinator, { id: id2 })).rejects.toThrow(/keine einzige Adresse/);
		await t.database.pool.query(`update users set status = 'active' where role = 'member_contact'`);
	});

	it('takes over rows of a dead run: not handed over → sent again, handed over → counted as sent once', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Übernahme', audiences: ['subscribers'] });
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 1000 });
		// As a killed run leaves them: two claimed, one of them already handed over.
		const rows = await t.database.db.select().from(infomailRecipients).where(eq(infomailRecipients.infomailId, id)).orderBy(infomailRecipients.id);
		await t.database.pool.query(`update infomail_recipients set status = 'sending', lease_owner = 42 where id = any($1::bigint[])`, [[rows[0].id, rows[1].id]]);
		await t.database.pool.query(`update infomail_recipients set claimed_at = now() where id = $1`, [rows[1].id]);
		const report = await runSender(t.database, id);
		expect(report).toMatchObject({ ended: 'finished', takenOverResent: 1, takenOverUncertain: 1, sent: recipients! - 1 });
		const got = smtp.messages.filter((m) => m.parsed.subject === 'Übernahme').map((m) => m.envelope.to[0]);
		expect(got).toContain(rows[0].email);
		expect(got).not.toContain(rows[1].email);
		const p = (await infomailProgress(t.database.db, id))!;
		expect(p).toMatchObject({ status: 'sent', sent: recipients, resumed: 1 });
	});

	it('with INFOMAIL_UNCERTAIN=resend sends a handed-over row of a dead run again, with the same Message-ID', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Übernahme erneut', audiences: ['subscribers'] });
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 1000 });
		const [first] = await t.database.db.select().from(infomailRecipients).where(eq(infomailRecipients.infomailId, id)).orderBy(infomailRecipients.id).limit(1);
		await t.database.pool.query(`update infomail_recipients set status = 'sending', lease_owner = 42, claimed_at = now() where id = $1`, [first.id]);
		const report = await runSender(t.database, id, { connections: 2, watchdogSeconds: 15, maxAttempts: 6, uncertain: 'resend' });
		expect(report).toMatchObject({ ended: 'finished', takenOverUncertain: 1, sent: recipients });
		const got = smtp.messages.filter((m) => m.parsed.subject === 'Übernahme erneut' && m.envelope.to[0] === first.email);
		expect(got.map((m) => m.parsed.messageId)).toEqual([first.messageId]);
	});

	it('a coordinator sends the uncertain rows of a crash takeover once more, with the same Message-ID, leaving out bounced addresses', async () => {
		const conn = t.database.db;
		const id = await createInfomail(conn, coordinator, { ...content, subject: 'Unsicher übergeben', audiences: ['subscribers', 'member_contacts'] });
		const { recipients } = await sendInfomail(conn, coordinator, { id, rate: 1000 });
		const rows = await conn.select().from(infomailRecipients).where(eq(infomailRecipients.infomailId, id)).orderBy(infomailRecipients.id);
		// As a killed run leaves them: two rows handed over, their delivery unknown.
		await t.database.pool.query(`update infomail_recipients set status = 'sending', lease_owner = 42, claimed_at = now() where id = any($1::bigint[])`, [[rows[0].id, rows[1].id]]);
		const report = await runSender(t.database, id);
		expect(report).toMatchObject({ ended: 'finished', takenOverUncertain: 2, sent: recipients! - 2 });
		expect(await uncertainCount(conn, id)).toBe(2);
		const mailsTo = (email: string) => smtp.messages.filter((m) => m.parsed.subject === 'Unsicher übergeben' && m.envelope.to[0] === email);
		expect(mailsTo(rows[0].email)).toHaveLength(0);

		await expect(resendUncertain(conn, visitor(), { id })).rejects.toMatchObject({ kind: 'forbidden' });
		// Bounced since: not mailed again.
		await recordBounce(conn, coordinator, { email: rows[1].email, type: 'hard' });
		expect(await resendUncertain(conn, coordinator, { id })).toEqual({ resent: 1 });
		expect((await getInfomail(conn, id))!.status).toBe('sending');
		expect((await runSender(t.database, id)).ended).toBe('finished');

		expect(mailsTo(rows[0].email).map((m) => m.parsed.messageId)).toEqual([rows[0].messageId]);
		expect(mailsTo(rows[1].email)).toHaveLength(0);
		expect(await infomailProgress(conn, id)).toMatchObject({ status: 'sent', sent: recipients, resumed: 2 });
		expect(await uncertainCount(conn, id)).toBe(1);
		await expect(resendUncertain(conn, coordinator, { id })).rejects.toThrow(/keine unsicheren Zustellungen/);
		const audit = await conn.select().from(auditLog).where(eq(auditLog.action, 'infomail.uncertain_resent'));
		expect(audit.map((a) => a.changes)).toEqual([{ recipients: 1 }]);
		await clearBounces(conn, coordinator, { email: rows[1].email });
	});

	it('keeps one run per Infomail: a second run while one is active only keeps the watchdog', async () => {
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Zwei Läufe', audiences: ['subscribers', 'member_contacts'] });
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 5 });
		const first = runSender(t.database, id);
		await smtp.waitForMessages(1, 5000);
		const second = await runSender(t.database, id);
		expect(second.ended).toBe('busy');
		const jobs = await t.database.pool.query(`select count(*)::int as n from jobs where kind = 'infomail.send' and status = 'pending' and payload->>'infomailId' = $1::text`, [id]);
		expect(jobs.rows[0].n).toBe(1);
		expect((await first).ended).toBe('finished');
		const got = smtp.messages.filter((m) => m.parsed.subject === 'Zwei Läufe').map((m) => m.envelope.to[0]);
		expect(got).toHaveLength(recipients!);
		expect(new Set(got).size).toBe(recipients!);
	});

	it('sends a test mail through the outbox with the salutation of a known address', async () => {
		const id = await createInfomail(t.database.db, coordinator, content);
		const outboxId = await sendTestInfomail(t.database.db, coordinator, { id, email: 'anna.beispiel@bielefeld.example' });
		await drain();
		const [m] = await smtp.waitForMessages(1);
		expect(m.parsed.subject).toBe(`[Test] ${content.subject}`);
		expect(m.parsed.text).toContain('Guten Tag Anna Beispiel,');
		expect(m.raw.toString()).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
		const [o] = await t.database.db.select().from(outboxMails).where(eq(outboxMails.id, outboxId));
		expect(o.template).toBe('infomail_test');
		// No recipients were fixed for a test.
		expect((await infomailProgress(t.database.db, id))!.recipients).toBe(0);
	});

	it('creates the next issue from the last one', async () => {
		const id = await createInfomailFromLast(t.database.db, coordinator);
		const copy = (await getInfomail(t.database.db, id))!;
		expect(copy.status).toBe('draft');
		expect(copy.sections.map((s) => s.level)).toEqual(['bund', 'land']);
		expect(copy.recipientCount).toBeNull();
		void anna;
	});
});

describe('bounces', () => {
	it('a hard bounce stops Infomails to the address until cleared; soft bounces count from three', async () => {
		await expect(recordBounce(t.database.db, visitor(), { email: 'a@example.org', type: 'hard' })).rejects.toMatchObject({ kind: 'forbidden' });
		const [row] = await t.database.db.select().from(infomailRecipients).where(eq(infomailRecipients.email, 'anna.beispiel@bielefeld.example')).limit(1);
		const r = await recordBounce(t.database.db, coordinator, { email: 'Anna.Beispiel@bielefeld.example', type: 'hard', reason: '550 5.1.1 user unknown', messageId: row.messageId });
		expect(r).toMatchObject({ suppressed: true, infomailId: row.infomailId });
		expect((await previewRecipients(t.database.db, ['member_contacts', 'subscribers'], 1000)).sample.map((s) => s.email)).not.toContain('anna.beispiel@bielefeld.example');
		const list = await listBouncedAddresses(t.database.db);
		expect(list.items.find((b) => b.email === 'anna.beispiel@bielefeld.example')).toMatchObject({ hard: 1, suppressed: true, lastReason: '550 5.1.1 user unknown' });
		expect(await clearBounces(t.database.db, coordinator, { email: 'anna.beispiel@bielefeld.example' })).toBe(1);
		expect((await previewRecipients(t.database.db, ['member_contacts'], 1000)).sample.map((s) => s.email)).toContain('anna.beispiel@bielefeld.example');

		for (let i = 0; i < 2; i++) expect((await recordBounce(t.database.db, coordinator, { email: 'temp@example.org', type: 'soft', reason: 'Mailbox full' })).suppressed).toBe(false);
		expect((await recordBounce(t.database.db, coordinator, { email: 'temp@example.org', type: 'soft' })).suppressed).toBe(true);
	});
});

describe('kill and resume', () => {
	const here = path.dirname(fileURLToPath(import.meta.url));

	it('a sending process killed with SIGKILL mid-send and a new run: nobody twice, everyone else once, the uncertain few flagged', { timeout: 90_000 }, async () => {
		await cancelAllSends();
		const N = 400;
		await t.database.pool.query(
			`insert into infomail_subscribers (email, name, status, token_hash, confirmed_at)
			 select 'kill' || g || '@example.org', 'Person ' || g, 'confirmed', md5(random()::text) || g, now() from generate_series(1, $1) g`,
			[N]
		);
		const id = await createInfomail(t.database.db, coordinator, { ...content, subject: 'Kill-Test', audiences: ['subscribers'] });
		const { recipients } = await sendInfomail(t.database.db, coordinator, { id, rate: 2000 });
		smtp.clear();
		const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testing/sender-process.ts')], {
			env: { ...process.env, DATABASE_URL: t.config.databaseUrl, SMTP_URL: smtp.url, ORIGIN: t.config.origin, MAIL_FROM: t.config.mailFrom, INFOMAIL_ID: String(id) },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		let stderr = '';
		child.stderr.on('data', (d) => (stderr += d));
		const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
		await smtp.waitForMessages(Math.floor(recipients! / 3), 60_000).catch((e) => {
			throw new Error(`${(e as Error).message}\n${stderr}`);
		});
		// From a process of its own, as an operator or the OOM killer would; the test SMTP server
		// (this process) keeps reading meanwhile (see docs/performance.md on the difference).
		spawn('kill', ['-KILL', String(child.pid)], { stdio: 'ignore' });
		await exited;
		const atKill = smtp.messages.length;
		expect(atKill).toBeLessThan(recipients!);
		// Give the server a moment for messages whose end was already on the wire.
		await new Promise((r) => setTimeout(r, 300));
		const report = await runSender(t.database, id);
		expect(report.ended).toBe('finished');
		const got = smtp.messages.filter((m) => m.parsed.subject === 'Kill-Test');
		const perAddress = new Map<string, number>();
		for (const m of got) perAddress.set(m.envelope.to[0], (perAddress.get(m.envelope.to[0]) ?? 0) + 1);
		const duplicates = [...perAddress.values()].filter((n) => n > 1).length;
		const rows = await t.database.db.select().from(infomailRecipients).where(eq(infomailRecipients.infomailId, id));
		const missing = rows.filter((r) => !perAddress.has(r.email)).map((r) => r.email);
		console.log(`kill test: ${atKill} arrived before the kill, taken over: ${report.takenOverResent} resent, ${report.takenOverUncertain} uncertain; duplicates ${duplicates}, missing ${missing.length}`);
		// Mails whose end was handed over when the process died are counted as sent (see
		// sending.ts); one of them can be lost when the kill beat the final dot to the server.
		// They are the only ones that may be missing, and they are flagged for coordinators.
		expect(duplicates).toBe(0);
		const uncertain = new Set(rows.filter((r) => r.resumed > 0).map((r) => r.email));
		expect(uncertain.size).toBe(report.takenOverUncertain);
		for (const m of missing) expect(uncertain.has(m), `${m} fehlt, ist aber nicht als unsicher markiert`).toBe(true);
		expect(perAddress.size + missing.length).toBe(recipients);
		// The Message-ID of each recipient is the one fixed at the start.
		const byEmail = new Map(rows.map((r) => [r.email, r.messageId]));
		for (const m of got) expect(m.parsed.messageId).toBe(byEmail.get(m.envelope.to[0]));
		expect(await infomailProgress(t.database.db, id)).toMatchObject({ status: 'sent', sent: recipients, pending: 0, sending: 0 });
	});
});
