/** The accession workflow through the domain commands: every step and every refused step. */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor, createUser, type SessionUser } from '../accounts';
import { auditLog } from '../audit/schema';
import { cliActor, type Actor } from '../audit';
import { DomainError } from '../errors';
import { outboxMails } from '../mail/schema';
import { useTestDatabase } from '../testing';
import {
	admitAccession,
	createSigningRound,
	getAccession,
	getMember,
	openAccession,
	recordAccessionDeclaration,
	recordCouncilDecision,
	returnAccession,
	submitAccession,
	updateAccession,
	withdrawAccession
} from '.';
import { accessions, members, memberStatusChanges } from './schema';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kn-members-'));
const t = useTestDatabase({ dataDir });
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

let coordinator: Actor;
let contact: Actor;
let otherContact: Actor;
const BIELEFELD = '05711000';

function asActor(u: { id: number; email: string; name: string; role: SessionUser['role']; areaAgs: string | null }): Actor {
	return actorFor({ id: u.id, email: u.email, name: u.name, role: u.role, areaAgs: u.areaAgs }, '127.0.0.1');
}

async function expectConflict(p: Promise<unknown>, pattern: RegExp): Promise<DomainError> {
	const e = await p.then(
		() => null,
		(err) => err
	);
	expect(e, 'der Schritt muss abgelehnt werden').toBeInstanceOf(DomainError);
	expect((e as DomainError).kind).toBe('conflict');
	expect((e as DomainError).status).toBe(409);
	expect((e as DomainError).message).toMatch(pattern);
	return e as DomainError;
}

const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

let oparlServer: http.Server;
let oparlBase: string;

beforeAll(async () => {
	const conn = t.database.db;
	coordinator = asActor(await createUser(conn, cliActor, { email: 'koord@example.org', name: 'Kora Koordination', role: 'coordinator', password: 'geheimes-passwort-1' }));
	contact = asActor(await createUser(conn, cliActor, { email: 'anna@bielefeld.example', name: 'Anna Beispiel', role: 'member_contact', areaAgs: BIELEFELD, password: 'geheimes-passwort-1' }));
	otherContact = asActor(await createUser(conn, cliActor, { email: 'otto@essen.example', name: 'Otto Anders', role: 'member_contact', areaAgs: '05113000', password: 'geheimes-passwort-1' }));
	await createSigningRound(conn, coordinator, { number: 5, date: '2019-03-20', place: 'Düsseldorf' });

	// A tiny OParl server: one Paper, one AgendaItem, a slow answer, an HTML page, a 404.
	oparlServer = http.createServer((req, res) => {
		const base = `http://127.0.0.1:${(oparlServer.address() as AddressInfo).port}`;
		if (req.url === '/oparl/paper/1') {
			res.setHeader('content-type', 'application/json');
			res.end(
				JSON.stringify({
					id: `${base}/oparl/paper/1`,
					type: 'https://schema.oparl.org/1.1/Paper',
					name: 'Beitritt zum Kommunennetzwerk: engagiert in NRW',
					reference: '7123/2014-2020',
					date: '2018-08-20',
					paperType: 'Beschlussvorlage der Verwaltung',
					mainFile: { id: `${base}/oparl/file/1`, type: 'https://schema.oparl.org/1.1/File', name: 'Beschlussvorlage', accessUrl: `${base}/files/vorlage.pdf` },
					auxiliaryFile: [{ id: `${base}/oparl/file/2`, name: 'Anlage Gemeinsame Erklärung', accessUrl: `${base}/files/anlage.pdf` }]
				})
			);
		} else if (req.url === '/oparl/agendaitem/7') {
			res.setHeader('content-type', 'application/json');
			res.end(
				JSON.stringify({
					id: `${base}/oparl/agendaitem/7`,
					type: 'https://schema.oparl.org/1.0/AgendaItem',
					number: 'TOP 7.2',
					name: 'Beitritt zum Kommunennetzwerk',
					public: true,
					result: 'ungeändert beschlossen',
					start: '2018-09-04T17:00:00+02:00',
					resolutionFile: { name: 'Beschluss', accessUrl: `${base}/files/beschluss.pdf` }
				})
			);
		} else if (req.url === '/langsam') {
			setTimeout(() => res.end('{}'), 20_000).unref();
		} else if (req.url === '/webseite') {
			res.setHeader('content-type', 'text/html');
			res.end('<!doctype html><title>Ratsinfo</title>');
		} else {
			res.statusCode = 404;
			res.end('not found');
		}
	});
	await new Promise<void>((r) => oparlServer.listen(0, '127.0.0.1', r));
	oparlBase = `http://127.0.0.1:${(oparlServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
	oparlServer?.closeAllConnections();
	await new Promise((r) => oparlServer?.close(r));
});

async function auditActions(objectId: number | string) {
	return (await t.database.db.select().from(auditLog).where(and(eq(auditLog.objectType, 'accession'), eq(auditLog.objectId, String(objectId))))).map((r) => r.action);
}

describe('accession workflow (commands)', () => {
	let id: number;

	it('refuses applications from strangers and for unknown areas', async () => {
		const conn = t.database.db;
		await expect(openAccession(conn, otherContact, { ags: BIELEFELD })).rejects.toMatchObject({ kind: 'forbidden' });
		await expect(openAccession(conn, coordinator, { ags: '05999999' })).rejects.toMatchObject({ kind: 'not_found' });
		await expect(openAccession(conn, coordinator, { ags: '057' })).rejects.toMatchObject({ kind: 'validation', message: /Bezirksregierung/ });
		await expect(openAccession(conn, coordinator, { ags: 'Bielefeld' })).rejects.toMatchObject({ kind: 'validation' });
	});

	it('a member contact opens an application for their area: member applying, contact primary, mails to both sides', async () => {
		const conn = t.database.db;
		const a = await openAccession(conn, contact, { ags: BIELEFELD });
		id = a.id;
		expect(a.state).toBe('opened');
		const m = await getMember(conn, BIELEFELD, coordinator);
		expect(m).toMatchObject({ status: 'applying', kind: 'kreisfreie_stadt', name: 'Bielefeld', rbAgs: '057' });
		expect(m!.profile.contacts).toEqual([expect.objectContaining({ name: 'Anna Beispiel', primary: true })]);
		const mails = await conn.select().from(outboxMails).where(eq(outboxMails.template, 'accession.opened'));
		expect(mails.map((x) => x.toAddress).sort()).toEqual(['anna@bielefeld.example', 'koord@example.org']);
		expect(await auditActions(id)).toContain('accession.opened');
	});

	it('refuses a second open application', async () => {
		await expectConflict(openAccession(t.database.db, coordinator, { ags: BIELEFELD }), /läuft bereits das Beitrittsverfahren Nr\. \d+/);
		expect(await auditActions('')).toBeDefined();
	});

	it('refuses the declaration before the council decision, and says so', async () => {
		const e = await expectConflict(
			recordAccessionDeclaration(t.database.db, contact, { id, date: '2018-10-01', signatoryName: 'Petra Probe', signatoryOffice: 'Oberbürgermeisterin' }),
			/setzt einen Ratsbeschluss voraus/
		);
		expect(e.message).toMatch(/Bitte tragen Sie zuerst/);
		expect(await auditActions(id)).toContain('accession.step_refused');
	});

	it('refuses submission with nothing recorded, listing what is missing', async () => {
		await expectConflict(submitAccession(t.database.db, contact, { id }), /Es fehlt: der Ratsbeschluss .*; die Beitrittserklärung/);
	});

	it('refuses admission before submission, listing state and criteria', async () => {
		const e = await expectConflict(admitAccession(t.database.db, coordinator, { id, signingRound: 5 }), /kann noch nicht aufgenommen werden/);
		expect(e.message).toMatch(/noch nicht eingereicht/);
		expect(e.message).toMatch(/Kommunale Ansprechperson: noch nicht angegeben/);
	});

	it('asks for the missing fields of a council decision (400, per field)', async () => {
		await expect(recordCouncilDecision(t.database.db, contact, { id, committee: 'Rat' })).rejects.toMatchObject({
			kind: 'validation',
			fieldErrors: { 'councilDecision.date': [expect.any(String)], 'councilDecision.result': [expect.any(String)] }
		});
	});

	it('a rejected council decision is recorded, but the declaration stays impossible', async () => {
		const conn = t.database.db;
		const { accession } = await recordCouncilDecision(conn, contact, { id, committee: 'Rat der Stadt', date: '2018-06-01', result: 'postponed' });
		expect(accession.state).toBe('opened');
		await expectConflict(recordAccessionDeclaration(conn, contact, { id, date: '2018-10-01', signatoryName: 'Petra Probe', signatoryOffice: 'Oberbürgermeisterin' }), /noch nicht beschlossen \(Ergebnis: Vertagt\)/);
	});

	it('keeps the manual path when the OParl URL fails, and says why', async () => {
		const conn = t.database.db;
		for (const [url, reason] of [
			[`${oparlBase}/gibt-es-nicht`, /Fehler 404/],
			[`${oparlBase}/webseite`, /kein JSON/],
			['ftp://example.org/x', /http:\/\/ oder https:\/\//]
		] as const) {
			const r = await recordCouncilDecision(conn, contact, { id, committee: 'Sozial- und Gesundheitsausschuss', date: '2018-09-04', result: 'adopted', public: true, oparlUrl: url });
			expect(r.oparl?.ok).toBe(false);
			expect(r.oparl?.error).toMatch(reason);
			expect(r.accession.oparlData, 'nichts aus dem OParl-Objekt gespeichert').toBeNull();
			expect(r.accession.councilResult).toBe('adopted');
		}
		// Without manual values the failure is a field error on the URL.
		await expect(recordCouncilDecision(conn, coordinator, { id, committee: null, date: null, result: null, oparlUrl: `${oparlBase}/gibt-es-nicht` })).rejects.toMatchObject({
			kind: 'validation',
			fieldErrors: { 'councilDecision.oparlUrl': [expect.stringMatching(/Fehler 404.*von Hand/)] }
		});
	});

	it('times out on a slow council information system', async () => {
		const { fetchOparl } = await import('./oparl');
		const r = await fetchOparl(`${oparlBase}/langsam`, 300);
		expect(r).toEqual({ ok: false, error: expect.stringMatching(/nicht innerhalb von/) });
	});

	it('takes reference, date, result and files from an OParl AgendaItem and a Paper', async () => {
		const conn = t.database.db;
		const r = await recordCouncilDecision(conn, contact, { id, committee: 'Sozial- und Gesundheitsausschuss', date: null, result: null, reference: null, oparlUrl: `${oparlBase}/oparl/agendaitem/7` });
		expect(r.oparl?.ok).toBe(true);
		expect(r.accession).toMatchObject({ state: 'council_decided', councilDate: '2018-09-04', councilResult: 'adopted', councilReference: 'TOP 7.2', councilPublic: true });
		expect(r.accession.oparlData).toMatchObject({ type: 'AgendaItem', result: 'ungeändert beschlossen', files: [{ name: 'Beschluss', url: `${oparlBase}/files/beschluss.pdf` }] });
		const p = await recordCouncilDecision(conn, contact, { id, reference: null, oparlUrl: `${oparlBase}/oparl/paper/1`, document: { fileName: 'Vorlage.pdf', contentType: 'application/pdf', data: PDF } });
		expect(p.accession).toMatchObject({ councilReference: '7123/2014-2020', councilDate: '2018-09-04', councilResult: 'adopted', oparlUrl: `${oparlBase}/oparl/paper/1` });
		expect((p.accession.oparlData as { files: unknown[] }).files).toHaveLength(2);
		const detail = await getAccession(conn, contact, id);
		expect(detail!.councilFile).toMatchObject({ fileName: 'Vorlage.pdf' });
		expect(fs.readdirSync(path.join(dataDir, 'uploads', 'members')).length).toBeGreaterThan(0);
	});

	it('refuses a Beschlussvorlage that is no PDF', async () => {
		await expect(
			recordCouncilDecision(t.database.db, contact, { id, document: { fileName: 'vorlage.pdf', contentType: 'application/pdf', data: new TextEncoder().encode('<html>kein pdf</html>') } })
		).rejects.toMatchObject({ kind: 'validation', fieldErrors: { 'councilDecision.document': [expect.stringMatching(/PDF/)] } });
	});

	it('refuses a declaration dated before the council decision', async () => {
		await expect(recordAccessionDeclaration(t.database.db, contact, { id, date: '2018-09-01', signatoryName: 'Petra Probe', signatoryOffice: 'Oberbürgermeisterin' })).rejects.toMatchObject({
			kind: 'validation',
			fieldErrors: { 'accessionDeclaration.date': [expect.stringMatching(/vor dem Ratsbeschluss/)] }
		});
	});

	it('records the declaration of accession', async () => {
		const a = await recordAccessionDeclaration(t.database.db, contact, { id, date: '2018-10-01', signatoryName: 'Petra Probe', signatoryOffice: 'Oberbürgermeisterin' });
		expect(a).toMatchObject({ state: 'declared', declarationSignatoryOffice: 'Oberbürgermeisterin' });
	});

	it('submits; then the applicant can no longer change anything', async () => {
		const conn = t.database.db;
		const a = await submitAccession(conn, contact, { id });
		expect(a.state).toBe('submitted');
		await expectConflict(submitAccession(conn, contact, { id }), /bereits eingereicht/);
		await expectConflict(updateAccession(conn, contact, { id, criteria: { contact_person: { met: true } } }), /nur die Koordinierungsstelle/);
		await expectConflict(recordCouncilDecision(conn, contact, { id, committee: 'Rat' }), /eingereicht und wird geprüft/);
		const mails = await conn.select().from(outboxMails).where(eq(outboxMails.template, 'accession.submitted'));
		expect(mails.find((x) => x.toAddress === 'koord@example.org')?.text).toMatch(/Noch nicht erfüllte Kriterien/);
	});

	it('only coordinators return and admit', async () => {
		await expect(returnAccession(t.database.db, contact, { id, note: 'Bitte ergänzen' })).rejects.toMatchObject({ kind: 'forbidden' });
		await expect(admitAccession(t.database.db, contact, { id, signingRound: 5 })).rejects.toMatchObject({ kind: 'forbidden' });
	});

	it('the coordinator review lists the missing criteria; admission is refused until they are met', async () => {
		const conn = t.database.db;
		const detail = await getAccession(conn, coordinator, id);
		expect(detail!.missingForAdmission).toHaveLength(5);
		const e = await expectConflict(admitAccession(conn, coordinator, { id, signingRound: 5 }), /Querschnittsaufgabe: noch nicht angegeben/);
		expect(e.message).not.toMatch(/eingereicht/);
		await expectConflict(admitAccession(conn, coordinator, { id, signingRound: 99 }), /99\. Unterzeichnungsrunde gibt es noch nicht/);
	});

	it('a returned application goes back to the applicant with the note', async () => {
		const conn = t.database.db;
		const a = await returnAccession(conn, coordinator, { id, note: 'Bitte die Kriterien mit Nachweisen ergänzen.' });
		expect(a.state).toBe('declared');
		await expectConflict(returnAccession(conn, coordinator, { id, note: 'Noch einmal' }), /nur ein eingereichter Antrag/);
		const mail = (await conn.select().from(outboxMails).where(eq(outboxMails.template, 'accession.returned'))).find((m) => m.toAddress === 'anna@bielefeld.example');
		expect(mail?.text).toMatch(/Kriterien mit Nachweisen/);
	});

	it('criteria with evidence; ehrenamtskarte "comparable" needs the instrument named', async () => {
		const conn = t.database.db;
		await expect(updateAccession(conn, contact, { id, criteria: { ehrenamtskarte: { value: 'comparable' } } })).rejects.toMatchObject({ kind: 'validation' });
		await updateAccession(conn, contact, {
			id,
			criteria: {
				contact_person: { met: true, evidenceText: 'Engagementbeauftragte im Büro des Oberbürgermeisters' },
				cross_cutting_task: { met: true, evidenceFile: { fileName: 'Organigramm.pdf', contentType: 'application/pdf', data: PDF } },
				declaration_signing: { met: true },
				ehrenamtskarte: { value: 'none' },
				collaboration: { met: true }
			}
		});
		const d = await getAccession(conn, contact, id);
		expect(d!.criteria.find((c) => c.criterion === 'cross_cutting_task')).toMatchObject({ met: true, evidenceFile: { fileName: 'Organigramm.pdf' }, confirmedBy: expect.stringContaining('Anna Beispiel') });
		expect(d!.criteria.find((c) => c.criterion === 'ehrenamtskarte')).toMatchObject({ met: false, missing: expect.stringMatching(/weder Teilnahme/) });
		await submitAccession(conn, contact, { id });
		await expectConflict(admitAccession(conn, coordinator, { id, signingRound: 5 }), /Ehrenamtskarte NRW oder vergleichbare Anerkennung: weder Teilnahme/);
		// The coordinator may correct criteria during the review.
		await updateAccession(conn, coordinator, { id, criteria: { ehrenamtskarte: { value: 'comparable', instrument: 'Bielefelder Ehrenamtspass' } } });
	});

	it('admission makes the applicant a member of the round, with signatory and mails', async () => {
		const conn = t.database.db;
		const a = await admitAccession(conn, coordinator, { id, signingRound: 5 });
		expect(a.state).toBe('admitted');
		const m = await getMember(conn, BIELEFELD, null);
		expect(m).toMatchObject({ status: 'member', joinedOn: '2019-03-20', signingRound: 5, signatoryName: 'Petra Probe', signatoryOffice: 'Oberbürgermeisterin' });
		const history = await conn.select().from(memberStatusChanges).where(eq(memberStatusChanges.memberKey, BIELEFELD));
		expect(history.map((h) => h.toStatus)).toEqual(['applying', 'member']);
		const welcome = await conn.select().from(outboxMails).where(eq(outboxMails.template, 'accession.admitted'));
		expect(welcome.map((x) => x.toAddress).sort()).toEqual(['anna@bielefeld.example', 'koord@example.org']);
		expect(welcome[0].text).toMatch(/5\. Unterzeichnungsrunde am 20\.03\.2019/);
		await expectConflict(admitAccession(conn, coordinator, { id, signingRound: 5 }), /abgeschlossen/);
		await expectConflict(withdrawAccession(conn, contact, { id }), /abgeschlossen/);
		await expectConflict(openAccession(conn, contact, { ags: BIELEFELD }), /bereits Mitglied/);
		const actions = await auditActions(id);
		for (const a of ['accession.opened', 'accession.council_decision_recorded', 'accession.declaration_recorded', 'accession.submitted', 'accession.returned', 'accession.admitted', 'accession.step_refused'])
			expect(actions).toContain(a);
	});

	it('withdrawing an application sets the member back to interested', async () => {
		const conn = t.database.db;
		const a = await openAccession(conn, coordinator, { ags: '05566076' });
		const w = await withdrawAccession(conn, coordinator, { id: a.id, note: 'Rat hat vertagt' });
		expect(w.state).toBe('withdrawn');
		const [m] = await conn.select().from(members).where(eq(members.key, '05566076'));
		expect(m.status).toBe('interested');
		await expectConflict(submitAccession(conn, coordinator, { id: a.id }), /zurückgezogen/);
		// A new attempt is possible.
		const again = await openAccession(conn, coordinator, { ags: '05566076' });
		expect(again.id).not.toBe(a.id);
		const open = await conn.select().from(accessions).where(eq(accessions.memberKey, '05566076'));
		expect(open).toHaveLength(2);
	});

	it('a Bezirksregierung applies under its own key', async () => {
		const conn = t.database.db;
		const a = await openAccession(conn, coordinator, { ags: 'br-055' });
		const m = await getMember(conn, 'BR-055', coordinator);
		expect(a.memberKey).toBe('BR-055');
		expect(m).toMatchObject({ kind: 'bezirksregierung', name: 'Bezirksregierung Münster', rbAgs: '055', areaAgs: null, status: 'applying' });
	});
});
