import { error, fail, redirect } from '@sveltejs/kit';
import { formFailure } from '$lib/server/accounts/forms';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { getOutboxMail, MAIL_STATUS_LABELS, requeueMail } from '$lib/server/mail';
import { idOf, requireCoordinatorPage } from '../../admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url, params }) => {
	requireCoordinatorPage(locals, url);
	const id = idOf(params.id);
	const mail = id ? await getOutboxMail(db(), id) : undefined;
	if (!mail) error(404, 'Diese Mail gibt es nicht im Postausgang.');
	return {
		mail: {
			id: mail.id,
			from: config().mailFrom,
			to: mail.toName ? `${mail.toName} <${mail.toAddress}>` : mail.toAddress,
			subject: mail.subject,
			template: mail.template,
			messageId: mail.messageId,
			headers: Object.entries(mail.headers ?? {}),
			status: mail.status,
			statusLabel: MAIL_STATUS_LABELS[mail.status],
			attempts: mail.attempts,
			lastError: mail.lastError,
			createdAt: mail.createdAt,
			sentAt: mail.sentAt,
			text: mail.text
		},
		smtpConfigured: Boolean(config().smtpUrl),
		requeued: url.searchParams.get('erneut') === '1'
	};
};

export const actions: Actions = {
	erneut: async ({ locals, url, params }) => {
		requireCoordinatorPage(locals, url);
		const id = idOf(params.id);
		if (!id) error(404, 'Diese Mail gibt es nicht im Postausgang.');
		try {
			await requeueMail(db(), locals.actor, { id });
		} catch (e) {
			const f = formFailure(e);
			if (!f) throw e;
			if (f.status === 404) error(404, 'Diese Mail gibt es nicht im Postausgang.');
			return fail(f.status, { errors: f.errors });
		}
		redirect(303, `/verwaltung/postausgang/${id}?erneut=1`);
	}
};
