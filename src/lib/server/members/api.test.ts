/** The members API: first interest to member through the API, every refused step, lists, PDFs. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../accounts';
import { cliActor } from '../audit';
import { useTestDatabase } from '../testing';
import { api } from '../testing/api';
import { createDeclarationVersion, createSigningRound, recordMembership } from '.';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-members-api-'));
const t = useTestDatabase({ dataDir });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

let coord: string;
let anna: string;
let annaId: number;
let partner: string;
let oparl: http.Server;
let oparlBase: string;

const PDF_BYTES = '%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n';

/** The text drawn in a PDF: content streams inflated, hex strings of TJ decoded (WinAnsi ≈ latin1). */
function pdfText(buf: Buffer): string {
	const raw = buf.toString('latin1');
	const out: string[] = [];
	const re = /stream\r?\n/g;
	let m: RegExpExecArray | null;
	while ((m = re.exec(raw))) {
		const start = m.index + m[0].length;
		const end = raw.indexOf('endstream', start);
		const chunk = buf.subarray(start, end);
		let text: string;
		try {
			text = inflateSync(chunk).toString('latin1');
		} catch {
			text = chunk.toString('latin1');
		}
		for (const tj of text.matchAll(/\[(.*?)\]\s*TJ/g)) {
			let line = '';
			for (const h of tj[1].matchAll(/<([0-9a-fA-F]*)>|(-?\d+(?:\.\d+)?)/g)) {
				if (h[1] !== undefined) line += Buffer.from(h[1], 'hex').toString('latin1');
				else if (Number(h[2]) < -150) line += ' ';
			}
			out.push(line);
		}
	}
	return out.join('\n');
}

beforeAll(async () => {
	const conn = t.database.db;
	const c = await createUser(conn, cliActor, { email: 'koord@example.org', name: 'Kora Koordination', role: 'coordinator', password: 'geheimes-passwort-1' });
	coord = (await createApiToken(conn, cliActor, { userId: c.id, name: 'Test' })).token;
	const a = await createUser(conn, cliActor, { email: 'anna@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: '05711000', password: 'geheimes-passwort-1' });
	annaId = a.id;
	anna = (await createApiToken(conn, cliActor, { userId: a.id, name: 'Test' })).token;
	const p = await createUser(conn, cliActor, { email: 'p@example.org', name: 'Paul Partner', role: 'partner', areaAgs: '05566076', password: 'geheimes-passwort-1' });
	partner = (await createApiToken(conn, cliActor, { userId: p.id, name: 'Test' })).token;
	await createDeclarationVersion(conn, cliActor, {
		title: 'Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln',
		placeLine: 'Düsseldorf, im Mai 2024',
		validFrom: '2024-05-01',
		bodyMarkdown: '## Was wir erklären\n\nEngagement braucht Anerkennung und gute Rahmenbedingungen vor Ort.\n\n- Wir lernen voneinander.\n- Wir teilen Erfahrungen.',
		stateSignatoryName: 'Erika Beispielfrau',
		stateSignatoryOffice: 'Staatssekretärin für Sport und Ehrenamt'
	});
	await createSigningRound(conn, cliActor, { number: 1, date: '2012-12-05', dateApproximate: true, place: 'Düsseldorf' });
	await recordMembership(conn, cliActor, { ags: '05958004', signingRound: 1, partner: true, signatoryName: 'Hans Muster', signatoryOffice: 'Bürgermeister' });
	await recordMembership(conn, cliActor, { ags: '05766', signingRound: 1, signatoryName: 'Lea Lippe', signatoryOffice: 'Landrätin' });
	await recordMembership(conn, cliActor, { ags: 'BR-059', signingRound: 1 });
	await recordMembership(conn, cliActor, { ags: '05766044', signingRound: 1 });

	oparl = http.createServer((req, res) => {
		res.setHeader('content-type', 'application/json');
		if (req.url === '/paper') {
			res.end(JSON.stringify({ type: 'https://schema.oparl.org/1.1/Paper', id: 'x', reference: 'DS 7123/2018', date: '2018-08-20', mainFile: { name: 'Vorlage', accessUrl: 'https://rat.example/vorlage.pdf' } }));
		} else {
			res.statusCode = 500;
			res.end('{}');
		}
	});
	await new Promise<void>((r) => oparl.listen(0, '127.0.0.1', r));
	oparlBase = `http://127.0.0.1:${(oparl.address() as AddressInfo).port}`;
});
afterAll(async () => {
	oparl?.closeAllConnections();
	await new Promise((r) => oparl?.close(r));
});

describe('members API', () => {
	it('lists members with the issue’s item shape, public sees members only', async () => {
		const r = await api('GET', '/members');
		expect(r.status).toBe(200);
		expect(r.body.total).toBe(4);
		expect(r.body.items[0]).toEqual(expect.objectContaining({ ags: expect.any(String), name: expect.any(String), kind: expect.any(String), status: 'member', joined_on: '2012-12-05', signing_round: 1 }));
		const br = r.body.items.find((m: { ags: string }) => m.ags === 'BR-059');
		expect(br).toMatchObject({ kind: 'bezirksregierung', name: 'Bezirksregierung Arnsberg', area_ags: null, region: '059' });
	});

	it('filters by kind, region, status and q, and rejects bad filters with 400', async () => {
		expect((await api('GET', '/members?kind=kreis')).body.items.map((m: { name: string }) => m.name)).toEqual(['Kreis Lippe']);
		expect((await api('GET', '/members?region=057')).body.total).toBe(2);
		expect((await api('GET', '/members?q=arns')).body.items.map((m: { ags: string }) => m.ags).sort()).toEqual(['05958004', 'BR-059']);
		expect((await api('GET', '/members?q=05766')).body.total).toBe(2);
		expect((await api('GET', '/members?kreis=05766')).body.total).toBe(2);
		expect((await api('GET', '/members?partner=true')).body.items.map((m: { name: string }) => m.name)).toEqual(['Arnsberg']);
		expect((await api('GET', '/members?status=applying')).body.total).toBe(0);
		for (const q of ['kind=dorf', 'region=5', 'status=x', 'limit=0', 'sort=foo']) expect((await api('GET', `/members?${q}`)).status, q).toBe(400);
	});

	it('returns one member by AGS or body key; 404 for unknown', async () => {
		const r = await api('GET', '/members/05766');
		expect(r.body).toMatchObject({ ags: '05766', kind: 'kreis', formal_name: 'Kreis Lippe', signatory_office: 'Landrätin' });
		expect(r.body.criteria, 'Kriterien nur für Netzwerkmitglieder').toBeUndefined();
		expect(r.body.profile.contacts, 'Ansprechpersonen standardmäßig nur für Mitglieder').toBeUndefined();
		expect((await api('GET', '/members/br-059')).body.name).toBe('Bezirksregierung Arnsberg');
		expect((await api('GET', '/members/05711000')).status).toBe(404);
		expect((await api('GET', '/members/abc')).status).toBe(404);
	});

	it('from first interest to member through the API, with every refused step', async () => {
		// Not logged in, other roles: refused.
		expect((await api('POST', '/accessions', { body: { ags: '05711000' } })).status).toBe(401);
		expect((await api('POST', '/accessions', { token: partner, body: { ags: '05711000' } })).status).toBe(403);
		expect((await api('POST', '/accessions', { token: anna, body: { ags: '05113000' } })).status).toBe(403);
		expect((await api('POST', '/accessions', { token: coord, body: { ags: '05958004' } })).status, 'already member').toBe(409);

		const open = await api('POST', '/accessions', { token: anna, body: { ags: '05711000' } });
		expect(open.status).toBe(201);
		expect(open.body).toMatchObject({ ags: '05711000', state: 'opened', council_decision: null, accession_declaration: null });
		const id = open.body.id;
		expect(Object.keys(open.body.criteria)).toEqual(['contact_person', 'cross_cutting_task', 'declaration_signing', 'ehrenamtskarte', 'collaboration']);
		expect((await api('POST', '/accessions', { token: anna, body: { ags: '05711000' } })).status).toBe(409);

		const early = await api('POST', `/accessions/${id}/submit`, { token: anna });
		expect(early.status).toBe(409);
		expect(early.headers.get('content-type')).toContain('application/problem+json');
		expect(early.body.detail).toMatch(/Es fehlt: der Ratsbeschluss/);

		const decl = await api('PATCH', `/accessions/${id}`, { token: anna, body: { accession_declaration: { date: '2018-10-01', signatory_name: 'Petra Probe', signatory_office: 'Oberbürgermeisterin' } } });
		expect(decl.status).toBe(409);
		expect(decl.body.detail).toMatch(/Ratsbeschluss voraus/);

		const missing = await api('PATCH', `/accessions/${id}`, { token: anna, body: { council_decision: { committee: 'Rat' } } });
		expect(missing.status).toBe(400);
		expect(Object.keys(missing.body.errors)).toEqual(expect.arrayContaining(['body.council_decision.date', 'body.council_decision.result']));

		const failing = await api('PATCH', `/accessions/${id}`, {
			token: anna,
			body: { council_decision: { committee: 'Sozial- und Gesundheitsausschuss', date: '2018-09-04', result: 'adopted', public: true, agenda_item: 'TOP 7', oparl_url: `${oparlBase}/kaputt` } }
		});
		expect(failing.status).toBe(200);
		expect(failing.body.oparl_error).toMatch(/Fehler 500/);
		expect(failing.body.state).toBe('council_decided');
		expect(failing.body.council_decision).toMatchObject({ committee: 'Sozial- und Gesundheitsausschuss', oparl: null, oparl_url: null });

		const withOparl = await api('PATCH', `/accessions/${id}`, { token: anna, body: { council_decision: { reference: null, oparl_url: `${oparlBase}/paper` } } });
		expect(withOparl.body.oparl_error).toBeNull();
		expect(withOparl.body.council_decision).toMatchObject({ reference: 'DS 7123/2018', oparl: { type: 'Paper', files: [{ url: 'https://rat.example/vorlage.pdf' }] } });

		const notPdf = await api('PUT', `/accessions/${id}/council-document?file_name=Vorlage.pdf`, { token: anna, rawBody: 'kein pdf', headers: { 'content-type': 'application/pdf' } });
		expect(notPdf.status).toBe(400);
		expect(Object.keys(notPdf.body.errors)).toEqual(['body.council_decision.document']);
		expect((await api('PUT', `/accessions/${id}/council-document`, { token: anna, rawBody: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(415);
		const doc = await api('PUT', `/accessions/${id}/council-document?file_name=Vorlage.pdf`, { token: anna, rawBody: PDF_BYTES, headers: { 'content-type': 'application/pdf' } });
		expect(doc.status).toBe(200);
		expect(doc.body.council_decision.document).toMatchObject({ file_name: 'Vorlage.pdf' });
		const file = await api('GET', doc.body.council_decision.document.url.replace('/api/v1', ''), { token: anna });
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('application/pdf');
		expect((await api('GET', doc.body.council_decision.document.url.replace('/api/v1', ''))).status, 'anonym: keine Nachweise').toBe(404);

		const declared = await api('PATCH', `/accessions/${id}`, {
			token: anna,
			body: {
				criteria: { contact_person: true, cross_cutting_task: { met: true, evidence_text: 'Stabsstelle im Dezernat' }, declaration_signing: true, ehrenamtskarte: 'none', collaboration: true },
				accession_declaration: { date: '2018-10-01', signatory_name: 'Petra Probe', signatory_office: 'Oberbürgermeisterin' }
			}
		});
		expect(declared.status).toBe(200);
		expect(declared.body).toMatchObject({ state: 'declared', accession_declaration: { signatory_office: 'Oberbürgermeisterin' } });
		expect(declared.body.criteria.cross_cutting_task).toMatchObject({ met: true, evidence_text: 'Stabsstelle im Dezernat', confirmed_by: expect.stringContaining('Anna Beispiel') });

		expect((await api('POST', `/accessions/${id}/admit`, { token: anna, body: { signing_round: 1 } })).status).toBe(403);
		const notSubmitted = await api('POST', `/accessions/${id}/admit`, { token: coord, body: { signing_round: 1 } });
		expect(notSubmitted.status).toBe(409);
		expect(notSubmitted.body.detail).toMatch(/noch nicht eingereicht/);

		const submitted = await api('POST', `/accessions/${id}/submit`, { token: anna });
		expect(submitted.body.state).toBe('submitted');
		expect(submitted.body.missing_for_admission).toEqual([expect.stringMatching(/Ehrenamtskarte/)]);
		expect((await api('PATCH', `/accessions/${id}`, { token: anna, body: { criteria: { ehrenamtskarte: 'planned' } } })).status).toBe(409);

		const noRound = await api('POST', `/accessions/${id}/admit`, { token: coord, body: { signing_round: 7 } });
		expect(noRound.status).toBe(409);
		expect(noRound.body.detail).toMatch(/Ehrenamtskarte.*7\. Unterzeichnungsrunde gibt es noch nicht/);

		expect((await api('POST', '/signing-rounds', { token: anna, body: { number: 7, date: '2019-03-20', place: 'Düsseldorf' } })).status).toBe(403);
		const round = await api('POST', '/signing-rounds', { token: coord, body: { number: 7, date: '2019-03-20', place: 'Düsseldorf' } });
		expect(round.status).toBe(201);
		expect(round.body).toMatchObject({ number: 7, date: '2019-03-20', place: 'Düsseldorf', members: 0 });
		expect((await api('POST', '/signing-rounds', { token: coord, body: { number: 7, date: '2019-03-20' } })).status).toBe(409);
		expect((await api('POST', '/signing-rounds', { token: coord, body: { number: 8, date: '31.02.2019' } })).status).toBe(400);

		const returned = await api('POST', `/accessions/${id}/return`, { token: coord, body: { note: 'Bitte Ehrenamtskarte prüfen' } });
		expect(returned.body).toMatchObject({ state: 'declared', review_note: 'Bitte Ehrenamtskarte prüfen' });
		await api('PATCH', `/accessions/${id}`, { token: anna, body: { criteria: { ehrenamtskarte: { value: 'comparable', instrument: 'Bielefelder Ehrenamtspass' } } } });
		await api('POST', `/accessions/${id}/submit`, { token: anna });
		const admitted = await api('POST', `/accessions/${id}/admit`, { token: coord, body: { signing_round: 7 } });
		expect(admitted.status).toBe(200);
		expect(admitted.body).toMatchObject({ state: 'admitted', signing_round: 7 });

		const m = await api('GET', '/members/05711000');
		expect(m.body).toMatchObject({ status: 'member', joined_on: '2019-03-20', signing_round: 7, formal_name: 'Stadt Bielefeld' });
		const list = await api('GET', `/accessions`, { token: anna });
		expect(list.body.items).toEqual([expect.objectContaining({ id, state: 'admitted' })]);
		const rounds = await api('GET', '/signing-rounds');
		expect(rounds.body.items.map((r: { number: number; members: number }) => [r.number, r.members])).toEqual([
			[1, 4],
			[7, 1]
		]);
		const r7 = await api('GET', '/signing-rounds/7');
		expect(r7.body.signatories).toEqual([expect.objectContaining({ role: 'member', ags: '05711000', organisation: 'Stadt Bielefeld', name: 'Petra Probe', office: 'Oberbürgermeisterin' })]);
	});

	it('a contact edits the profile; members-only fields are hidden from the public', async () => {
		const topic = await api('POST', '/topics', { token: coord, body: { name: 'Ehrenamtskarte' } });
		expect(topic.status).toBe(201);
		expect((await api('POST', '/topics', { token: coord, body: { name: 'Ehrenamtskarte' } })).status).toBe(409);
		const put = await api('PUT', '/members/05711000/profile', {
			token: anna,
			body: {
				description: 'Freiwilligenagentur und Ehrenamtskarte seit vielen Jahren.',
				website: 'https://www.bielefeld.example',
				structures: [{ kind: 'freiwilligenagentur', label: 'Freiwilligenagentur Bielefeld', since: '2001' }],
				topic_ids: [topic.body.id],
				visibility: { website: 'members', contacts: 'public' }
			}
		});
		expect(put.status).toBe(200);
		const pub = await api('GET', '/members/05711000');
		expect(pub.body.profile.website).toBeUndefined();
		expect(pub.body.profile.contacts).toEqual([expect.objectContaining({ name: 'Anna Beispiel', primary: true })]);
		expect(pub.body.profile.topics).toEqual([expect.objectContaining({ slug: 'ehrenamtskarte' })]);
		const internal = await api('GET', '/members/05711000', { token: anna });
		expect(internal.body.profile.website).toBe('https://www.bielefeld.example');
		expect(internal.body.history.map((h: { to_status: string }) => h.to_status)).toEqual(['applying', 'member']);
		expect((await api('PUT', '/members/05711000/profile', { token: anna, body: { website: 'javascript:alert(1)' } })).status).toBe(400);
		expect((await api('PUT', '/members/05766/profile', { token: anna, body: { description: 'x' } })).status).toBe(403);
		expect((await api('GET', '/members?topic=ehrenamtskarte')).body.items.map((m: { ags: string }) => m.ags)).toEqual(['05711000']);
	});

	it('manages contacts: several, one primary', async () => {
		const conn = t.database.db;
		const b = await createUser(conn, cliActor, { email: 'bernd@bielefeld.example', name: 'Bernd Zweiter', role: 'member_contact', areaAgs: '05711000', password: 'geheimes-passwort-1' });
		const r = await api('POST', '/members/05711000/contacts', { token: coord, body: { user_id: b.id, primary: true } });
		expect(r.status).toBe(200);
		const contacts = r.body.profile.contacts as { user_id: number; primary: boolean }[];
		expect(contacts.filter((c) => c.primary).map((c) => c.user_id)).toEqual([b.id]);
		expect(contacts).toHaveLength(2);
		const p = await createUser(conn, cliActor, { email: 'x@example.org', name: 'Kein Kontakt', role: 'partner', password: 'geheimes-passwort-1' });
		expect((await api('POST', '/members/05711000/contacts', { token: coord, body: { user_id: p.id } })).status).toBe(409);
		expect((await api('DELETE', `/members/05711000/contacts/${b.id}`, { token: anna })).status).toBe(204);
		const after = await api('GET', '/members/05711000', { token: anna });
		expect(after.body.profile.contacts).toEqual([expect.objectContaining({ user_id: annaId, primary: true })]);
	});

	it('departure and status rules', async () => {
		expect((await api('POST', '/members/05766044/status', { token: coord, body: { status: 'left', on: '2020-01-01', note: 'Austritt' } })).body).toMatchObject({ status: 'left', left_on: '2020-01-01' });
		expect((await api('POST', '/members/05766044/status', { token: coord, body: { status: 'left' } })).status).toBe(409);
		expect((await api('POST', '/members/05766/status', { token: coord, body: { status: 'member' } })).status).toBe(400);
		expect((await api('POST', '/members/05766/status', { token: anna, body: { status: 'left' } })).status).toBe(403);
	});

	it('serves the personalised declaration PDF and the round’s signatory sheet', async () => {
		const r = await api('GET', '/members/05711000/declaration.pdf');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('application/pdf');
		const { declarationPdf } = await import('./pdf');
		const { getMember } = await import('.');
		const buf = await declarationPdf(t.database.db, (await getMember(t.database.db, '05711000', null))!, { compress: false });
		expect(buf.subarray(0, 5).toString()).toBe('%PDF-');
		const text = pdfText(buf);
		expect(text).toContain('Gemeinsame Erklärung');
		expect(text).toContain('Petra Probe');
		expect(text).toContain('Oberbürgermeisterin, Stadt Bielefeld');
		expect(text).toContain('Erika Beispielfrau');
		expect(text).toContain('Engagement braucht Anerkennung');
		const { signatorySheetPdf } = await import('./pdf');
		const sheet = pdfText((await signatorySheetPdf(t.database.db, 1, { compress: false }))!);
		expect(sheet).toContain('1. Unterzeichnungsrunde');
		expect(sheet).toContain('Datum ungefähr');
		expect(sheet).toContain('Kreis Lippe');
		expect(sheet).toContain('Bezirksregierung Arnsberg');
		expect((await api('GET', '/signing-rounds/1/signatories.pdf')).status).toBe(200);
		expect((await api('GET', '/signing-rounds/42/signatories.pdf')).status).toBe(404);
	});

	it('documents every endpoint in OpenAPI', async () => {
		const r = await api('GET', '/openapi.json');
		for (const p of ['/members', '/members/{ags}', '/accessions', '/accessions/{id}', '/accessions/{id}/submit', '/accessions/{id}/admit', '/signing-rounds', '/members/{ags}/declaration.pdf'])
			expect(Object.keys(r.body.paths)).toContain(p);
	});
});
