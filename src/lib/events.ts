/**
 * Events: German labels and time helpers shared by pages and server code (no server imports,
 * so Svelte components may use them).
 */

export const EVENT_KINDS = ['network_meeting', 'workshop', 'congress', 'summit', 'conference', 'ews_workshop'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export const EVENT_KIND_LABELS: Record<EventKind, string> = {
	network_meeting: 'Netzwerktreffen',
	workshop: 'Workshop',
	congress: 'Engagementkongress',
	summit: 'Kommunales Spitzentreffen',
	conference: 'Fachtagung',
	ews_workshop: 'Entwicklungswerkstatt-Workshop'
};

export const EVENT_FORMATS = ['onsite', 'online', 'hybrid'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];
export const EVENT_FORMAT_LABELS: Record<EventFormat, string> = { onsite: 'vor Ort', online: 'online', hybrid: 'hybrid (vor Ort und online)' };

export const EVENT_AUDIENCES = ['members', 'members_partners', 'public'] as const;
export type EventAudience = (typeof EVENT_AUDIENCES)[number];
export const EVENT_AUDIENCE_LABELS: Record<EventAudience, string> = {
	members: 'nur Mitgliedskommunen',
	members_partners: 'Mitgliedskommunen und lokale Partner',
	public: 'öffentlich'
};

export const SESSION_KINDS = ['keynote', 'podium', 'plenary', 'workshop', 'carousel', 'break', 'other'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];
export const SESSION_KIND_LABELS: Record<SessionKind, string> = {
	keynote: 'Impulsvortrag',
	podium: 'Podiumsdiskussion',
	plenary: 'Plenum',
	workshop: 'Workshop (parallel, zur Wahl)',
	carousel: 'Lernkarussell',
	break: 'Pause',
	other: 'Sonstiges'
};

export const REGISTRATION_STATUSES = ['confirmed', 'waitlisted', 'cancelled'] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export const REGISTRATION_STATUS_LABELS: Record<RegistrationStatus, string> = {
	confirmed: 'bestätigt',
	waitlisted: 'Warteliste',
	cancelled: 'abgesagt'
};

/** Optional fields an event may ask for at registration (name and e-mail are always asked). */
export const REGISTRATION_FIELDS = ['organisation', 'area', 'position', 'accessibility', 'dietary', 'photo_consent', 'list_consent'] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];
export const REGISTRATION_FIELD_LABELS: Record<RegistrationField, string> = {
	organisation: 'Organisation',
	area: 'Mitgliedskommune',
	position: 'Funktion',
	accessibility: 'Bedarf an Barrierefreiheit',
	dietary: 'Verpflegungswünsche',
	photo_consent: 'Einwilligung in Fotos',
	list_consent: 'Einwilligung in die Teilnehmendenliste'
};

export const TIME_ZONE = 'Europe/Berlin';

const partsFmt = new Intl.DateTimeFormat('en-CA', {
	timeZone: TIME_ZONE,
	year: 'numeric',
	month: '2-digit',
	day: '2-digit',
	hour: '2-digit',
	minute: '2-digit',
	second: '2-digit',
	hourCycle: 'h23'
});

/** Wall-clock parts of an instant in Germany. */
export function berlinParts(d: Date): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
	const p = Object.fromEntries(partsFmt.formatToParts(d).map((x) => [x.type, x.value]));
	return { year: +p.year, month: +p.month, day: +p.day, hour: +p.hour, minute: +p.minute, second: +p.second };
}

/** `JJJJ-MM-TT` of an instant in Germany (for `<input type="date">`). */
export function berlinDate(d: Date): string {
	const p = berlinParts(d);
	return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** `HH:MM` of an instant in Germany (for `<input type="time">`). */
export function berlinTime(d: Date): string {
	const p = berlinParts(d);
	return `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
}

/**
 * The instant of a German wall-clock time (`2017-10-16`, `09:30`), or null when the text is no
 * valid date/time. In the autumn hour that exists twice the earlier instant is taken.
 */
export function fromBerlin(date: string, time: string): Date | null {
	const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim()) ?? /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(date.trim());
	const tm = /^(\d{1,2})[:.](\d{2})$/.exec(time.trim());
	if (!dm || !tm) return null;
	const [y, mo, d] = date.includes('-') ? [+dm[1], +dm[2], +dm[3]] : [+dm[3], +dm[2], +dm[1]];
	const [h, mi] = [+tm[1], +tm[2]];
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || y < 2000 || y > 2999) return null;
	const asUtc = Date.UTC(y, mo - 1, d, h, mi);
	if (new Date(asUtc).getUTCDate() !== d) return null;
	// Germany is UTC+1 or UTC+2; take the candidate whose German wall clock matches.
	for (const offset of [2, 1]) {
		const candidate = new Date(asUtc - offset * 3_600_000);
		const p = berlinParts(candidate);
		if (p.hour === h && p.minute === mi && p.day === d) return candidate;
	}
	// A time in the spring gap (02:30 on the last Sunday of March) does not exist; use +1 h.
	return new Date(asUtc - 3_600_000);
}
