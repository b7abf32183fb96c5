import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing';
import { loadDemoData } from '.';
import { infomailProgress, listInfomails, listPublished, previewRecipients } from '../infomail';
import { subscriberCounts } from '../infomail/subscriptions';

const t = useTestDatabase();

describe('demo Infomails', () => {
	it('load into an empty database: three sent issues in the archive, a draft, subscribers with consent proof, no mail sent', async () => {
		const conn = t.database.db;
		await loadDemoData(conn);

		// What /infomails lists.
		const archive = await listPublished(conn, { limit: 20 });
		expect(archive.total).toBe(3);
		expect(archive.items.map((i) => i.subject.split(':')[0])).toEqual(['Infomail Herbst 2026', 'Infomail Sommer 2026', 'Infomail Frühjahr 2026']);
		for (const issue of archive.items) expect(issue.sections.map((s) => s.level)).toEqual(['bund', 'land', 'kommune', 'netzwerk']);

		const all = await listInfomails(conn);
		expect(all.items.filter((i) => i.status === 'draft')).toHaveLength(1);

		// Recipients as a real send would have left them: counts match the rows, all sent.
		for (const issue of archive.items) {
			const p = (await infomailProgress(conn, issue.id))!;
			const row = all.items.find((i) => i.id === issue.id)!;
			expect(p.recipients).toBe(row.recipientCount);
			expect(p.sent).toBe(p.recipients);
			expect(p.recipients).toBeGreaterThan(10);
		}
		const [spring, summer, autumn] = [...archive.items].reverse();
		const has = async (id: number, email: string) =>
			(await conn.execute(sql`select 1 from infomail_recipients where infomail_id = ${id} and email = ${email}`)).rows.length === 1;
		// Unsubscribed after spring, hard-bounced in summer: neither gets later issues.
		expect(await has(spring.id, 'd.ostermann@verein-emsdetten.example')).toBe(true);
		expect(await has(summer.id, 'd.ostermann@verein-emsdetten.example')).toBe(false);
		expect(await has(summer.id, 'i.peters@alt-verwaltung-bergkamen.example')).toBe(true);
		expect(await has(autumn.id, 'i.peters@alt-verwaltung-bergkamen.example')).toBe(false);

		expect(await subscriberCounts(conn)).toEqual({ confirmed: 16, pending: 2, unsubscribed: 1 });
		const consents = await conn.execute<{ source: string; n: number; confirmed: number }>(
			sql`select source, count(*)::int as n, count(confirmed_at)::int as confirmed from infomail_consents group by source`
		);
		expect(consents.rows).toEqual([{ source: 'Demodaten', n: 19, confirmed: 17 }]);
		const bounces = await conn.execute<{ kind: string; infomail_id: number }>(sql`select kind, infomail_id from mail_bounces`);
		expect(bounces.rows).toEqual([{ kind: 'hard', infomail_id: summer.id }]);

		// The next send would leave out the unsubscribed and the bounced address.
		const next = await previewRecipients(conn, ['member_contacts', 'subscribers'], 500);
		expect(next.sample.map((r) => r.email)).not.toContain('i.peters@alt-verwaltung-bergkamen.example');
		expect(next.sample.map((r) => r.email)).not.toContain('d.ostermann@verein-emsdetten.example');

		// Nothing was mailed or queued by the Infomail demo.
		const mails = await conn.execute(sql`select 1 from outbox_mails where template like 'infomail%'`);
		expect(mails.rows).toHaveLength(0);
		const jobs = await conn.execute(sql`select 1 from jobs where kind like 'infomail.%'`);
		expect(jobs.rows).toHaveLength(0);
	});
});
