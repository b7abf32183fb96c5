/** The member registry's commands: interest, status rules, contacts, profile visibility, topics, exports, map. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createUser } from '../accounts';
import { auditLog } from '../audit/schema';
import { anonymousActor, cliActor, type Actor } from '../audit';
import { useTestDatabase } from '../testing';
import {
	changeMemberStatus,
	createSigningRound,
	createTopic,
	deleteTopic,
	getMember,
	listMembers,
	listTopics,
	recordMembership,
	registerInterest,
	updateMember,
	updateMemberProfile,
	updateTopic
} from '.';
import { exportRows, membersCsv } from './export';
import { baseMap, membersMap } from './map';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-members-reg-'));
const t = useTestDatabase({ dataDir });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

let coordinator: Actor;
let rheine: Actor;
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

beforeAll(async () => {
	const conn = t.database.db;
	const c = await createUser(conn, cliActor, { email: 'k@example.org', name: 'Kora', role: 'coordinator', password: 'geheimes-passwort-1' });
	coordinator = actorFor({ id: c.id, email: c.email, name: c.name, role: 'coordinator', areaAgs: null }, '127.0.0.1');
	const r = await createUser(conn, cliActor, { email: 'r@rheine.example', name: 'Rita Rheine', role: 'member_contact', areaAgs: '05566076', password: 'geheimes-passwort-1' });
	rheine = actorFor({ id: r.id, email: r.email, name: r.name, role: 'member_contact', areaAgs: '05566076' }, '127.0.0.1');
	await createSigningRound(conn, cliActor, { number: 1, date: '2012-12-11', dateApproximate: true });
});

describe('member registry', () => {
	it('a contact registers interest for the own area only; then it is in the registry as interested', async () => {
		const conn = t.database.db;
		await expect(registerInterest(conn, rheine, { ags: '05113000' })).rejects.toMatchObject({ kind: 'forbidden' });
		await expect(registerInterest(conn, anonymousActor('1.2.3.4'), { ags: '05566076' })).rejects.toMatchObject({ kind: 'unauthorized' });
		const m = await registerInterest(conn, rheine, { ags: '05566076', note: 'Anruf bei der Koordinierungsstelle' });
		expect(m).toMatchObject({ status: 'interested', kind: 'kreisangehoerige_gemeinde', kreisAgs: '05566', rbAgs: '055' });
		await expect(registerInterest(conn, rheine, { ags: '05566076' })).rejects.toMatchObject({ kind: 'conflict', message: /bereits Interesse/ });
		expect(await getMember(conn, '05566076', null), 'Interessierte sind nicht öffentlich').toBeUndefined();
		expect((await getMember(conn, '05566076', rheine))?.profile.contacts?.[0]).toMatchObject({ name: 'Rita Rheine', primary: true });
	});

	it('status rules: only members leave; leaving before joining is refused; a former member can be interested again', async () => {
		const conn = t.database.db;
		await expect(changeMemberStatus(conn, coordinator, { ags: '05566076', status: 'left' })).rejects.toMatchObject({ kind: 'conflict', message: /nur ein Mitglied/ });
		await recordMembership(conn, cliActor, { ags: '05566', signingRound: 1 });
		await expect(changeMemberStatus(conn, coordinator, { ags: '05566', status: 'left', on: '2010-01-01' })).rejects.toMatchObject({ kind: 'validation' });
		await expect(changeMemberStatus(conn, rheine, { ags: '05566', status: 'left' })).rejects.toMatchObject({ kind: 'forbidden' });
		const left = await changeMemberStatus(conn, coordinator, { ags: '05566', status: 'left', on: '2020-06-30', note: 'Austritt' });
		expect(left).toMatchObject({ status: 'left', leftOn: '2020-06-30', joinedOn: '2012-12-11' });
		expect((await listMembers(conn, {}, null)).items.map((m) => [m.key, m.status])).toEqual([['05566', 'left']]);
		const again = await registerInterest(conn, coordinator, { ags: '05566' });
		expect(again.status).toBe('interested');
		const audit = await conn.select().from(auditLog).where(eq(auditLog.objectId, '05566'));
		expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['member.status_changed']));
	});

	it('coordinators set the partner flag and signatory; contacts may not', async () => {
		const conn = t.database.db;
		await expect(updateMember(conn, rheine, { ags: '05566076', partner: true })).rejects.toMatchObject({ kind: 'forbidden' });
		const m = await updateMember(conn, coordinator, { ags: '05566076', partner: true, signatoryName: 'Sabine Platzhalter', signatoryOffice: 'Bürgermeisterin' });
		expect(m).toMatchObject({ partner: true, signatoryOffice: 'Bürgermeisterin' });
	});

	it('profile fields follow their visibility; a logo must be an image', async () => {
		const conn = t.database.db;
		await recordMembership(conn, cliActor, { ags: '05566076', signingRound: 1 });
		const topic = await createTopic(conn, coordinator, { name: 'Engagement im ländlichen Raum' });
		await expect(createTopic(conn, rheine, { name: 'Neu' })).rejects.toMatchObject({ kind: 'forbidden' });
		await expect(updateMemberProfile(conn, rheine, { ags: '05566076', logo: { fileName: 'logo.png', contentType: 'image/png', data: new TextEncoder().encode('<svg/>') } })).rejects.toMatchObject({
			kind: 'validation',
			fieldErrors: { logo: [expect.stringMatching(/PNG oder JPEG/)] }
		});
		await updateMemberProfile(conn, rheine, {
			ags: '05566076',
			description: 'Freiwilligenagentur seit 2005.',
			website: 'https://www.rheine.example',
			structures: [{ kind: 'freiwilligenagentur', label: 'Freiwilligenagentur Rheine', since: '2005' }],
			topicIds: [topic.id],
			visibility: { website: 'members', description: 'public' },
			logo: { fileName: 'logo.png', contentType: 'image/png', data: PNG }
		});
		const pub = await getMember(conn, '05566076', null);
		expect(pub!.profile).toMatchObject({ description: 'Freiwilligenagentur seit 2005.', topics: [{ name: 'Engagement im ländlichen Raum' }], logo: { fileName: 'logo.png' } });
		expect(pub!.profile.website).toBeUndefined();
		expect(pub!.profile.contacts).toBeUndefined();
		expect(pub!.criteria).toBeUndefined();
		const internal = await getMember(conn, '05566076', rheine);
		expect(internal!.profile.website).toBe('https://www.rheine.example');
		expect(internal!.canEdit).toBe(true);

		await updateTopic(conn, coordinator, { id: topic.id, name: 'Ländlicher Raum' });
		expect((await listTopics(conn)).map((x) => [x.name, x.members])).toEqual([['Ländlicher Raum', 1]]);
		await deleteTopic(conn, coordinator, { id: topic.id });
		expect((await getMember(conn, '05566076', null))!.profile.topics).toEqual([]);
	});

	it('exports: public fields for the public, contacts for the network; formulas neutralised', async () => {
		const conn = t.database.db;
		const pub = await exportRows(conn, { status: 'member' }, null);
		expect(pub).toEqual([expect.objectContaining({ ags: '05566076', website: null, description: 'Freiwilligenagentur seit 2005.' })]);
		expect(pub[0]).not.toHaveProperty('primary_contact');
		const internal = await exportRows(conn, { status: 'member' }, coordinator);
		expect(internal[0]).toMatchObject({ website: 'https://www.rheine.example', primary_contact: 'Rita Rheine', primary_contact_email: 'r@rheine.example' });
		await updateMemberProfile(conn, coordinator, { ags: '05566076', description: '=HYPERLINK("http://x")' });
		const csv = membersCsv(await exportRows(conn, { status: 'member' }, null), false);
		expect(csv.startsWith('\uFEFFSchlüssel (AGS);Name')).toBe(true);
		expect(csv).toContain(`'=HYPERLINK`);
	});

	it('the map: every Gemeinde outline, members linked, Bezirksregierungen at their seats', async () => {
		const base = baseMap();
		expect(base.gemeinden.size).toBe(396);
		expect(base.kreise.size).toBeGreaterThanOrEqual(53);
		const bielefeld = base.gemeinden.get('05711000')!;
		const nums = bielefeld.match(/-?\d+/g)!.map(Number);
		expect(nums[0], 'Bielefeld liegt im Osten der Karte').toBeGreaterThan(350);
		const map = membersMap([
			{ key: '05711000', name: 'Bielefeld', kind: 'kreisfreie_stadt', areaAgs: '05711000', rbAgs: '057', label: 'Bielefeld' },
			{ key: '05766', name: 'Kreis Lippe', kind: 'kreis', areaAgs: '05766', rbAgs: '057', label: 'Kreis Lippe' },
			{ key: 'BR-059', name: 'Bezirksregierung Arnsberg', kind: 'bezirksregierung', areaAgs: null, rbAgs: '059', label: 'Bezirksregierung Arnsberg' }
		]);
		expect(map.gemeinden.map((g) => g.key)).toEqual(['05711000']);
		expect(map.kreise.map((k) => k.key)).toEqual(['05766']);
		expect(map.bodies[0]).toMatchObject({ key: 'BR-059', x: expect.any(Number), y: expect.any(Number) });
		expect(map.gemeindeGrid.length).toBeLessThan(base.gemeindeGrid.length);
		expect(base.gemeindeGrid.length + base.kreisGrid.length, 'die Karte bleibt klein').toBeLessThan(150_000);
	});
});
