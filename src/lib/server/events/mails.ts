/** The mails of the events domain, all built with the platform's one mail layout. */
import { formatDate, formatDateTime, formatTime } from '../../format';
import { EVENT_FORMAT_LABELS, EVENT_KIND_LABELS, type EventFormat, type EventKind } from '../../events';
import { absoluteUrl, renderMail, type RenderedMail } from '../mail/templates';

export interface MailEvent {
	id: number;
	kind: EventKind;
	title: string;
	startsAt: Date;
	endsAt: Date;
	format: EventFormat;
	venue: string | null;
	address: string | null;
	room: string | null;
	videoUrl: string | null;
	contactName: string | null;
	contactEmail: string | null;
}

export interface MailSession {
	title: string;
	startsAt: Date;
	status: 'confirmed' | 'waitlisted' | 'cancelled';
}

export function manageUrl(token: string): string {
	return absoluteUrl(`/veranstaltungen/anmeldung/${token}`);
}

/** "Freitag, 16.10.2017, 09:30 bis 16:30 Uhr" (or two dates when it lasts several days). */
export function when(e: { startsAt: Date; endsAt: Date }): string {
	const sameDay = formatDate(e.startsAt) === formatDate(e.endsAt);
	const weekday = new Intl.DateTimeFormat('de-DE', { weekday: 'long', timeZone: 'Europe/Berlin' }).format(e.startsAt);
	return sameDay
		? `${weekday}, ${formatDate(e.startsAt)}, ${formatTime(e.startsAt).replace(' Uhr', '')} bis ${formatTime(e.endsAt)}`
		: `${formatDateTime(e.startsAt)} bis ${formatDateTime(e.endsAt)}`;
}

export function where(e: Pick<MailEvent, 'format' | 'venue' | 'address' | 'room'>): string {
	const place = [e.venue, e.room, e.address].filter(Boolean).join(', ');
	if (e.format === 'online') return 'online (den Zugang erhalten angemeldete Teilnehmende)';
	return `${place || 'Ort folgt'}${e.format === 'hybrid' ? ' – oder online' : ''}`;
}

function facts(e: MailEvent, withVideo: boolean): string[] {
	const out = [`${EVENT_KIND_LABELS[e.kind]}: ${e.title}`, `Wann: ${when(e)}`, `Wo: ${where(e)} (${EVENT_FORMAT_LABELS[e.format]})`];
	if (withVideo && e.videoUrl && e.format !== 'onsite') out.push(`Zugang online: ${e.videoUrl}`);
	return out;
}

function sessionLines(sessions: MailSession[]): string[] {
	const active = sessions.filter((s) => s.status !== 'cancelled');
	if (!active.length) return [];
	return [
		'Ihre Wahl im Programm: ' +
			active.map((s) => `${formatTime(s.startsAt)} ${s.title} (${s.status === 'confirmed' ? 'Platz sicher' : 'Warteliste'})`).join('; ') +
			'.'
	];
}

function contact(e: MailEvent): string[] {
	return e.contactEmail ? [`Fragen beantwortet ${e.contactName ?? 'die Koordinierungsstelle'}: ${e.contactEmail}`] : [];
}

export function confirmationMail(e: MailEvent, name: string, sessions: MailSession[], token: string): RenderedMail {
	return renderMail({
		subject: `Anmeldung bestätigt: ${e.title}`,
		greetingName: name,
		paragraphs: [
			'vielen Dank für Ihre Anmeldung. Ihr Platz ist bestätigt.',
			...facts(e, true),
			...sessionLines(sessions),
			'Im Anhang finden Sie einen Kalendereintrag. Über den folgenden Link sehen Sie Ihren persönlichen Ablauf und können absagen, falls Sie verhindert sind – dann rückt jemand von der Warteliste nach.'
		],
		action: { label: 'Anmeldung ansehen oder absagen', url: manageUrl(token) },
		after: ['Bitte bewahren Sie diese Mail auf: Der Link ist Ihr Zugang zu Ihrer Anmeldung.', ...contact(e)]
	});
}

export function waitlistMail(e: MailEvent, name: string, position: number, reason: string, token: string): RenderedMail {
	return renderMail({
		subject: `Warteliste: ${e.title}`,
		greetingName: name,
		paragraphs: [
			`vielen Dank für Ihre Anmeldung. ${reason} Wir haben Sie deshalb auf die Warteliste gesetzt (Platz ${position}).`,
			...facts(e, false),
			'Sobald ein Platz frei wird, rücken Sie in der Reihenfolge der Anmeldungen automatisch nach und erhalten eine Mail.'
		],
		action: { label: 'Anmeldung ansehen oder zurückziehen', url: manageUrl(token) },
		after: contact(e)
	});
}

export function promotionMail(e: MailEvent, name: string, sessions: MailSession[], token: string): RenderedMail {
	return renderMail({
		subject: `Platz frei – Ihre Teilnahme ist bestätigt: ${e.title}`,
		greetingName: name,
		paragraphs: [
			'gute Nachricht: Ein Platz ist frei geworden und Sie sind von der Warteliste nachgerückt. Ihre Teilnahme ist jetzt bestätigt.',
			...facts(e, true),
			...sessionLines(sessions),
			'Im Anhang finden Sie einen Kalendereintrag. Falls Sie nicht mehr teilnehmen können, sagen Sie bitte über den Link ab.'
		],
		action: { label: 'Anmeldung ansehen oder absagen', url: manageUrl(token) },
		after: ['Dieser Link ersetzt den Link aus der Mail zur Warteliste.', ...contact(e)]
	});
}

export function sessionPromotionMail(e: MailEvent, name: string, sessionTitle: string): RenderedMail {
	return renderMail({
		subject: `Platz im Workshop frei: ${sessionTitle}`,
		greetingName: name,
		paragraphs: [
			`in „${sessionTitle}“ ist ein Platz frei geworden. Sie sind von der Warteliste nachgerückt und nehmen an diesem Programmpunkt teil.`,
			...facts(e, false)
		],
		after: contact(e)
	});
}

export function cancellationMail(e: MailEvent, name: string, byCoordinator: boolean): RenderedMail {
	return renderMail({
		subject: `Abmeldung bestätigt: ${e.title}`,
		greetingName: name,
		paragraphs: [
			byCoordinator
				? 'die Koordinierungsstelle hat Ihre Anmeldung zu dieser Veranstaltung storniert.'
				: 'Sie haben Ihre Anmeldung zu dieser Veranstaltung zurückgezogen. Ihr Platz geht an die nächste Person auf der Warteliste.',
			...facts(e, false),
			'Sie können sich jederzeit erneut anmelden, solange die Anmeldung offen ist.'
		],
		action: { label: 'Zur Veranstaltung', url: absoluteUrl(`/veranstaltungen/${e.id}`) },
		after: contact(e)
	});
}

export function reminderMail(e: MailEvent, name: string, sessions: MailSession[]): RenderedMail {
	return renderMail({
		subject: `Erinnerung: ${e.title} am ${formatDate(e.startsAt)}`,
		greetingName: name,
		paragraphs: [
			'wir freuen uns, Sie bald zu sehen. Hier noch einmal das Wichtigste:',
			...facts(e, true),
			...sessionLines(sessions),
			'Falls Sie verhindert sind, sagen Sie bitte über den Link in Ihrer Anmeldebestätigung ab, damit jemand von der Warteliste nachrücken kann.'
		],
		action: { label: 'Veranstaltung und Programm', url: absoluteUrl(`/veranstaltungen/${e.id}`) },
		after: contact(e)
	});
}

export function changeMail(e: MailEvent, name: string, changes: string[], confirmed: boolean): RenderedMail {
	return renderMail({
		subject: `Geändert: ${e.title}`,
		greetingName: name,
		paragraphs: [
			'bei einer Veranstaltung, zu der Sie angemeldet sind, hat sich etwas geändert:',
			...changes,
			'Der aktuelle Stand:',
			...facts(e, confirmed),
			confirmed ? 'Im Anhang finden Sie den aktualisierten Kalendereintrag.' : 'Sie stehen weiterhin auf der Warteliste.'
		],
		action: { label: 'Zur Veranstaltung', url: absoluteUrl(`/veranstaltungen/${e.id}`) },
		after: contact(e)
	});
}

export function eventCancelledMail(e: MailEvent, name: string, reason: string | null): RenderedMail {
	return renderMail({
		subject: `Abgesagt: ${e.title}`,
		greetingName: name,
		paragraphs: [
			'leider müssen wir die folgende Veranstaltung absagen:',
			...facts(e, false),
			...(reason ? [`Grund: ${reason}`] : []),
			'Ihre Anmeldung ist damit erledigt; Sie müssen nichts weiter tun. Bitte entfernen Sie den Termin aus Ihrem Kalender (eine aktualisierte Kalenderdatei liegt bei).'
		],
		after: contact(e)
	});
}

export function messageMail(e: MailEvent, name: string, subject: string, body: string): RenderedMail {
	return renderMail({
		subject: `${subject} – ${e.title}`,
		greetingName: name,
		paragraphs: [
			...body
				.split(/\r?\n\s*\r?\n/)
				.map((p) => p.trim())
				.filter(Boolean),
			`Diese Nachricht geht an alle Angemeldeten von „${e.title}“ (${formatDate(e.startsAt)}).`
		],
		action: { label: 'Zur Veranstaltung', url: absoluteUrl(`/veranstaltungen/${e.id}`) },
		after: contact(e)
	});
}
