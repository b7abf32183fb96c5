/** German wording of the events domain's audit actions and objects (merged in audit/index.ts). */
export const EVENT_AUDIT_LABELS: Record<string, string> = {
	'event.created': 'Veranstaltung angelegt',
	'event.updated': 'Veranstaltung geändert',
	'event.cancelled': 'Veranstaltung abgesagt',
	'event.message_sent': 'Mail an Teilnehmende gesendet',
	'event.documentation_saved': 'Dokumentation gespeichert',
	'event.feedback_opened': 'Rückmeldung geöffnet',
	'event.feedback_closed': 'Rückmeldung geschlossen',
	'event.feedback_submitted': 'Rückmeldung abgegeben',
	'event.quote_published': 'Zitat veröffentlicht',
	'event.quote_withdrawn': 'Zitat zurückgezogen',
	'event.file_added': 'Datei hochgeladen',
	'event.file_deleted': 'Datei gelöscht',
	'event_session.created': 'Programmpunkt angelegt',
	'event_session.updated': 'Programmpunkt geändert',
	'event_session.deleted': 'Programmpunkt entfernt',
	'carousel_station.created': 'Station angelegt',
	'carousel_round.created': 'Runde angelegt',
	'carousel.chosen': 'Stationen gewählt',
	'carousel.auto_assigned': 'Stationen zugeteilt',
	'registration.created': 'Zur Veranstaltung angemeldet',
	'registration.promoted': 'Von der Warteliste nachgerückt',
	'registration.cancelled': 'Anmeldung abgesagt',
	'registration.sessions_changed': 'Workshop-Wahl geändert',
	'registration.checked_in': 'Beim Einlass erfasst',
	'registration.check_in_undone': 'Einlass zurückgenommen'
};
export const EVENT_AUDIT_OBJECT_LABELS: Record<string, string> = {
	event: 'Veranstaltung',
	registration: 'Anmeldung zu einer Veranstaltung'
};
