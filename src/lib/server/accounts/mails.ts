/**
 * The account mails: password reset and invitation. German, short, with the link's validity
 * stated, so that nobody wonders why an old link no longer works.
 */
import { absoluteUrl, renderMail, type RenderedMail } from '../mail/templates';

const dateTime = new Intl.DateTimeFormat('de-DE', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Berlin' });

/** "12. März 2026 um 14:05 Uhr" in German local time. */
export function formatMailDateTime(d: Date): string {
	return `${dateTime.format(d)} Uhr`;
}

export interface PasswordResetMailInput {
	name: string;
	/** The secret token; only ever in the mail, never stored in clear. */
	token: string;
	/** Validity of the link in minutes. */
	minutes: number;
}

export function passwordResetMail(m: PasswordResetMailInput): RenderedMail {
	return renderMail({
		subject: 'Passwort zurücksetzen – Kommunen-Netzwerk NRW',
		greetingName: m.name,
		paragraphs: [
			'jemand – wahrscheinlich Sie – hat ein neues Passwort für Ihr Konto beim Kommunen-Netzwerk „engagiert in NRW“ angefordert.',
			'Über den folgenden Link können Sie ein neues Passwort festlegen.'
		],
		action: { label: 'Neues Passwort festlegen', url: absoluteUrl(`/passwort-neu/${m.token}`) },
		after: [
			`Der Link gilt ${m.minutes} Minuten und nur für eine Verwendung.`,
			'Wenn Sie kein neues Passwort angefordert haben, können Sie diese E-Mail einfach löschen. Ihr bisheriges Passwort bleibt dann gültig.'
		]
	});
}

export interface InvitationMailInput {
	name: string;
	token: string;
	/** Who invited, e.g. "Koordinierungsstelle (Demo)". */
	inviterName: string | null;
	/** German role label, e.g. "Kommunale Ansprechperson". */
	roleLabel: string;
	/** Name of the municipality the person acts for, if any. */
	areaName: string | null;
	expiresAt: Date;
	days: number;
}

export function invitationMail(m: InvitationMailInput): RenderedMail {
	const who = m.inviterName ? `${m.inviterName} hat Sie` : 'Die Koordinierungsstelle hat Sie';
	const role = m.areaName ? `${m.roleLabel} für ${m.areaName}` : m.roleLabel;
	return renderMail({
		subject: 'Einladung zum Kommunen-Netzwerk „engagiert in NRW“',
		greetingName: m.name,
		paragraphs: [
			`${who} zur Plattform des Kommunen-Netzwerks „engagiert in NRW“ eingeladen.`,
			`Ihre Rolle: ${role}.`,
			'Um Ihr Konto zu nutzen, legen Sie bitte über den folgenden Link ein Passwort fest. Danach sind Sie direkt angemeldet.'
		],
		action: { label: 'Einladung annehmen', url: absoluteUrl(`/einladung/${m.token}`) },
		after: [
			`Der Link gilt ${m.days} Tage, bis zum ${formatMailDateTime(m.expiresAt)}, und nur für eine Verwendung. Ist er abgelaufen, schickt Ihnen die Koordinierungsstelle gern eine neue Einladung.`,
			'Wenn Sie diese Einladung nicht erwartet haben, können Sie die E-Mail löschen.'
		]
	});
}
