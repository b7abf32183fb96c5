/** Atom feed (RFC 4287) of the archive: the 20 newest sent Infomails with their full content. */
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { listPublished } from '$lib/server/infomail';
import { contentHtml } from '$lib/server/infomail/content';
import { escapeHtml } from '$lib/server/mail/templates';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const origin = config().origin;
	const { items } = await listPublished(db(), { limit: 20 });
	const updated = items.reduce((max, i) => Math.max(max, (i.finishedAt ?? i.updatedAt).getTime()), 0);
	const entries = items.map((i) => {
		const body = contentHtml(i);
		const html =
			body.intro +
			body.sections
				.map(
					(s) =>
						`<h2>${escapeHtml(s.label)}</h2>` +
						s.items
							.map((it) => `<h3>${escapeHtml(it.title)}</h3>${it.html}${it.link ? `<p><a href="${escapeHtml(it.link)}">Mehr erfahren</a></p>` : ''}${it.ref ? `<p><a href="${escapeHtml(it.ref.url)}">${escapeHtml(it.ref.label)}</a></p>` : ''}`)
							.join('')
				)
				.join('');
		const date = (i.startedAt ?? i.finishedAt ?? i.updatedAt).toISOString();
		return `  <entry>
    <title>${escapeHtml(i.subject)}</title>
    <link rel="alternate" type="text/html" href="${origin}/infomails/${i.id}"/>
    <id>${origin}/infomails/${i.id}</id>
    <published>${date}</published>
    <updated>${(i.finishedAt ?? i.updatedAt).toISOString()}</updated>
    <content type="html">${escapeHtml(html)}</content>
  </entry>`;
	});
	const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de">
  <title>Infomails des Kommunen-Netzwerks „engagiert in NRW“</title>
  <link rel="self" type="application/atom+xml" href="${origin}/infomails/feed.xml"/>
  <link rel="alternate" type="text/html" href="${origin}/infomails"/>
  <id>${origin}/infomails</id>
  <updated>${new Date(updated || Date.now()).toISOString()}</updated>
  <author><name>Koordinierungsstelle des Kommunen-Netzwerks</name></author>
${entries.join('\n')}
</feed>
`;
	return new Response(xml, { headers: { 'content-type': 'application/atom+xml; charset=utf-8', 'cache-control': 'public, max-age=300' } });
};
