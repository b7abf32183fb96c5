/**
 * What an Infomail consists of and how it looks: the validation of its content, markdown to
 * safe HTML, and the mail itself (accessible HTML and plain text). The mail is rendered once
 * per Infomail with placeholders; each recipient only costs a few string replacements, which
 * is what makes thousands of mails per second possible.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import { config } from '../config';
import { absoluteUrl, escapeHtml } from '../mail/templates';
import { INFOMAIL_LEVELS, type InfomailItem, type InfomailLevel, type InfomailSection } from './schema';

export const LEVEL_LABELS: Record<InfomailLevel, string> = {
	bund: 'Bund',
	land: 'Land Nordrhein-Westfalen',
	kommune: 'Kommunen',
	netzwerk: 'Aus dem Netzwerk'
};

/**
 * Objects of other domains an item may link to. A new kind is one entry here: its label and
 * the path of its page. The ids are checked for their form only, so an Infomail can mention an
 * event that another engineer's domain will publish later.
 */
export const ITEM_REF_KINDS: Record<string, { label: string; pattern: RegExp; hint: string; path: (id: string) => string }> = {
	event: { label: 'Veranstaltung', pattern: /^[1-9]\d{0,9}$/, hint: 'die Nummer der Veranstaltung', path: (id) => `/veranstaltungen/${id}` },
	member: { label: 'Mitglied', pattern: /^\d{3}(\d{2}(\d{3})?)?$/, hint: 'den AGS der Mitgliedskommune (3, 5 oder 8 Ziffern)', path: (id) => `/mitglieder/${id}` }
};

const httpUrl = z
	.string()
	.trim()
	.max(2000, 'Der Link darf höchstens 2000 Zeichen lang sein.')
	.refine((u) => {
		if (u.startsWith('/') && !u.startsWith('//')) return true;
		try {
			return ['http:', 'https:'].includes(new URL(u).protocol);
		} catch {
			return false;
		}
	}, 'Der Link muss mit https:// oder http:// beginnen (oder mit / für eine Seite dieser Plattform).');

export const itemSchema = z
	.object({
		/** Heading of the entry. */
		title: z.string({ error: 'Bitte geben Sie einen Titel an.' }).trim().min(1, 'Bitte geben Sie einen Titel an.').max(300, 'Der Titel darf höchstens 300 Zeichen lang sein.'),
		/** Markdown text. */
		text: z.string().max(20_000, 'Der Text darf höchstens 20.000 Zeichen lang sein.').default(''),
		/** Link for "Mehr erfahren". */
		link: z
			.union([httpUrl, z.literal(''), z.null()])
			.optional()
			.transform((v) => (v ? v : null)),
		/** Optional link to an event (id) or member (AGS). */
		ref: z
			.object({
				kind: z.enum(Object.keys(ITEM_REF_KINDS) as [string, ...string[]], { error: 'Verknüpft werden können eine Veranstaltung (event) oder ein Mitglied (member).' }),
				id: z.string().trim()
			})
			.nullish()
			.transform((v) => v ?? null)
	})
	.superRefine((v, ctx) => {
		if (v.ref && !ITEM_REF_KINDS[v.ref.kind].pattern.test(v.ref.id))
			ctx.addIssue({ code: 'custom', path: ['ref', 'id'], message: `Bitte geben Sie ${ITEM_REF_KINDS[v.ref.kind].hint} an.` });
	});

export const sectionSchema = z.object({
	level: z.enum(INFOMAIL_LEVELS, { error: 'Die Ebene muss bund, land, kommune oder netzwerk sein.' }),
	items: z.array(itemSchema).max(50, 'Höchstens 50 Einträge je Ebene.').default([])
});

/** Sections in the fixed order Bund, Land, Kommune, Netzwerk; one per level, empty ones dropped. */
export function normaliseSections(sections: { level: InfomailLevel; items: InfomailItem[] }[]): InfomailSection[] {
	const byLevel = new Map<InfomailLevel, InfomailItem[]>();
	for (const s of sections) byLevel.set(s.level, [...(byLevel.get(s.level) ?? []), ...s.items]);
	return INFOMAIL_LEVELS.filter((l) => byLevel.get(l)?.length).map((level) => ({ level, items: byLevel.get(level)! }));
}

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** Makes a link absolute (mails are read outside the site) and drops anything but http(s) and mailto. */
function absoluteHref(href: string): string | undefined {
	const h = href.trim();
	if (h.startsWith('/') && !h.startsWith('//')) return absoluteUrl(h);
	try {
		const u = new URL(h);
		return ['http:', 'https:', 'mailto:'].includes(u.protocol) ? u.toString() : undefined;
	} catch {
		return undefined;
	}
}

/** Markdown → HTML that is safe to show on our pages and in mails: no scripts, no styles, absolute links. */
export function markdownToHtml(md: string): string {
	const raw = marked.parse(md ?? '') as string;
	return sanitizeHtml(raw, {
		allowedTags: ['p', 'br', 'strong', 'b', 'em', 'i', 'a', 'ul', 'ol', 'li', 'blockquote', 'code', 'pre', 'h4', 'h5', 'hr', 'del', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
		allowedAttributes: { a: ['href'], th: ['scope'] },
		allowedSchemes: ['http', 'https', 'mailto'],
		transformTags: {
			a: (tagName, attribs) => {
				const href = attribs.href ? absoluteHref(attribs.href) : undefined;
				const out: Record<string, string> = {};
				if (href) out.href = href;
				return { tagName, attribs: out };
			},
			// Headings inside an entry sit below the entry's own h3.
			h1: 'h4',
			h2: 'h4',
			h3: 'h4',
			h6: 'h5'
		}
	}).trim();
}

/** HTML → readable plain text: paragraphs, list bullets, links as "Text (URL)". */
export function htmlToText(html: string): string {
	return html
		.replace(/<a [^>]*href="([^"]*)"[^>]*>(.*?)<\/a>/gis, (_m, href: string, label: string) => {
			const text = label.replace(/<[^>]+>/g, '');
			const url = decodeEntities(href);
			return decodeEntities(text) === url || `mailto:${decodeEntities(text)}` === url ? url : `${text} (${url})`;
		})
		.replace(/<li[^>]*>/gi, '\n- ')
		.replace(/<\/(p|ul|ol|blockquote|pre|h4|h5|table|tr)>/gi, '\n\n')
		.replace(/<br\s*\/?>/gi, '\n')
		.replace(/<hr\s*\/?>/gi, '\n----\n')
		.replace(/<[^>]+>/g, '')
		.replace(/&(amp|lt|gt|quot|#39);/g, (m) => decodeEntities(m))
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

function decodeEntities(s: string): string {
	return s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
}

export interface InfomailContent {
	id: number;
	subject: string;
	intro: string;
	sections: InfomailSection[];
}

/** Absolute URL of an item's link. */
export function itemLink(item: InfomailItem): string | null {
	return item.link ? (absoluteHref(item.link) ?? null) : null;
}
export function itemRefLink(item: InfomailItem): { label: string; url: string } | null {
	if (!item.ref) return null;
	const kind = ITEM_REF_KINDS[item.ref.kind];
	return kind ? { label: kind.label, url: absoluteUrl(kind.path(item.ref.id)) } : null;
}

/** The content as HTML for the archive page and the preview: headings from h2, no inline styles. */
export function contentHtml(c: Pick<InfomailContent, 'intro' | 'sections'>): { intro: string; sections: { level: InfomailLevel; label: string; items: { title: string; html: string; link: string | null; ref: { label: string; url: string } | null }[] }[] } {
	return {
		intro: markdownToHtml(c.intro),
		sections: c.sections.map((s) => ({
			level: s.level,
			label: LEVEL_LABELS[s.level],
			items: s.items.map((i) => ({ title: i.title, html: markdownToHtml(i.text), link: itemLink(i), ref: itemRefLink(i) }))
		}))
	};
}

/** Placeholders replaced per recipient; they cannot appear in escaped content (no `{` in HTML escapes, and text is ours). */
const P = { greeting: '\u0000GREETING\u0000', unsubscribe: '\u0000UNSUBSCRIBE\u0000', reason: '\u0000REASON\u0000' };

export interface InfomailTemplate {
	subject: string;
	html: string;
	text: string;
	/** Web version in the archive. */
	webUrl: string;
}

const A = 'color:#004b76;text-decoration:underline';

/** Renders an Infomail once; `personalise` fills in each recipient. */
export function renderInfomailTemplate(c: InfomailContent): InfomailTemplate {
	const origin = config().origin;
	const webUrl = absoluteUrl(`/infomails/${c.id}`);
	const body = contentHtml(c);
	const h2 = 'font-size:22px;line-height:1.3;margin:32px 0 12px;color:#1a1a1a;border-bottom:2px solid #004b76;padding-bottom:4px';
	const h3 = 'font-size:18px;line-height:1.3;margin:20px 0 8px;color:#1a1a1a';
	const contents = body.sections.length
		? `<nav aria-label="Inhalt"><p style="margin:0 0 4px 0;font-weight:bold">Inhalt</p><ul style="margin:0 0 16px 0;padding-left:20px">${body.sections
				.map((s) => `<li>${escapeHtml(s.label)} (${s.items.length} ${s.items.length === 1 ? 'Beitrag' : 'Beiträge'})</li>`)
				.join('')}</ul></nav>`
		: '';
	const sectionsHtml = body.sections
		.map(
			(s) =>
				`<h2 style="${h2}">${escapeHtml(s.label)}</h2>\n` +
				s.items
					.map(
						(i) =>
							`<h3 style="${h3}">${escapeHtml(i.title)}</h3>\n${styleContent(i.html)}\n` +
							(i.link ? `<p style="margin:0 0 12px 0"><a href="${escapeHtml(i.link)}" style="${A}">Mehr erfahren: ${escapeHtml(i.title)}</a></p>\n` : '') +
							(i.ref ? `<p style="margin:0 0 12px 0"><a href="${escapeHtml(i.ref.url)}" style="${A}">${escapeHtml(i.ref.label)} auf der Plattform ansehen</a></p>\n` : '')
					)
					.join('')
		)
		.join('\n');
	const html = `<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(c.subject)}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div role="article" aria-label="${escapeHtml(c.subject)}" lang="de" style="max-width:640px;margin:0 auto">
<p style="margin:0 0 16px 0;font-size:14px"><a href="${escapeHtml(webUrl)}" style="${A}">Diese Infomail im Browser lesen</a></p>
<h1 style="font-size:26px;line-height:1.25;margin:0 0 16px 0;color:#1a1a1a">${escapeHtml(c.subject)}</h1>
<p style="margin:0 0 16px 0">${P.greeting}</p>
${styleContent(body.intro)}
${contents}
${sectionsHtml}
<p style="margin:32px 0 16px 0">Mit freundlichen Grüßen<br>Ihre Koordinierungsstelle des Kommunen-Netzwerks: engagiert in NRW</p>
<hr style="border:0;border-top:1px solid #cccccc;margin:32px 0 16px">
<p style="margin:0 0 8px 0;font-size:14px;color:#4d4d4d">${P.reason}</p>
<p style="margin:0 0 8px 0;font-size:14px;color:#4d4d4d">Keine Infomails mehr erhalten: <a href="${P.unsubscribe}" style="${A}">Infomail abbestellen</a></p>
<p style="margin:0;font-size:14px;color:#4d4d4d">Kommunen-Netzwerk: engagiert in NRW · <a href="${escapeHtml(origin)}/infomails" style="${A}">Archiv aller Infomails</a> · <a href="${escapeHtml(origin)}/impressum" style="${A}">Impressum</a> · <a href="${escapeHtml(origin)}/datenschutz" style="${A}">Datenschutz</a></p>
</div>
</body>
</html>`;

	const textSections = body.sections
		.map(
			(s) =>
				`${s.label.toUpperCase()}\n${'='.repeat(s.label.length)}\n\n` +
				s.items
					.map((i) =>
						[`${i.title}\n${'-'.repeat(Math.min(i.title.length, 72))}`, htmlToText(i.html), i.link ? `Mehr erfahren: ${i.link}` : '', i.ref ? `${i.ref.label} auf der Plattform: ${i.ref.url}` : '']
							.filter(Boolean)
							.join('\n\n')
					)
					.join('\n\n')
		)
		.join('\n\n\n');
	const text = [
		`Im Browser lesen: ${webUrl}`,
		'',
		c.subject,
		'',
		P.greeting,
		'',
		htmlToText(body.intro),
		'',
		textSections,
		'',
		'Mit freundlichen Grüßen',
		'Ihre Koordinierungsstelle des Kommunen-Netzwerks: engagiert in NRW',
		'',
		'-- ',
		P.reason,
		`Keine Infomails mehr erhalten: ${P.unsubscribe}`,
		`Archiv: ${origin}/infomails · Impressum: ${origin}/impressum · Datenschutz: ${origin}/datenschutz`
	]
		.join('\n')
		.replace(/\n{4,}/g, '\n\n\n');
	return { subject: c.subject, html, text, webUrl };
}

/** Mail clients ignore <style> blocks often; the few tags of the markdown get inline styles. */
function styleContent(html: string): string {
	return html
		.replace(/<p>/g, '<p style="margin:0 0 12px 0">')
		.replace(/<a href=/g, `<a style="${A}" href=`)
		.replace(/<(ul|ol)>/g, '<$1 style="margin:0 0 12px 0;padding-left:24px">')
		.replace(/<blockquote>/g, '<blockquote style="margin:0 0 12px 0;padding-left:12px;border-left:4px solid #cccccc">');
}

/** Why the recipient gets the mail, by audience key; resolvers may add their own wording. */
export const REASONS: Record<string, string> = {
	member_contacts: 'Sie erhalten diese Infomail als kommunale Ansprechperson einer Mitgliedskommune des Kommunen-Netzwerks.',
	subscribers: 'Sie erhalten diese Infomail, weil Sie sie mit Bestätigung Ihrer E-Mail-Adresse abonniert haben.',
	test: 'Dies ist eine Testmail. Der Abmeldelink darin ist ohne Wirkung.'
};

export interface Personalisation {
	name: string | null;
	unsubscribeUrl: string;
	audience: string;
}

export function greeting(name: string | null): string {
	return name ? `Guten Tag ${name},` : 'Guten Tag,';
}

export function personalise(t: InfomailTemplate, p: Personalisation): { subject: string; html: string; text: string } {
	const reason = REASONS[p.audience] ?? 'Sie erhalten diese Infomail des Kommunen-Netzwerks: engagiert in NRW.';
	const g = greeting(p.name);
	return {
		subject: t.subject,
		// Replacer functions: a `$&` in a name must stay literal.
		html: t.html
			.replace(P.greeting, () => escapeHtml(g))
			.replace(P.reason, () => escapeHtml(reason))
			.replace(P.unsubscribe, () => escapeHtml(p.unsubscribeUrl)),
		text: t.text
			.replace(P.greeting, () => g)
			.replace(P.reason, () => reason)
			.replace(P.unsubscribe, () => p.unsubscribeUrl)
	};
}

/** Address of the one-click endpoint (RFC 8058) and of the web page for a recipient token. */
export function unsubscribeUrls(token: string): { page: string; oneClick: string } {
	return { page: absoluteUrl(`/infomail/abbestellen/${token}`), oneClick: absoluteUrl(`/infomail/abbestellen/${token}/one-click`) };
}

/** Headers of every Infomail besides From/To/Reply-To: one-click unsubscribe (RFC 8058), list id. */
export function infomailHeaders(token: string): Record<string, string> {
	const domain = mailDomain();
	return {
		'List-Unsubscribe': `<${unsubscribeUrls(token).oneClick}>`,
		'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
		'List-Id': `Infomail Kommunen-Netzwerk NRW <infomail.${domain}>`,
		Precedence: 'bulk',
		'Auto-Submitted': 'auto-generated'
	};
}

export function mailDomain(): string {
	return (config().mailFrom.match(/@([^>\s]+)/)?.[1] ?? 'localhost').toLowerCase();
}

/** Reply-To of Infomails: INFOMAIL_REPLY_TO, else the sender. */
export function replyTo(): string {
	return process.env.INFOMAIL_REPLY_TO?.trim() || config().mailFrom;
}
