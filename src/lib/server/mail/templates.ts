/**
 * The one layout of all platform mails: German, accessible HTML (lang, real text, no images
 * needed) and an equivalent plain-text part. Domains build their mails from these parts.
 */
import { config } from '../config';

export interface RenderedMail {
	subject: string;
	text: string;
	html: string;
}

export interface MailContent {
	subject: string;
	/** "Guten Tag Frau Beispiel," — without a name: "Guten Tag,". */
	greetingName?: string | null;
	/** Plain paragraphs (no markup). */
	paragraphs: string[];
	/** A button-like link, shown in full in the text part. */
	action?: { label: string; url: string };
	/** Paragraphs after the action, e.g. "Der Link gilt 24 Stunden." */
	after?: string[];
}

export function escapeHtml(s: string): string {
	return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Absolute URL for a path on this platform. */
export function absoluteUrl(path: string): string {
	return `${config().origin}${path.startsWith('/') ? '' : '/'}${path}`;
}

const SIGNATURE = 'Ihre Koordinierungsstelle des Kommunen-Netzwerks: engagiert in NRW';

export function renderMail(c: MailContent): RenderedMail {
	const greeting = c.greetingName ? `Guten Tag ${c.greetingName},` : 'Guten Tag,';
	const after = c.after ?? [];
	const text = [
		greeting,
		'',
		...c.paragraphs.flatMap((p) => [p, '']),
		...(c.action ? [`${c.action.label}:`, c.action.url, ''] : []),
		...after.flatMap((p) => [p, '']),
		'Mit freundlichen Grüßen',
		SIGNATURE,
		'',
		'-- ',
		`Kommunennetz · ${config().origin}`
	].join('\n');
	const p = (s: string) => `<p style="margin:0 0 1em 0">${escapeHtml(s)}</p>`;
	const html = `<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(c.subject)}</title></head>
<body style="margin:0;padding:24px;background:#ffffff;color:#1a1a1a;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5">
<div role="article" aria-label="${escapeHtml(c.subject)}" style="max-width:640px;margin:0 auto">
${p(greeting)}
${c.paragraphs.map(p).join('\n')}
${
	c.action
		? `<p style="margin:1.5em 0"><a href="${escapeHtml(c.action.url)}" style="display:inline-block;padding:12px 20px;background:#004b76;color:#ffffff;text-decoration:underline;border-radius:4px">${escapeHtml(c.action.label)}</a></p>
<p style="margin:0 0 1em 0;font-size:14px">Falls der Knopf nicht funktioniert, öffnen Sie diese Adresse: <a href="${escapeHtml(c.action.url)}" style="color:#004b76">${escapeHtml(c.action.url)}</a></p>`
		: ''
}
${after.map(p).join('\n')}
${p('Mit freundlichen Grüßen')}
<p style="margin:0 0 1em 0">${escapeHtml(SIGNATURE)}</p>
<hr style="border:0;border-top:1px solid #cccccc;margin:2em 0 1em">
<p style="margin:0;font-size:14px;color:#4d4d4d">Kommunennetz · <a href="${escapeHtml(config().origin)}" style="color:#004b76">${escapeHtml(config().origin)}</a></p>
</div>
</body>
</html>`;
	return { subject: c.subject, text, html };
}
