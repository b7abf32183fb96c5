/**
 * Demo data of the members domain: the members named in the source documents (the 30 sites of
 * the three Entwicklungswerkstatt rounds, the partner municipalities Arnsberg, Essen and
 * Rheine, Bielefeld and the Bezirksregierung Arnsberg) in signing rounds, two versions of the
 * joint declaration in our own words, topics, profiles, and one application in progress.
 * People are fictional. Where the documents give only a month or a year, the round's day is a
 * plausible one and marked as approximate.
 */
import { sql } from 'drizzle-orm';
import { actorFor, createUser, findUserByEmail } from '../accounts';
import { systemActor } from '../audit';
import type { DbOrTx } from '../db';
import {
	addMemberContact,
	addRoundSignatory,
	createDeclarationVersion,
	createSigningRound,
	createTopic,
	openAccession,
	recordCriteria,
	recordMembership,
	updateAccession,
	updateMemberProfile
} from '../members';
import { accessions, members } from '../members/schema';

const DECLARATION_2012 = `## Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln

Viele Menschen in Nordrhein-Westfalen setzen sich freiwillig für andere ein: in Vereinen, in der Nachbarschaft, im Sport, in der Kultur und im Sozialen. Dieses Engagement hält unsere Städte und Gemeinden zusammen.

Wo Menschen sich engagieren, entscheidet sich vor Ort. Deshalb wollen Land und Kommunen gemeinsam dafür sorgen, dass Engagement gute Bedingungen findet und sichtbar gewürdigt wird.

Mit dieser Erklärung gründen wir ein Netzwerk, in dem Kommunen ihre Erfahrungen austauschen, voneinander lernen und eigene Strategien für die Förderung des Engagements entwickeln.

### Wir vereinbaren

- Wir teilen unser Wissen und unsere Erfahrungen mit anderen Kommunen.
- Wir benennen in unserer Verwaltung eine Ansprechperson für das Netzwerk.
- Wir unterstützen das Land bei Fachtagungen, Seminaren und Werkstätten, soweit es uns möglich ist.
- Wir laden weitere Städte, Gemeinden und Kreise ein, sich dem Netzwerk anzuschließen.`;

const DECLARATION_2024 = `## Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln

Freiwilliges Engagement lässt sich nicht anordnen. Es wächst dort, wo Menschen Anerkennung erfahren und Verwaltung, Politik und Zivilgesellschaft ihnen den Weg ebnen. Das ist eine gemeinsame Aufgabe von Land und Kommunen für die kommenden Jahre.

Seit 2012 arbeiten Städte, Gemeinden und Kreise in diesem Netzwerk zusammen. Die Erfahrung zeigt: Je besser die Unterstützenden vor Ort miteinander verbunden sind, desto nachhaltiger wirkt die Förderung des Engagements.

Der Austausch zwischen den Kommunen gibt Anregungen für die eigene Arbeit. Wir wollen weiter voneinander lernen, gemeinsam handeln und weitere Kommunen für diesen Weg gewinnen.

### Unsere Zusagen

- Wir stellen anderen Kommunen unsere Erfahrungen und Kenntnisse zur Verfügung, etwa im Wege der Amtshilfe.
- Wir nutzen unsere Wege der Kommunikation, um gute Beispiele weiterzutragen.
- Wir unterstützen das Land, im Rahmen unserer Möglichkeiten, bei Kongressen, regionalen Seminaren und Entwicklungswerkstätten.`;

const TOPICS = [
	'Strategieentwicklung',
	'Netzwerkmanagement',
	'Engagement und Bürgerbeteiligung',
	'Engagement in der Flüchtlingshilfe',
	'Digitalisierung',
	'Engagement im ländlichen Raum',
	'Engagement junger Menschen',
	'Engagement im Sozialraum',
	'Ehrenamtskarte und Anerkennungskultur'
];

interface DemoRound {
	number: number;
	date: string;
	place: string;
	note: string;
	members: string[];
	version: '2012' | '2024';
}

/** AGS from GV100AD; rounds as the documents describe them. */
const ROUNDS: DemoRound[] = [
	{
		number: 1,
		date: '2012-12-11',
		place: 'Düsseldorf',
		note: 'Datum ungefähr: Die Unterlagen nennen nur Dezember 2012. Gründung mit zehn Pilotkommunen, den kommunalen Spitzenverbänden und dem Land.',
		// Entwicklungswerkstatt 2011–2013: Bonn, Burbach, Emsdetten, Hemer, Kamp-Lintfort, Lemgo, Kreis Lippe, Mönchengladbach, Oberhausen, Solingen
		members: ['05314000', '05970008', '05566008', '05962016', '05170020', '05766044', '05766', '05116000', '05119000', '05122000'],
		version: '2012'
	},
	{
		number: 2,
		date: '2015-06-16',
		place: 'Düsseldorf',
		note: 'Datum ungefähr: Die Unterlagen nennen nur das Jahr 2015. Entwicklungswerkstatt 2014–2015 und die Partnerkommunen Arnsberg, Essen und Rheine (deren Runde nennen die Unterlagen nicht).',
		// Alsdorf, Beckum, Bergheim, Hagen, Hellenthal, Kirchlengern, Lünen, Nieheim, Velbert, Witten; Arnsberg, Essen, Rheine
		members: ['05334004', '05570008', '05362008', '05914000', '05366020', '05758020', '05978024', '05762028', '05158032', '05954036', '05958004', '05113000', '05566076'],
		version: '2012'
	},
	{
		number: 3,
		date: '2016-11-22',
		place: 'Düsseldorf',
		note: 'Datum ungefähr: Die Unterlagen nennen nur das Jahr 2016. Entwicklungswerkstatt bis Ende 2016 und die Bezirksregierung Arnsberg.',
		// Ahlen, Bad Berleburg, Bergkamen, Finnentrop, Kirchhundem, Menden, Kreis Olpe, Senden, Kreis Siegen-Wittgenstein, Sprockhövel; Bezirksregierung Arnsberg
		members: ['05570004', '05970004', '05978004', '05966012', '05966016', '05962040', '05966', '05558044', '05970', '05954028', 'BR-059'],
		version: '2012'
	},
	{
		number: 4,
		date: '2018-03-13',
		place: 'Düsseldorf',
		note: 'Datum ungefähr: Die Unterlagen nennen nur „bis 2018“; danach hatte das Netzwerk 54 Mitglieder. Die Mitglieder dieser Runde sind in den Unterlagen nicht namentlich genannt.',
		members: [],
		version: '2012'
	},
	{
		number: 5,
		date: '2019-05-14',
		place: 'Düsseldorf',
		note: 'Datum und Nummer angenommen: Bielefeld beschloss den Beitritt am 04.09.2018, nach der vierten Runde.',
		members: ['05711000'],
		version: '2012'
	}
];

const UMBRELLAS = ['Städtetag Nordrhein-Westfalen', 'Landkreistag Nordrhein-Westfalen', 'Städte- und Gemeindebund Nordrhein-Westfalen'];

/** Fictional signatories for the members whose profile the demo shows. */
const SIGNATORIES: Record<string, [string, string]> = {
	'05711000': ['Thomas Beispielmann', 'Oberbürgermeister'],
	'05958004': ['Karin Mustermann', 'Bürgermeisterin'],
	'05113000': ['Jens Vorlage', 'Oberbürgermeister'],
	'05566076': ['Sabine Platzhalter', 'Bürgermeisterin'],
	'05766': ['Georg Entwurf', 'Landrat'],
	'BR-059': ['Dr. Helga Beispiel', 'Regierungspräsidentin']
};

/** A Tuesday about three months after the demo data is loaded, so that the planned round stays ahead. */
function plannedRoundDate(): string {
	const d = new Date(Date.now() + 90 * 86_400_000);
	d.setUTCDate(d.getUTCDate() + ((9 - d.getUTCDay()) % 7));
	return d.toISOString().slice(0, 10);
}

async function demoUser(tx: DbOrTx, u: { email: string; name: string; role: 'member_contact'; areaAgs: string; organisation: string; position: string }) {
	return (await findUserByEmail(tx, u.email)) ?? (await createUser(tx, systemActor, { ...u, password: 'Demo-Passwort-2026' }));
}

export async function loadMembersDemo(tx: DbOrTx): Promise<void> {
	const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(members);
	if (n > 0) return;
	const actor = systemActor;

	const v2012 = await createDeclarationVersion(tx, actor, {
		title: 'Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln (Fassung 2012)',
		placeLine: 'Düsseldorf, im Dezember 2012',
		validFrom: '2012-12-01',
		bodyMarkdown: DECLARATION_2012,
		stateSignatoryName: 'Monika Demo',
		stateSignatoryOffice: 'Ministerin für Familie, Kinder, Jugend, Kultur und Sport des Landes Nordrhein-Westfalen (Name fiktiv)'
	});
	const v2024 = await createDeclarationVersion(tx, actor, {
		title: 'Zukunftsfaktor Bürgerengagement – Gemeinsam und vernetzt handeln (Fassung Mai 2024)',
		placeLine: 'Düsseldorf, im Mai 2024',
		validFrom: '2024-05-01',
		bodyMarkdown: DECLARATION_2024,
		stateSignatoryName: 'Andrea Beispiel',
		stateSignatoryOffice: 'Staatssekretärin für Sport und Ehrenamt des Landes Nordrhein-Westfalen (Name fiktiv)'
	});

	const topicIds = new Map<string, number>();
	for (const name of TOPICS) topicIds.set(name, (await createTopic(tx, actor, { name })).id);

	for (const r of ROUNDS) {
		const version = r.version === '2012' ? v2012 : v2024;
		await createSigningRound(tx, actor, { number: r.number, date: r.date, dateApproximate: true, place: r.place, note: r.note, declarationVersionId: version.id });
		await addRoundSignatory(tx, actor, { round: r.number, role: 'state', organisation: 'Land Nordrhein-Westfalen', name: version.stateSignatoryName, office: version.stateSignatoryOffice });
		if (r.number === 1) for (const u of UMBRELLAS) await addRoundSignatory(tx, actor, { round: 1, role: 'umbrella', organisation: u, name: null, office: 'Geschäftsführung (Name nicht erfasst)' });
		for (const ags of r.members) {
			const [name, office] = SIGNATORIES[ags] ?? [null, null];
			await recordMembership(tx, actor, { ags, signingRound: r.number, signatoryName: name, signatoryOffice: office, partner: ['05958004', '05113000', '05566076'].includes(ags) });
			await recordCriteria(tx, actor, {
				ags,
				criteria: {
					contact_person: { met: true },
					cross_cutting_task: { met: true },
					declaration_signing: { met: true },
					ehrenamtskarte: { value: 'participates' },
					collaboration: { met: true }
				}
			});
		}
	}
	// A planned round for the application in progress (demo assumption).
	await createSigningRound(tx, actor, { number: 6, date: plannedRoundDate(), place: 'Düsseldorf', note: 'Geplante Runde (Demo).', declarationVersionId: v2024.id });

	// Bielefeld's accession with the council decision from the Beschlussvorlage (seed 004).
	await tx.insert(accessions).values({
		memberKey: '05711000',
		state: 'admitted',
		councilCommittee: 'Sozial- und Gesundheitsausschuss',
		councilDate: '2018-09-04',
		councilAgendaItem: 'Beitritt zum „Kommunennetzwerk: engagiert in NRW“ der Landesregierung NRW',
		councilResult: 'adopted',
		councilPublic: true,
		declarationDate: '2018-10-15',
		declarationSignatoryName: 'Thomas Beispielmann',
		declarationSignatoryOffice: 'Oberbürgermeister',
		submittedAt: new Date('2018-10-20T10:00:00Z'),
		admittedAt: new Date('2019-05-14T12:00:00Z'),
		signingRoundId: sql`(select id from signing_rounds where number = 5)`,
		createdAt: new Date('2018-08-15T09:00:00Z'),
		updatedAt: new Date('2019-05-14T12:00:00Z')
	});

	// Contacts (the demo accounts of the foundation) and profiles.
	for (const [email, ags] of [
		['a.beispiel@bielefeld.example', '05711000'],
		['m.muster@arnsberg.example', '05958004'],
		['j.probst@essen.example', '05113000']
	] as const) {
		const u = await findUserByEmail(tx, email);
		if (u) await addMemberContact(tx, actor, { ags, userId: u.id, primary: true });
	}
	const t = (names: string[]) => names.map((x) => topicIds.get(x)!).filter(Boolean);
	await updateMemberProfile(tx, actor, {
		ags: '05711000',
		description: 'Bielefeld fördert Engagement mit einer Freiwilligenagentur, einem Ehrenamtspreis und der Ehrenamtskarte. Die Engagementbeauftragte im Sozialdezernat hält die Fäden zusammen.',
		website: 'https://www.bielefeld.de',
		structures: [
			{ kind: 'freiwilligenagentur', label: 'Freiwilligenagentur', since: '' },
			{ kind: 'ehrenamtskarte', label: 'Ehrenamtskarte NRW', since: '' }
		],
		topicIds: t(['Ehrenamtskarte und Anerkennungskultur', 'Engagement im Sozialraum'])
	});
	await updateMemberProfile(tx, actor, {
		ags: '05958004',
		description: 'Partnerkommune des Netzwerks. Arnsberg bündelt die Engagementförderung in einer eigenen Fachstelle und teilt ihre Erfahrungen mit anderen Kommunen.',
		website: 'https://www.arnsberg.de',
		structures: [{ kind: 'stabsstelle', label: 'Fachstelle Zukunft Alter und Engagement', since: '' }],
		topicIds: t(['Strategieentwicklung', 'Netzwerkmanagement'])
	});
	await updateMemberProfile(tx, actor, {
		ags: '05113000',
		description: 'Partnerkommune des Netzwerks. Essen hat eine Ehrenamtsagentur und einen Runden Tisch Engagement.',
		website: 'https://www.essen.de',
		structures: [
			{ kind: 'freiwilligenagentur', label: 'Ehrenamtsagentur Essen', since: '' },
			{ kind: 'runder_tisch', label: 'Runder Tisch Engagement', since: '' }
		],
		topicIds: t(['Engagement in der Flüchtlingshilfe', 'Digitalisierung'])
	});
	await updateMemberProfile(tx, actor, {
		ags: '05566076',
		description: 'Partnerkommune des Netzwerks im Münsterland.',
		website: 'https://www.rheine.de',
		structures: [{ kind: 'freiwilligenagentur', label: 'Freiwilligenagentur', since: '' }],
		topicIds: t(['Engagement im ländlichen Raum', 'Engagement junger Menschen'])
	});

	// One application in progress: Gütersloh (fictional contact, fictional dates).
	const lena = await demoUser(tx, {
		email: 'l.neumann@guetersloh.example',
		name: 'Lena Neumann',
		role: 'member_contact',
		areaAgs: '05754008',
		organisation: 'Stadt Gütersloh',
		position: 'Ehrenamtskoordination'
	});
	// A contact of a municipality that is not yet in the registry, for trying the way in from the start.
	await demoUser(tx, { email: 'k.sommer@muenster.example', name: 'Katrin Sommer', role: 'member_contact', areaAgs: '05515000', organisation: 'Stadt Münster', position: 'Engagementförderung' });
	const lenaActor = actorFor({ id: lena.id, email: lena.email, name: lena.name, role: 'member_contact', areaAgs: lena.areaAgs });
	const a = await openAccession(tx, lenaActor, { ags: '05754008' });
	await updateAccession(tx, lenaActor, {
		id: a.id,
		criteria: {
			contact_person: { met: true, evidenceText: 'Ehrenamtskoordination im Fachbereich Soziales, seit 2021.' },
			cross_cutting_task: { met: true, evidenceText: 'Arbeitsgruppe Engagement mit allen Fachbereichen.' },
			declaration_signing: { met: true }
		},
		councilDecision: { committee: 'Ausschuss für Soziales und Senioren', date: '2025-11-20', agendaItem: 'TOP 5', reference: 'DS 2025/312', result: 'adopted', public: true }
	});
}
