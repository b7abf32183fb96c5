/**
 * Demo Infomails: three issues of 2026 in the archive (spring, summer, autumn) and a draft
 * for the winter issue, each with news on Bund, Land, Kommune and Netzwerk; subscribers with
 * their consent records (source "Demodaten"), two unconfirmed requests, one unsubscribed
 * address and one hard bounce. The sent issues get recipient rows as a real send would have
 * left them. Nothing is mailed: no outbox rows, no jobs. Texts are our own; facts about the
 * network come from its public pages; federal items are deliberately generic.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { actorFor, findUserByEmail } from '../accounts';
import { systemActor, type Actor } from '../audit';
import type { DbOrTx } from '../db';
import { fromBerlin } from '../../events';
import { events } from '../events/schema';
import { createInfomail, type InfomailInput } from '../infomail';
import { mailDomain } from '../infomail/content';
import { infomailConsents, infomailRecipients, infomails, infomailSubscribers, mailBounces } from '../infomail/schema';
import { CURRENT_CONSENT_VERSION } from '../infomail/subscriptions';

const SOURCE = 'Demodaten';
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Demodaten';
const DAY = 86_400_000;

const at = (date: string, time: string) => fromBerlin(date, time)!;
const secret = () => randomBytes(24).toString('base64url');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hex = () => randomBytes(16).toString('hex');

/** Fictional subscribers (documentation IP ranges, .example domains) and when they confirmed. */
const SUBSCRIBERS: { email: string; name: string | null; confirmed: string }[] = [
	{ email: 'b.albers@freiwilligenzentrum-muenster.example', name: 'Birgit Albers', confirmed: '2026-01-12' },
	{ email: 'info@ehrenamt-lippe.example', name: null, confirmed: '2026-01-20' },
	{ email: 't.claasen@kreis-olpe.example', name: 'Thomas Claasen', confirmed: '2026-02-03' },
	{ email: 'e.demir@quartier-gelsenkirchen.example', name: 'Elif Demir', confirmed: '2026-02-10' },
	{ email: 'r.engel@buergerstiftung-hamm.example', name: 'Ralf Engel', confirmed: '2026-02-24' },
	{ email: 'kontakt@seniorenbuero-soest.example', name: 'Seniorenbüro Soest (fiktiv)', confirmed: '2026-03-02' },
	{ email: 'm.fuchs@uni-engagementforschung.example', name: 'Dr. Miriam Fuchs', confirmed: '2026-03-09' },
	{ email: 'h.gerber@gemeinde-nieheim.example', name: 'Heike Gerber', confirmed: '2026-04-15' },
	{ email: 'o.hoff@sportbund-witten.example', name: 'Olaf Hoff', confirmed: '2026-05-06' },
	{ email: 's.imhof@stadt-beckum.example', name: 'Sabine Imhof', confirmed: '2026-05-19' },
	{ email: 'k.jansen@jugendring-velbert.example', name: 'Kai Jansen', confirmed: '2026-06-08' },
	{ email: 'l.kraus@kreis-siegen-wittgenstein.example', name: 'Lea Kraus', confirmed: '2026-07-21' },
	{ email: 'u.lenz@nachbarschaftshilfe-menden.example', name: 'Ute Lenz', confirmed: '2026-08-17' },
	{ email: 'n.moeller@gemeinde-finnentrop.example', name: 'Nina Möller', confirmed: '2026-09-14' },
	{ email: 'p.nowak@integrationsrat-hagen.example', name: 'Petra Nowak', confirmed: '2026-10-26' }
];
/** Confirmed, received the spring issue, then unsubscribed with one click. */
const UNSUBSCRIBED = { email: 'd.ostermann@verein-emsdetten.example', name: 'Dirk Ostermann', confirmed: '2026-02-16', withdrawn: '2026-04-02' };
/** Confirmed; the mailbox was closed, the summer issue bounced hard. */
const BOUNCED = { email: 'i.peters@alt-verwaltung-bergkamen.example', name: 'Ingo Peters', confirmed: '2026-01-27' };
/** Asked a few days ago and never clicked the link. */
const UNCONFIRMED = [
	{ email: 'c.brandt@tafel-ahlen.example', name: 'Carla Brandt', daysAgo: 3 },
	{ email: 'mail@dorfverein-hellenthal.example', name: null, daysAgo: 6 }
];

function ip(i: number): string {
	return `198.51.100.${10 + i}`;
}

async function eventId(tx: DbOrTx, title: string): Promise<string | null> {
	const [e] = await tx.select({ id: events.id }).from(events).where(eq(events.title, title));
	return e ? String(e.id) : null;
}
const eventRef = (id: string | null) => (id ? { kind: 'event', id } : null);

function issues(ev: { spring: string | null; autumn: string | null; kongress: string | null; workshop: string | null }): (InfomailInput & { sentAt?: Date })[] {
	return [
		{
			subject: 'Infomail Frühjahr 2026: Netzwerktreffen in Bielefeld, Ehrenamtskarte, neue Förderrunde des Bundes',
			sentAt: at('2026-03-18', '09:00'),
			intro:
				'Liebe Kolleginnen und Kollegen,\n\nder Frühling bringt viel Neues: Das erste Netzwerktreffen des Jahres steht an, das Land sucht Erfahrungen mit der Ehrenamtskarte, und der Bund hat eine neue Förderrunde angekündigt. Wir haben das Wichtigste für Sie kurz zusammengefasst.',
			sections: [
				{
					level: 'bund',
					items: [
						{
							title: 'Bundesprogramm für Engagement in ländlichen Räumen: neue Förderrunde',
							text: 'Ein Bundesprogramm zur Stärkung des Ehrenamts in ländlichen Räumen geht in eine neue Runde. Gefördert werden vor allem Vorhaben, die Engagierte vernetzen und beraten. **Kleinere Gemeinden** sind ausdrücklich angesprochen. Die Koordinierungsstelle hilft gern bei der Frage, ob sich ein Antrag lohnt.'
						}
					]
				},
				{
					level: 'land',
					items: [
						{
							title: 'Ehrenamtskarte NRW: Ihre Erfahrungen sind gefragt',
							text: 'Die Ehrenamtskarte NRW ist eines der Kriterien für die Mitgliedschaft im Netzwerk. Viele Mitglieder geben sie schon lange aus, andere fangen gerade an. Wir sammeln, was gut läuft und wo es hakt – etwa bei den Partnern vor Ort, die Vergünstigungen anbieten. Schreiben Sie uns bis Ende April ein paar Zeilen.'
						},
						{
							title: 'Gemeinsame Erklärung: erneuerter Text liegt vor',
							text: 'Der erneuerte Text der Gemeinsamen Erklärung „Zukunftsfaktor Bürgerengagement“ (Düsseldorf, Mai 2024) ist die Grundlage für alle neuen Beitritte. Sie finden ihn auf der Seite zur Mitgliedschaft.',
							link: '/mitmachen'
						}
					]
				},
				{
					level: 'kommune',
					items: [
						{
							title: 'So gelingt der Beitritt: das Beispiel Bielefeld',
							text: 'Bielefeld hat den Beitritt über eine Beschlussvorlage im Sozial- und Gesundheitsausschuss vorbereitet. Danach folgte die Beitrittserklärung an das Land und die Unterzeichnung in der nächsten Runde. Wer den Schritt plant, kann sich an dieser Vorlage orientieren.',
							ref: { kind: 'member', id: '05711000' }
						}
					]
				},
				{
					level: 'netzwerk',
					items: [
						{
							title: 'Netzwerktreffen am 22. April 2026 in Bielefeld',
							text: 'Das Frühjahrstreffen findet im Neuen Rathaus Bielefeld statt. Auf dem Programm: Neuigkeiten aus dem Netzwerk, ein Praxisbeispiel aus Bielefeld und kollegiale Beratung in Kleingruppen. Bitte melden Sie sich bis zwei Wochen vorher an; je Kommune sind zwei Plätze vorgesehen.',
							ref: eventRef(ev.spring)
						},
						{
							title: 'Entwicklungswerkstatt für kommunale Engagementstrategien: Interesse vormerken',
							text: 'Eine neue Runde der Entwicklungswerkstatt ist in Vorbereitung: ein Jahr lang, höchstens zehn Standorte, je ein festes Team aus zwei Personen der Verwaltung. Wenn Ihre Kommune Interesse hat, sagen Sie uns formlos Bescheid.'
						}
					]
				}
			]
		},
		{
			subject: 'Infomail Sommer 2026: Rückblick Bielefeld, Engagement junger Menschen, Entwicklungswerkstatt',
			sentAt: at('2026-07-01', '09:30'),
			intro:
				'Liebe Kolleginnen und Kollegen,\n\nvor der Sommerpause ein kurzer Überblick: was das Netzwerktreffen in Bielefeld ergeben hat, was sich beim Land tut und wie Sie sich für die Entwicklungswerkstatt bewerben können.',
			sections: [
				{
					level: 'bund',
					items: [
						{
							title: 'Bundesweiter Austausch zur Engagementförderung',
							text: 'Auf Bundesebene wird weiter über eine bessere Grundausstattung für Engagement vor Ort beraten. Für die Kommunen ist vor allem wichtig, dass Förderungen länger laufen und weniger Aufwand bei der Abrechnung machen. Wir berichten, sobald es Ergebnisse gibt.'
						}
					]
				},
				{
					level: 'land',
					items: [
						{
							title: 'Engagementkongress NRW 2027: erste Vorbereitungen',
							text: 'Das Land bereitet mit dem Netzwerk den nächsten Engagementkongress vor. Wie gewohnt soll es einen Impulsvortrag, ein Podium, ein Lernkarussell mit Beispielen aus den Mitgliedskommunen und parallele Workshops geben. **Wer ein Praxisbeispiel zeigen möchte, meldet sich bitte bis Ende September.**'
						}
					]
				},
				{
					level: 'kommune',
					items: [
						{
							title: 'Junges Engagement: was Kommunen ausprobieren',
							text: 'Mehrere Mitglieder haben berichtet, wie sie junge Menschen für kurze, projektbezogene Einsätze gewinnen – etwa über Schulen, Jugendringe und Sportvereine. Ein gemeinsamer Nenner: klare Ansprechpersonen und Aufgaben, die sich mit Schule oder Ausbildung vereinbaren lassen.'
						},
						{
							title: 'Arnsberg lädt zum Herbsttreffen ein',
							text: 'Die Partnerkommune Arnsberg richtet das Netzwerktreffen im Oktober aus. Thema wird unter anderem die Zusammenarbeit von Verwaltung und Freiwilligenagenturen sein.',
							ref: { kind: 'member', id: '05958004' }
						}
					]
				},
				{
					level: 'netzwerk',
					items: [
						{
							title: 'Rückblick: Netzwerktreffen in Bielefeld',
							text: 'Rund dreißig Kolleginnen und Kollegen waren dabei. Viele nahmen mit, dass sie mit ihren Fragen nicht allein sind: Wie verankere ich Engagementförderung als Querschnittsaufgabe, und wen beziehe ich früh ein? Die Dokumentation steht auf der Seite der Veranstaltung.',
							ref: eventRef(ev.spring)
						},
						{
							title: 'Entwicklungswerkstatt: Bewerbung bis 30. September',
							text: 'Die neue Runde der Entwicklungswerkstatt für kommunale Engagementstrategien beginnt mit einer Fachtagung. Danach wählen die Teams die Themen der Werkstätten selbst, dazu kommen ein Lernquellenpool und Beratung zwischen den Terminen. Eine kurze Bewerbung mit Ihrem Zwei-Personen-Team genügt.'
						}
					]
				}
			]
		},
		{
			subject: 'Infomail Herbst 2026: Engagementkongress 2027, Rückblick Arnsberg, offener Workshop',
			sentAt: at('2026-10-21', '09:00'),
			intro:
				'Liebe Kolleginnen und Kollegen,\n\nder Termin für den Engagementkongress NRW 2027 steht fest. Außerdem: was wir aus Arnsberg mitgenommen haben und ein offener Workshop im Januar.',
			sections: [
				{
					level: 'bund',
					items: [
						{
							title: 'Förderprogramme des Bundes: Übersicht aktualisiert',
							text: 'Wir haben unsere Übersicht über Förderprogramme des Bundes für Engagement und Ehrenamt auf den neuen Stand gebracht. Sie ist als Orientierung gedacht; verbindlich sind immer die Bedingungen des jeweiligen Programms.'
						}
					]
				},
				{
					level: 'land',
					items: [
						{
							title: 'Save the date: Engagementkongress NRW am 10. Mai 2027',
							text: 'Der nächste Engagementkongress findet am 10. Mai 2027 statt. Die Anmeldung öffnet rechtzeitig auf dieser Plattform; am Nachmittag wählen Sie einen von sechs Workshops.',
							ref: eventRef(ev.kongress)
						},
						{
							title: 'Ehrenamtskarte NRW: Ergebnisse unserer Umfrage',
							text: 'Danke für die vielen Antworten aus dem Frühjahr! Am häufigsten genannt: Die Karte wirkt als Zeichen der Anerkennung, der Aufwand für die Ausgabe ist aber spürbar. Mehrere Kommunen bieten an, ihre Abläufe im Netzwerk vorzustellen.'
						}
					]
				},
				{
					level: 'kommune',
					items: [
						{
							title: 'Neue Mitglieder im Netzwerk',
							text: 'In der letzten Unterzeichnungsrunde sind weitere Städte und Gemeinden dazugekommen. Auf der Karte der Mitglieder sehen Sie, wer in Ihrer Nähe mitmacht.',
							link: '/mitglieder'
						}
					]
				},
				{
					level: 'netzwerk',
					items: [
						{
							title: 'Rückblick: Netzwerktreffen in Arnsberg',
							text: 'Im Rathaus Neheim ging es um die Zusammenarbeit mit Freiwilligenagenturen und um Engagement im Sozialraum. Die Fotos der Pinnwände und die Hinweise aus der kollegialen Beratung finden Sie in der Dokumentation.',
							ref: eventRef(ev.autumn)
						},
						{
							title: 'Offener Workshop: Engagement im ländlichen Raum',
							text: 'Am 20. Januar 2027 laden wir zu einem offenen Workshop ein – für Mitglieder und alle, die vor Ort, in der Region oder landesweit Engagement fördern.',
							ref: eventRef(ev.workshop)
						}
					]
				}
			]
		},
		{
			subject: 'Infomail Winter 2026/27: Jahresrückblick und Termine für 2027',
			intro:
				'Liebe Kolleginnen und Kollegen,\n\nzum Jahresende blicken wir zurück und nach vorn. *(Entwurf – bitte noch ergänzen.)*',
			sections: [
				{
					level: 'bund',
					items: [{ title: 'Bundesprogramme 2027: was sich abzeichnet', text: 'Text folgt, sobald die Eckpunkte bekannt sind.' }]
				},
				{
					level: 'land',
					items: [
						{
							title: 'Kommunales Spitzentreffen 2027',
							text: 'Im Februar treffen sich Bürgermeisterinnen, Bürgermeister und Landräte zum jährlichen Spitzentreffen, auf dem auch die Gemeinsame Erklärung fortgeschrieben wird.'
						}
					]
				},
				{
					level: 'kommune',
					items: [{ title: 'Praxisbeispiele für das Lernkarussell gesucht', text: 'Für den Kongress im Mai suchen wir noch Stationen für das Lernkarussell.' }]
				},
				{
					level: 'netzwerk',
					items: [
						{ title: 'Termine 2027 auf einen Blick', text: 'Netzwerktreffen im März (Hagen) und im September (Witten), offener Workshop im Januar, Engagementkongress am 10. Mai.', link: '/veranstaltungen' },
						{ title: 'Engagementkongress NRW 2027: Anmeldung', text: 'Alle Informationen zum Programm und zur Anmeldung.', ref: eventRef(ev.kongress) }
					]
				}
			]
		}
	];
}

interface DemoPerson {
	email: string;
	name: string | null;
	audience: 'member_contacts' | 'subscribers';
	/** Received issues sent in [from, until). */
	from: Date;
	until: Date | null;
}

/** Loads the demo Infomails and subscribers once (does nothing when any Infomail exists). */
export async function loadInfomailDemo(tx: DbOrTx): Promise<void> {
	const [{ n }] = await tx.select({ n: sql<number>`count(*)::int` }).from(infomails);
	if (n > 0) return;
	const coordinator = await findUserByEmail(tx, 'koordination@kommunennetz.example');
	const actor: Actor = coordinator ? actorFor(coordinator) : { ...systemActor, role: 'coordinator' };
	const now = Date.now();

	// --- Subscribers with their consent records ------------------------------------------
	const people: DemoPerson[] = [];
	const confirmedSub = async (s: { email: string; name: string | null; confirmed: string }, i: number, extra: { withdrawn?: Date } = {}) => {
		const confirmedAt = at(s.confirmed, '18:42');
		const requestedAt = new Date(confirmedAt.getTime() - (7 + i * 13) * 60_000);
		const [row] = await tx
			.insert(infomailSubscribers)
			.values({
				email: s.email,
				name: s.name,
				status: extra.withdrawn ? 'unsubscribed' : 'confirmed',
				tokenHash: sha256(secret()),
				createdAt: requestedAt,
				updatedAt: extra.withdrawn ?? confirmedAt,
				confirmedAt,
				unsubscribedAt: extra.withdrawn ?? null
			})
			.returning({ id: infomailSubscribers.id });
		await tx.insert(infomailConsents).values({
			subscriberId: row.id,
			email: s.email,
			source: SOURCE,
			consentVersion: CURRENT_CONSENT_VERSION,
			requestedAt,
			requestIp: ip(i),
			requestUserAgent: UA,
			confirmedAt,
			confirmIp: ip(i),
			withdrawnAt: extra.withdrawn ?? null,
			withdrawMethod: extra.withdrawn ? 'one-click' : null
		});
		people.push({ email: s.email, name: s.name, audience: 'subscribers', from: confirmedAt, until: extra.withdrawn ?? null });
	};
	for (const [i, s] of SUBSCRIBERS.entries()) await confirmedSub(s, i);
	await confirmedSub(UNSUBSCRIBED, 20, { withdrawn: at(UNSUBSCRIBED.withdrawn, '07:55') });
	await confirmedSub(BOUNCED, 21);
	for (const [i, u] of UNCONFIRMED.entries()) {
		const requestedAt = new Date(now - u.daysAgo * DAY);
		const [row] = await tx
			.insert(infomailSubscribers)
			.values({ email: u.email, name: u.name, status: 'pending', tokenHash: sha256(secret()), createdAt: requestedAt, updatedAt: requestedAt })
			.returning({ id: infomailSubscribers.id });
		// The link's secret is thrown away: nobody can confirm a demo request.
		await tx.insert(infomailConsents).values({
			subscriberId: row.id,
			email: u.email,
			source: SOURCE,
			consentVersion: CURRENT_CONSENT_VERSION,
			requestedAt,
			requestIp: ip(30 + i),
			requestUserAgent: UA,
			confirmTokenHash: sha256(secret()),
			confirmExpiresAt: new Date(requestedAt.getTime() + 7 * DAY)
		});
	}

	// Member contacts (from the accounts demo) received every issue.
	const contacts = await tx.execute<{ email: string; name: string }>(sql`select lower(email) as email, name from users where role = 'member_contact' and status = 'active' order by id`);
	const members: DemoPerson[] = contacts.rows.map((c) => ({ email: c.email, name: c.name, audience: 'member_contacts', from: new Date(0), until: null }));

	// --- The issues ------------------------------------------------------------------------
	const ev = {
		spring: await eventId(tx, 'Netzwerktreffen in Bielefeld'),
		autumn: await eventId(tx, 'Netzwerktreffen in Arnsberg'),
		kongress: await eventId(tx, 'Engagementkongress NRW 2027: Engagement vor Ort – gemeinsam und vernetzt'),
		workshop: await eventId(tx, 'Offener Workshop: Engagement im ländlichen Raum')
	};
	const domain = mailDomain();
	let bounceReported = false;
	for (const [index, issue] of issues(ev).entries()) {
		const { sentAt, ...input } = issue;
		const id = await createInfomail(tx, actor, input);
		const created = sentAt ? new Date(sentAt.getTime() - 6 * DAY) : new Date(now - 2 * DAY);
		if (!sentAt) {
			await tx.update(infomails).set({ createdAt: created, updatedAt: new Date(now - DAY) }).where(eq(infomails.id, id));
			continue;
		}
		const seen = new Set<string>();
		const recipients = [...members, ...people].filter((p) => {
			if (seen.has(p.email) || p.from >= sentAt || (p.until && p.until <= sentAt)) return false;
			// A hard-bounced address is left out of every later issue.
			if (p.email === BOUNCED.email && bounceReported) return false;
			seen.add(p.email);
			return true;
		});
		recipients.sort((a, b) => a.email.localeCompare(b.email));
		// Spread over the run as the sender would have (about 30 mails per second).
		const rows = recipients.map((p, i) => {
			const retried = index === 2 && i === 3;
			return {
				infomailId: id,
				email: p.email,
				name: p.name,
				audience: p.audience,
				status: 'sent' as const,
				messageId: `<infomail.${id}.${hex()}@${domain}>`,
				unsubscribeToken: hex() + hex(),
				attempts: retried ? 2 : 1,
				nextAttemptAt: sentAt,
				lastError: retried ? '421 4.7.0 Try again later' : null,
				sentAt: new Date(sentAt.getTime() + 400 + i * 35 + (retried ? 30_000 : 0))
			};
		});
		if (rows.length) await tx.insert(infomailRecipients).values(rows);
		const finishedAt = new Date(Math.max(...rows.map((r) => r.sentAt.getTime()), sentAt.getTime()) + 200);
		await tx
			.update(infomails)
			.set({ status: 'sent', startedAt: sentAt, finishedAt, recipientCount: rows.length, createdAt: created, updatedAt: finishedAt })
			.where(eq(infomails.id, id));
		const bounced = rows.find((r) => r.email === BOUNCED.email);
		if (index === 1 && bounced) {
			// The relay accepted it; the receiving server refused it an hour later.
			await tx.insert(mailBounces).values({
				email: BOUNCED.email,
				kind: 'hard',
				reason: '550 5.1.1 <i.peters@alt-verwaltung-bergkamen.example>: Recipient address rejected: User unknown',
				messageId: bounced.messageId,
				infomailId: id,
				occurredAt: new Date(sentAt.getTime() + 3_600_000),
				recordedAt: new Date(sentAt.getTime() + 3_620_000)
			});
			bounceReported = true;
		}
	}
}
