import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/main';
import { createTestDatabase } from '../testing';
import { parseSubscriberCsv } from './import';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const saved = { ...process.env };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-import-'));

beforeAll(async () => {
	database = await createTestDatabase();
	process.env.DATABASE_URL = database.url;
});
afterAll(async () => {
	process.env = saved;
	await database.drop();
	fs.rmSync(dir, { recursive: true, force: true });
});

async function run(...argv: string[]) {
	const out: string[] = [];
	const err: string[] = [];
	const code = await main(argv, (s) => out.push(s), (s) => err.push(s));
	return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('subscribers import', () => {
	it('reads German and English headers, ; and , separators, dates', () => {
		const a = parseSubscriberCsv('\uFEFFE-Mail;Name;Einwilligung\na@example.org;Anna;01.02.2025\nb@example.org;;\n');
		expect(a.rows).toEqual([
			{ line: 2, email: 'a@example.org', name: 'Anna', consentedAt: new Date('2025-02-01T12:00:00Z') },
			{ line: 3, email: 'b@example.org', name: null, consentedAt: null }
		]);
		const b = parseSubscriberCsv('email,name,consented_at\nc@example.org,"Muster, Max",2024-05-01T10:00:00Z\nd@example.org,x,gestern\n');
		expect(b.rows[0]).toMatchObject({ email: 'c@example.org', name: 'Muster, Max' });
		expect(b.errors).toEqual([{ line: 3, message: expect.stringMatching(/gestern/) }]);
		expect(parseSubscriberCsv('e@example.org\nf@example.org\n').rows.map((r) => r.email)).toEqual(['e@example.org', 'f@example.org']);
	});

	it('imports confirmed subscribers with the consent source and reports bad lines', async () => {
		const file = path.join(dir, 'liste.csv');
		fs.writeFileSync(file, 'E-Mail;Name;Datum\nalt1@example.org;Ines Import;01.02.2025\nkaputt;X;\nALT1@example.org;;\n');
		const r = await run('subscribers', 'import', file, '--consent-source', 'Newsletter-Altliste 2025');
		expect(r.code).toBe(0);
		expect(r.out).toMatch(/1 neu/);
		expect(r.err).toMatch(/Zeile 3: „kaputt“/);
		const c = new pg.Client({ connectionString: database.url });
		await c.connect();
		const rows = (await c.query(`select s.status, s.name, c.source, c.consent_version from infomail_subscribers s join infomail_consents c on c.subscriber_id = s.id`)).rows;
		await c.end();
		expect(rows).toEqual([{ status: 'confirmed', name: 'Ines Import', source: 'Import: Newsletter-Altliste 2025', consent_version: 'import' }]);
		expect((await run('subscribers', 'import', file)).code).toBe(2);
		expect((await run('subscribers', 'import', path.join(dir, 'fehlt.csv'), '--consent-source', 'x y z')).code).toBe(2);
	});
});
