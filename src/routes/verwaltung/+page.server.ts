import { countAuditToday } from '$lib/server/audit';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { outboxCounts } from '$lib/server/mail';
import { requireCoordinatorPage } from './admin';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	const [mails, auditToday] = await Promise.all([outboxCounts(db()), countAuditToday(db())]);
	return { mails, auditToday, smtpConfigured: Boolean(config().smtpUrl) };
};
