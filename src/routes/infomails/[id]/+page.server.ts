import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { getPublished } from '$lib/server/infomail';
import { contentHtml } from '$lib/server/infomail/content';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params }) => {
	const id = /^[1-9]\d{0,9}$/.test(params.id) ? Number(params.id) : 0;
	const mail = id ? await getPublished(db(), id) : undefined;
	if (!mail) error(404, 'Diese Infomail gibt es nicht im Archiv.');
	return { id: mail.id, subject: mail.subject, date: mail.startedAt ?? mail.finishedAt, body: contentHtml(mail) };
};
