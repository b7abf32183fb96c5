/** The members demo data: the documented members in their rounds, one application in progress. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemoData } from '../demo';
import { useTestDatabase } from '../testing';
import { getMember, listAccessions, listMembers, listSigningRounds, memberStatistics } from '.';
import { cliActor } from '../audit';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-members-demo-'));
const t = useTestDatabase({ dataDir });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('members demo data', () => {
	it('loads the documented members into their signing rounds', async () => {
		const conn = t.database.db;
		await loadDemoData(conn);
		const { total, items } = await listMembers(conn, { status: 'member', limit: 1000 });
		expect(total).toBe(35);
		expect(items.filter((m) => m.signingRound === 1)).toHaveLength(10);
		expect(items.find((m) => m.key === 'BR-059')).toMatchObject({ signingRound: 3, kind: 'bezirksregierung' });
		expect(items.filter((m) => m.partner).map((m) => m.name).sort()).toEqual(['Arnsberg', 'Essen', 'Rheine']);
		const rounds = await listSigningRounds(conn);
		expect(rounds.map((r) => [r.number, r.date.slice(0, 4), r.dateApproximate])).toEqual([
			[1, '2012', true],
			[2, '2015', true],
			[3, '2016', true],
			[4, '2018', true],
			[5, '2019', true],
			[6, expect.any(String), false]
		]);
		expect(rounds[0].note).toMatch(/Datum ungefähr/);
		expect(rounds[5].date > new Date().toISOString().slice(0, 10), 'die geplante Runde liegt in der Zukunft').toBe(true);
		const bielefeld = await getMember(conn, '05711000', null);
		expect(bielefeld).toMatchObject({ signingRound: 5, signatoryOffice: 'Oberbürgermeister', formalName: 'Stadt Bielefeld' });
		const open = await listAccessions(conn, { ...cliActor, role: 'coordinator' }, { open: true });
		expect(open).toEqual([expect.objectContaining({ memberKey: '05754008', state: 'council_decided' })]);
		const stats = await memberStatistics(conn);
		expect(stats.total).toBe(35);
		expect(stats.rounds.at(-2)?.cumulative).toBe(35);
	});
});
