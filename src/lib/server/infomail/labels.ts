/** German wording of the Infomail domain's audit actions and objects (merged in audit/index.ts). */
export const INFOMAIL_AUDIT_LABELS: Record<string, string> = {
	'infomail.created': 'Infomail angelegt',
	'infomail.updated': 'Infomail geändert',
	'infomail.deleted': 'Infomail-Entwurf gelöscht',
	'infomail.scheduled': 'Infomail-Versand geplant',
	'infomail.unscheduled': 'Planung zurückgenommen',
	'infomail.started': 'Infomail-Versand gestartet',
	'infomail.sent': 'Infomail versandt',
	'infomail.cancelled': 'Infomail-Versand abgebrochen',
	'infomail.test_sent': 'Infomail-Testmail gesendet',
	'infomail.uncertain_resent': 'Unsichere Zustellungen erneut gesendet',
	'infomail_subscription.requested': 'Infomail-Abonnement angefragt',
	'infomail_subscription.confirmed': 'Abonnement bestätigt',
	'infomail_subscription.unsubscribed': 'Infomail abbestellt',
	'infomail_subscriber.exported': 'Daten exportiert (DSGVO)',
	'infomail_subscriber.deleted': 'Daten gelöscht (DSGVO)',
	'infomail_subscribers.imported': 'Abonnenten importiert',
	'mail_bounce.recorded': 'Bounce gemeldet',
	'mail_bounce.cleared': 'Adresse freigegeben'
};
export const INFOMAIL_AUDIT_OBJECT_LABELS: Record<string, string> = {
	infomail: 'Infomail',
	infomail_subscriber: 'Infomail-Abonnement',
	mail_bounce: 'Bounce'
};
