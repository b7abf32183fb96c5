/**
 * Demo events: the past Engagementkongresse (2013, 2015 with their workshop topics from the
 * network's pages; 16 Oct 2017 in Bonn), network meetings twice a year, an open workshop and an
 * upcoming congress with six parallel workshops, a Lernkarussell and registrations. Places and
 * dates of the past congresses are public facts; people are fictional; texts are our own.
 */
import { sql } from 'drizzle-orm';
import { systemActor } from '../audit';
import type { DbOrTx } from '../db';
import { fromBerlin } from '../../events';
import {
	addCarouselRound,
	addCarouselStation,
	addSession,
	autoAssignCarousel,
	createEvent,
	register,
	saveDocumentation,
	setFeedbackOpen,
	type CreateEventInput
} from '../events';
import { eventFeedback, events, registrations } from '../events/schema';

const at = (date: string, time: string) => fromBerlin(date, time)!;

const MEMBERS = [
	{ ags: '05711000', name: 'Stadt Bielefeld' },
	{ ags: '05958004', name: 'Stadt Arnsberg' },
	{ ags: '05113000', name: 'Stadt Essen' },
	{ ags: '05566076', name: 'Stadt Rheine' },
	{ ags: '05314000', name: 'Bundesstadt Bonn' },
	{ ags: '05914000', name: 'Stadt Hagen' },
	{ ags: '05962016', name: 'Stadt Hemer' },
	{ ags: '05170020', name: 'Stadt Kamp-Lintfort' },
	{ ags: '05978024', name: 'Stadt Lünen' },
	{ ags: '05158032', name: 'Stadt Velbert' },
	{ ags: '05954036', name: 'Stadt Witten' },
	{ ags: '05122000', name: 'Stadt Solingen' },
	{ ags: '05566008', name: 'Stadt Emsdetten' },
	{ ags: '05766044', name: 'Stadt Lemgo' }
];

const FIRST = ['Anja', 'Bernd', 'Carla', 'Dirk', 'Elif', 'Frank', 'Gül', 'Heike', 'Ingo', 'Jana', 'Kai', 'Lea', 'Mehmet', 'Nina', 'Olaf', 'Petra', 'Rainer', 'Sabine', 'Timo', 'Ute'];
const LAST = ['Albers', 'Brandt', 'Claasen', 'Demir', 'Engel', 'Fuchs', 'Gerber', 'Hoff', 'Imhof', 'Jansen', 'Kraus', 'Lenz', 'Möller', 'Nowak', 'Ostermann', 'Peters'];
const POSITIONS = ['Engagementbeauftragte/r', 'Ehrenamtskoordination', 'Sozialplanung', 'Büro für Bürgerengagement', 'Quartiersmanagement'];

async function past(tx: DbOrTx, input: CreateEventInput, programme: { kind: 'keynote' | 'podium' | 'workshop' | 'carousel' | 'plenary'; title: string; from: string; to: string; speakers?: string }[], documentation: string) {
	const e = await createEvent(tx, systemActor, { reminderDays: null, ...input });
	const day = (input.startsAt as Date).toISOString().slice(0, 10);
	for (const p of programme) await addSession(tx, systemActor, { eventId: e.id, kind: p.kind, title: p.title, startsAt: at(day, p.from), endsAt: at(day, p.to), speakers: p.speakers });
	await saveDocumentation(tx, systemActor, { eventId: e.id, documentation, publish: true });
	return e;
}

export async function loadEventsDemo(tx: DbOrTx): Promise<void> {
	const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(events);
	if (n > 0) return;

	// --- The past congresses -------------------------------------------------------------
	await past(
		tx,
		{
			kind: 'congress',
			title: 'Fachkongress 2013: Bürgerschaftliches Engagement fördern – kommunale Strategien für die Zukunft',
			summary: 'Der erste landesweite Erfahrungsaustausch von Kommunen und weiteren Akteuren zur kommunalen Engagementförderung in NRW.',
			startsAt: at('2013-11-18', '10:00'),
			endsAt: at('2013-11-18', '16:00'),
			audience: 'public',
			venue: 'Nordrhein-Westfalen'
		},
		[
			{ kind: 'keynote', title: 'Impulsvortrag: Leitbild Bürgerkommune – warum Engagement und Beteiligung Kommunen zukunftsfähig machen', from: '10:15', to: '11:00' },
			{ kind: 'keynote', title: 'Vortrag: Gelingensfaktoren und Stolpersteine, Instrumente und Maßnahmen', from: '11:00', to: '11:45' },
			{ kind: 'workshop', title: 'Vom Anfangen: Stolpersteine und Gelingensfaktoren', from: '13:00', to: '15:00' },
			{ kind: 'workshop', title: 'Am Ball bleiben: Strategien und Maßnahmen nachhaltig verankern', from: '13:00', to: '15:00' },
			{ kind: 'workshop', title: 'Landkreise im Fokus: Rolle und Möglichkeiten der Kreisverwaltungen', from: '13:00', to: '15:00' },
			{ kind: 'workshop', title: 'Engagement in den Medien: Tipps zur Öffentlichkeitsarbeit', from: '13:00', to: '15:00' },
			{ kind: 'workshop', title: 'Sichtbar machen: Wertschätzung und Bindung von Ehrenamtlichen', from: '13:00', to: '15:00' }
		],
		'## Rückblick\n\nZum ersten Mal kamen Kommunen aus ganz NRW zusammen, um sich über bewährte Wege der Engagementförderung auszutauschen.\n\n- Zwei Vorträge: Bürgerkommune als Leitbild; Gelingensfaktoren und Stolpersteine\n- Fünf Workshops mit konkreten Tipps für die Arbeit vor Ort\n\n*Demodaten: Datum des Kongresses beispielhaft.*'
	);
	await past(
		tx,
		{
			kind: 'congress',
			title: 'Fachkongress 2015: Bürgerschaftliches Engagement fördern – kommunale Strategien für die Zukunft',
			summary: 'Rahmenbedingungen, Zusammenspiel der Akteure und übertragbare Praxisbeispiele der lokalen Engagementförderung.',
			startsAt: at('2015-11-16', '09:30'),
			endsAt: at('2015-11-16', '16:30'),
			audience: 'public',
			venue: 'Nordrhein-Westfalen'
		},
		[
			{ kind: 'keynote', title: 'Impulsvortrag zur NRW-Auswertung des Generali Engagementatlas 2015', from: '10:00', to: '10:45' },
			{ kind: 'podium', title: 'Podiumsdiskussion mit Einbindung des Publikums', from: '10:45', to: '11:45' },
			{ kind: 'carousel', title: 'Lernkarussell: Praxisbeispiele aus Bonn, Essen, Hagen, Hemer, Kamp-Lintfort, Lünen, Rheine, Velbert und Witten', from: '11:45', to: '13:00' },
			{ kind: 'workshop', title: 'Chancen, Gewinne und Grenzen lokaler Engagementlandschaften', from: '14:00', to: '16:00' },
			{ kind: 'workshop', title: 'Die Kommune als Motor der Engagementförderung?', from: '14:00', to: '16:00' },
			{ kind: 'workshop', title: 'Regionale Vernetzung und interkommunale Zusammenarbeit', from: '14:00', to: '16:00' },
			{ kind: 'workshop', title: 'Junges Engagement fördern', from: '14:00', to: '16:00' },
			{ kind: 'workshop', title: 'Netzwerke erfolgreich gestalten – am Beispiel der Engagementförderung für Geflüchtete', from: '14:00', to: '16:00' },
			{ kind: 'workshop', title: 'Bürgerschaftliches Engagement im Sozialraum', from: '14:00', to: '16:00' }
		],
		'## Rückblick\n\nIm Mittelpunkt standen die Fragen: Welche Rahmenbedingungen helfen der lokalen Engagementförderung? Wie arbeiten die Akteure in der Kommune gut zusammen? Welche Praxisbeispiele lassen sich übertragen?\n\nIm Lernkarussell stellten Engagementverantwortliche aus neun Mitgliedskommunen ihre Praxis vor; sechs Workshops mit Dialogpartnerinnen und -partnern vertieften die Themen.\n\n*Demodaten: Datum des Kongresses beispielhaft.*'
	);
	await past(
		tx,
		{
			kind: 'congress',
			title: 'Engagementkongress NRW 2017: Bürgerschaftliches Engagement fördern – sozialen Zusammenhalt und Demokratie stärken',
			summary: 'Wie Engagementförderung und Demokratiestärkung zusammenspielen – Austausch, Lernkarussell und Workshops.',
			startsAt: at('2017-10-16', '09:30'),
			endsAt: at('2017-10-16', '16:30'),
			audience: 'public',
			venue: 'Stadthalle Bad Godesberg',
			address: 'Koblenzer Straße 80, 53177 Bonn'
		},
		[
			{ kind: 'keynote', title: 'Impulsvortrag: Engagementförderung und Demokratiestärkung', from: '10:00', to: '10:45', speakers: 'PD Dr. Ansgar Klein (BBE)' },
			{ kind: 'podium', title: 'Podiumsdiskussion', from: '10:45', to: '11:45' },
			{ kind: 'carousel', title: 'Lernkarussell der Mitgliedskommunen', from: '11:45', to: '13:00' },
			{ kind: 'workshop', title: 'Workshops mit Dialogpartnerinnen und -partnern', from: '14:00', to: '16:00' }
		],
		'## Rückblick\n\nDer Kongress fand am 16. Oktober 2017 von 9.30 bis 16.30 Uhr in der Stadthalle Bad Godesberg in Bonn statt.\n\n> Protokoll und Ergebnisse der Workshops stellt die Koordinierungsstelle hier bereit.'
	);

	// --- Network meetings, two a year ----------------------------------------------------
	const meetings: [string, string, string, string][] = [
		['2025-04-09', 'Essen', 'Stadt Essen, Rathaus', 'Porscheplatz 1, 45127 Essen'],
		['2025-10-15', 'Rheine', 'Stadt Rheine, Rathaus', 'Klosterstraße 14, 48431 Rheine'],
		['2026-04-22', 'Bielefeld', 'Neues Rathaus Bielefeld', 'Niederwall 23, 33602 Bielefeld'],
		['2026-10-07', 'Arnsberg', 'Rathaus Arnsberg-Neheim', 'Rathausplatz 1, 59759 Arnsberg'],
		['2027-03-17', 'Hagen', 'Rathaus an der Volme', 'Rathausstraße 11, 58095 Hagen'],
		['2027-09-22', 'Witten', 'Rathaus Witten', 'Marktstraße 16, 58452 Witten']
	];
	for (const [date, town, venue, address] of meetings) {
		const isPast = at(date, '16:00') < new Date();
		const e = await createEvent(tx, systemActor, {
			kind: 'network_meeting',
			title: `Netzwerktreffen in ${town}`,
			summary: 'Kollegialer Austausch der kommunalen Ansprechpersonen: Impulse, Praxisbeispiele, Themen der Mitglieder.',
			startsAt: at(date, '10:00'),
			endsAt: at(date, '16:00'),
			audience: 'members',
			venue,
			address,
			capacity: 40,
			perAreaLimit: 2,
			contactName: 'Koordinierungsstelle',
			contactEmail: 'koordination@kommunennetz.example',
			reminderDays: isPast ? null : 5
		});
		await addSession(tx, systemActor, { eventId: e.id, kind: 'plenary', title: 'Begrüßung und Neuigkeiten aus dem Netzwerk', startsAt: at(date, '10:00'), endsAt: at(date, '10:45') });
		await addSession(tx, systemActor, { eventId: e.id, kind: 'other', title: `Praxisbeispiel aus ${town}`, startsAt: at(date, '10:45'), endsAt: at(date, '12:00') });
		await addSession(tx, systemActor, { eventId: e.id, kind: 'plenary', title: 'Kollegiale Beratung in Kleingruppen', startsAt: at(date, '13:00'), endsAt: at(date, '15:30') });
		if (isPast)
			await saveDocumentation(tx, systemActor, {
				eventId: e.id,
				documentation: `## Protokoll (Kurzfassung)\n\n- Austausch zu aktuellen Vorhaben der Mitglieder\n- Praxisbeispiel aus ${town}\n- Themenwünsche für das nächste Treffen gesammelt`,
				publish: true
			});
	}

	// --- An open online workshop and the Spitzentreffen ---------------------------------
	await createEvent(tx, systemActor, {
		kind: 'workshop',
		title: 'Offener Workshop: Engagement im ländlichen Raum',
		summary: 'Wie kleine Gemeinden Engagement mit wenig Personal verlässlich fördern – Erfahrungen und Werkzeuge.',
		startsAt: at('2027-01-20', '10:00'),
		endsAt: at('2027-01-20', '12:30'),
		format: 'online',
		videoUrl: 'https://video.kommunennetz.example/laendlicher-raum',
		audience: 'members_partners',
		capacity: 60
	});
	await createEvent(tx, systemActor, {
		kind: 'summit',
		title: 'Kommunales Spitzentreffen 2027',
		summary: 'Jährliches Treffen der Bürgermeisterinnen, Bürgermeister, Landrätinnen und Landräte der Mitgliedskommunen (digital).',
		startsAt: at('2027-02-10', '14:00'),
		endsAt: at('2027-02-10', '16:00'),
		format: 'online',
		videoUrl: 'https://video.kommunennetz.example/spitzentreffen',
		audience: 'members'
	});

	// --- The upcoming congress ---------------------------------------------------------
	const day = '2027-05-10';
	const kongress = await createEvent(tx, systemActor, {
		kind: 'congress',
		title: 'Engagementkongress NRW 2027: Engagement vor Ort – gemeinsam und vernetzt',
		summary: 'Impulsvortrag, Podium, Lernkarussell mit Praxisbeispielen der Mitglieder und sechs parallele Workshops.',
		description:
			'Der Kongress richtet sich an Entscheidungsträgerinnen und -träger sowie Fachleute aus den Verwaltungen, an Politik, lokale Akteure der Engagementförderung, Multiplikatorinnen und Multiplikatoren, Wissenschaft und alle Interessierten.\n\nBitte wählen Sie bei der Anmeldung **einen** der sechs Workshops am Nachmittag.',
		startsAt: at(day, '09:30'),
		endsAt: at(day, '16:30'),
		format: 'onsite',
		venue: 'Stadthalle Bad Godesberg',
		address: 'Koblenzer Straße 80, 53177 Bonn',
		room: 'Großer Saal',
		audience: 'public',
		capacity: 180,
		perAreaLimit: 6,
		registrationClosesAt: at('2027-04-26', '23:59'),
		contactName: 'Koordinierungsstelle',
		contactEmail: 'koordination@kommunennetz.example',
		reminderDays: 7
	});
	const s = (kind: 'keynote' | 'podium' | 'plenary' | 'carousel' | 'break', title: string, from: string, to: string, speakers?: string) =>
		addSession(tx, systemActor, { eventId: kongress.id, kind, title, startsAt: at(day, from), endsAt: at(day, to), speakers });
	await s('plenary', 'Ankommen und Begrüßung', '09:30', '10:00');
	await s('keynote', 'Impulsvortrag: Was Engagement vor Ort braucht', '10:00', '10:45', 'Prof. Dr. Mira Seefeld (fiktiv)');
	await s('podium', 'Podiumsdiskussion: Kommunen, Land und Zivilgesellschaft im Gespräch', '10:45', '11:40', 'Vertreterinnen und Vertreter aus Kommunen, Land und Verbänden (fiktiv)');
	const carousel = await s('carousel', 'Lernkarussell: Mitglieder zeigen Praxisbeispiele', '11:45', '13:10');
	await s('break', 'Mittagspause', '13:10', '14:00');
	const workshops = [
		['Strategien entwickeln: Engagementförderung als Querschnittsaufgabe', 'Saal 1'],
		['Netzwerke gut managen', 'Saal 2'],
		['Engagement und Bürgerbeteiligung – zwei Seiten einer Medaille?', 'Raum Rhein'],
		['Digitale Wege ins Ehrenamt', 'Raum Siebengebirge'],
		['Engagement im ländlichen Raum', 'Raum Godesburg'],
		['Junge Menschen für Engagement gewinnen', 'Raum Drachenfels']
	];
	const ws = [];
	for (const [title, room] of workshops)
		ws.push(
			await addSession(tx, systemActor, {
				eventId: kongress.id,
				kind: 'workshop',
				title,
				startsAt: at(day, '14:00'),
				endsAt: at(day, '15:45'),
				room,
				capacity: 30,
				speakers: 'Dialogpartnerinnen und -partner aus Mitgliedskommunen (fiktiv)'
			})
		);
	await s('plenary', 'Ergebnisse und Ausblick', '16:00', '16:30');
	const stations: [string, string, string][] = [
		['Ehrenamtskarte und Anerkennungskultur', '05958004', 'Engagementbüro Arnsberg'],
		['Freiwilligenagentur als Netzwerkknoten', '05566076', 'Freiwilligenagentur Rheine'],
		['Engagementstrategie mit Ratsbeschluss', '05711000', 'Stadt Bielefeld'],
		['Quartiersarbeit mit Ehrenamtlichen', '05954036', 'Stadt Witten'],
		['Digitale Engagementbörse', '05113000', 'Ehrenamtsagentur Essen'],
		['Engagement junger Menschen', '05914000', 'Stadt Hagen']
	];
	for (const [title, ags, presenter] of stations) await addCarouselStation(tx, systemActor, { sessionId: carousel.id, title, areaAgs: ags, presenter, capacity: 30 });
	await addCarouselRound(tx, systemActor, { sessionId: carousel.id, startsAt: at(day, '11:45'), endsAt: at(day, '12:10') });
	await addCarouselRound(tx, systemActor, { sessionId: carousel.id, startsAt: at(day, '12:15'), endsAt: at(day, '12:40') });
	await addCarouselRound(tx, systemActor, { sessionId: carousel.id, startsAt: at(day, '12:45'), endsAt: at(day, '13:10') });

	// 60 fictional participants; the demo member contact from Bielefeld is one of them.
	for (let i = 0; i < 60; i++) {
		const m = MEMBERS[i % MEMBERS.length];
		const first = FIRST[i % FIRST.length];
		const last = LAST[(i * 7) % LAST.length];
		const email = i === 0 ? 'a.beispiel@bielefeld.example' : `${first}.${last}.${i}@kommune.example`.toLowerCase().replace(/ü/g, 'ue').replace(/ö/g, 'oe');
		await register(tx, systemActor, {
			eventId: kongress.id,
			name: i === 0 ? 'Anna Beispiel' : `${first} ${last}`,
			email,
			organisation: m.name,
			areaAgs: m.ags,
			position: POSITIONS[i % POSITIONS.length],
			photoConsent: i % 3 !== 0,
			listConsent: i % 2 === 0,
			dietaryNeeds: i % 9 === 0 ? 'vegetarisch' : null,
			accessibilityNeeds: i === 5 ? 'Rollstuhlgerechter Platz' : null,
			sessionIds: [ws[i % ws.length].id]
		});
	}
	await autoAssignCarousel(tx, systemActor, { sessionId: carousel.id });
	// The demo account of Anna Beispiel sees the registration under "Meine Anmeldungen".
	await tx.execute(sql`update event_registrations r set user_id = u.id from users u where lower(u.email) = lower(r.email) and r.user_id is null`);

	// Feedback and a published quote for the last past network meeting.
	const [lastPast] = await tx
		.select({ id: events.id })
		.from(events)
		.where(sql`${events.kind} = 'network_meeting' and ${events.endsAt} < now()`)
		.orderBy(sql`${events.startsAt} desc`)
		.limit(1);
	if (lastPast) {
		await setFeedbackOpen(tx, systemActor, { eventId: lastPast.id, open: true });
		const voices = [
			[5, 'Ich habe gemerkt: Mit meinen Fragen bin ich nicht allein.'],
			[4, 'Viele Tipps, die ich direkt mit nach Hause nehme.'],
			[5, 'Hilfreich war der Austausch, wie man das Thema in der eigenen Verwaltung platziert und wen man einbindet.']
		] as const;
		for (const [i, [rating, text]] of voices.entries()) {
			const [reg] = await tx
				.insert(registrations)
				.values({
					eventId: lastPast.id,
					name: `${FIRST[i + 3]} ${LAST[i + 5]}`,
					email: `rueckmeldung${i}@kommune.example`,
					organisation: MEMBERS[i + 4].name,
					areaAgs: MEMBERS[i + 4].ags,
					status: 'confirmed',
					cancelTokenHash: `demo-${lastPast.id}-${i}`,
					checkedInAt: new Date()
				})
				.returning();
			await tx.insert(eventFeedback).values({ eventId: lastPast.id, registrationId: reg.id, rating, text, quoteConsent: true, publishedAt: new Date() });
		}
	}
}
