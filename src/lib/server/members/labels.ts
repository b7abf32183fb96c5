/** German wording of the members domain, shared by pages, mails, PDFs and exports. */

export const MEMBER_KINDS = ['kreisfreie_stadt', 'kreisangehoerige_gemeinde', 'kreis', 'bezirksregierung'] as const;
export type MemberKind = (typeof MEMBER_KINDS)[number];
export const MEMBER_KIND_LABELS: Record<MemberKind, { one: string; many: string }> = {
	kreisfreie_stadt: { one: 'Kreisfreie Stadt', many: 'Kreisfreie Städte' },
	kreisangehoerige_gemeinde: { one: 'Kreisangehörige Stadt oder Gemeinde', many: 'Kreisangehörige Städte und Gemeinden' },
	kreis: { one: 'Kreis oder Städteregion', many: 'Kreise und Städteregion' },
	bezirksregierung: { one: 'Bezirksregierung', many: 'Bezirksregierungen' }
};

export const MEMBER_STATUSES = ['interested', 'applying', 'member', 'left'] as const;
export type MemberStatus = (typeof MEMBER_STATUSES)[number];
export const MEMBER_STATUS_LABELS: Record<MemberStatus, string> = {
	interested: 'Interessiert',
	applying: 'Im Beitrittsverfahren',
	member: 'Mitglied',
	left: 'Ausgetreten'
};

export const CRITERIA = ['contact_person', 'cross_cutting_task', 'declaration_signing', 'ehrenamtskarte', 'collaboration'] as const;
export type Criterion = (typeof CRITERIA)[number];
/** Short name and the question a municipality answers in the self-check. */
export const CRITERION_LABELS: Record<Criterion, { short: string; question: string; explanation: string }> = {
	contact_person: {
		short: 'Kommunale Ansprechperson',
		question: 'Gibt es in Ihrer Verwaltung eine feste Ansprechperson für bürgerschaftliches Engagement?',
		explanation: 'Eine Person in der Verwaltung ist für die Engagementförderung zuständig und hält den Kontakt zum Netzwerk.'
	},
	cross_cutting_task: {
		short: 'Engagementförderung als Querschnittsaufgabe',
		question: 'Ist die Engagementförderung in Ihrer Verwaltung als Querschnittsaufgabe verankert?',
		explanation: 'Engagementförderung ist nicht Sache eines einzelnen Amtes, sondern wird über die Fachbereiche hinweg getragen.'
	},
	declaration_signing: {
		short: 'Bereitschaft zur Unterzeichnung der Gemeinsamen Erklärung',
		question: 'Ist Ihre Kommune bereit, die Gemeinsame Erklärung zu unterzeichnen?',
		explanation: 'Die Gemeinsame Erklärung von Land, kommunalen Spitzenverbänden und Mitgliedern ist die Grundlage der Zusammenarbeit.'
	},
	ehrenamtskarte: {
		short: 'Ehrenamtskarte NRW oder vergleichbare Anerkennung',
		question: 'Nimmt Ihre Kommune an der Ehrenamtskarte NRW teil?',
		explanation: 'Die Kommune nimmt an der Ehrenamtskarte NRW teil, plant ihre Einführung oder hat ein vergleichbares Instrument der Anerkennung.'
	},
	collaboration: {
		short: 'Verbindliche Mitarbeit im Netzwerk',
		question: 'Will Ihre Kommune dauerhaft im Netzwerk mitarbeiten und es weiterentwickeln?',
		explanation: 'Mitglieder teilen ihre Erfahrungen, etwa durch Amtshilfe für andere Kommunen oder Unterstützung bei Kongressen und Seminaren.'
	}
};

export const EHRENAMTSKARTE_OPTIONS = ['participates', 'planned', 'comparable', 'none'] as const;
export type EhrenamtskarteOption = (typeof EHRENAMTSKARTE_OPTIONS)[number];
export const EHRENAMTSKARTE_LABELS: Record<EhrenamtskarteOption, string> = {
	participates: 'Nimmt an der Ehrenamtskarte NRW teil',
	planned: 'Plant die Einführung der Ehrenamtskarte NRW',
	comparable: 'Hat ein vergleichbares Instrument der Anerkennung',
	none: 'Weder Ehrenamtskarte noch vergleichbares Instrument'
};

export const ACCESSION_STATES = ['opened', 'council_decided', 'declared', 'submitted', 'admitted', 'withdrawn'] as const;
export type AccessionState = (typeof ACCESSION_STATES)[number];
export const ACCESSION_STATE_LABELS: Record<AccessionState, string> = {
	opened: 'Eröffnet – Ratsbeschluss fehlt',
	council_decided: 'Ratsbeschluss liegt vor – Beitrittserklärung fehlt',
	declared: 'Beitritt erklärt – noch nicht eingereicht',
	submitted: 'Eingereicht – in Prüfung bei der Koordinierungsstelle',
	admitted: 'Aufgenommen',
	withdrawn: 'Zurückgezogen'
};

export const COUNCIL_RESULTS = ['adopted', 'rejected', 'postponed'] as const;
export type CouncilResult = (typeof COUNCIL_RESULTS)[number];
export const COUNCIL_RESULT_LABELS: Record<CouncilResult, string> = {
	adopted: 'Beschlossen (Beitritt zugestimmt)',
	rejected: 'Abgelehnt',
	postponed: 'Vertagt'
};

export const STRUCTURE_KINDS = ['stabsstelle', 'runder_tisch', 'freiwilligenagentur', 'ehrenamtskarte', 'engagementstrategie', 'sonstiges'] as const;
export type StructureKind = (typeof STRUCTURE_KINDS)[number];
export const STRUCTURE_LABELS: Record<StructureKind, string> = {
	stabsstelle: 'Stabsstelle Bürgerschaftliches Engagement',
	runder_tisch: 'Runder Tisch',
	freiwilligenagentur: 'Freiwilligenagentur',
	ehrenamtskarte: 'Ehrenamtskarte NRW',
	engagementstrategie: 'Engagementstrategie',
	sonstiges: 'Sonstige Struktur'
};

/** Profile fields whose visibility members choose. */
export const PROFILE_FIELDS = ['description', 'website', 'logo', 'structures', 'topics', 'contacts'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];
export const PROFILE_FIELD_LABELS: Record<ProfileField, string> = {
	description: 'Beschreibung',
	website: 'Internetseite',
	logo: 'Logo',
	structures: 'Engagementstrukturen',
	topics: 'Schwerpunktthemen',
	contacts: 'Ansprechpersonen'
};
export type Visibility = 'public' | 'members';
export const DEFAULT_VISIBILITY: Record<ProfileField, Visibility> = {
	description: 'public',
	website: 'public',
	logo: 'public',
	structures: 'public',
	topics: 'public',
	contacts: 'members'
};

export const SIGNATORY_ROLES = ['state', 'umbrella', 'member'] as const;
export type SignatoryRole = (typeof SIGNATORY_ROLES)[number];
export const SIGNATORY_ROLE_LABELS: Record<SignatoryRole, string> = {
	state: 'Land Nordrhein-Westfalen',
	umbrella: 'Kommunaler Spitzenverband',
	member: 'Mitglied'
};

/** Audit wording for the members domain (to be merged into AUDIT_ACTION_LABELS). */
export const MEMBER_AUDIT_LABELS: Record<string, string> = {
	'member.registered': 'Mitglied angelegt',
	'member.updated': 'Mitglied geändert',
	'member.status_changed': 'Mitgliedsstatus geändert',
	'member.contact_added': 'Ansprechperson hinzugefügt',
	'member.contact_removed': 'Ansprechperson entfernt',
	'member.contact_primary': 'Hauptansprechperson festgelegt',
	'member.profile_updated': 'Profil geändert',
	'member.criteria_recorded': 'Kriterien erfasst',
	'member.file_uploaded': 'Datei hochgeladen',
	'topic.created': 'Thema angelegt',
	'topic.updated': 'Thema geändert',
	'topic.deleted': 'Thema gelöscht',
	'accession.opened': 'Beitrittsverfahren eröffnet',
	'accession.council_decision_recorded': 'Ratsbeschluss erfasst',
	'accession.declaration_recorded': 'Beitrittserklärung erfasst',
	'accession.submitted': 'Beitrittsantrag eingereicht',
	'accession.returned': 'Beitrittsantrag zurückgegeben',
	'accession.admitted': 'In Unterzeichnungsrunde aufgenommen',
	'accession.withdrawn': 'Beitrittsantrag zurückgezogen',
	'accession.step_refused': 'Schritt im Beitrittsverfahren abgelehnt',
	'declaration_version.created': 'Fassung der Gemeinsamen Erklärung angelegt',
	'signing_round.created': 'Unterzeichnungsrunde angelegt',
	'signing_round.signatory_added': 'Unterzeichnende Person ergänzt'
};
export const MEMBER_AUDIT_OBJECT_LABELS: Record<string, string> = {
	member: 'Mitglied',
	accession: 'Beitrittsverfahren',
	topic: 'Thema',
	declaration_version: 'Fassung der Gemeinsamen Erklärung',
	signing_round: 'Unterzeichnungsrunde'
};
