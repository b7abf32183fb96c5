/** The joint declaration's markdown as safe HTML for the pages. */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/**
 * Coordinators write the text, but it is shown to everyone: no raw HTML survives, links are
 * http(s) or mailto only, and headings start below the page's own h1 and h2.
 */
export function declarationHtml(md: string): string {
	const raw = marked.parse(md) as string;
	return sanitizeHtml(raw, {
		allowedTags: ['h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'br', 'hr'],
		allowedAttributes: { a: ['href'] },
		allowedSchemes: ['http', 'https', 'mailto'],
		transformTags: {
			h1: sanitizeHtml.simpleTransform('h3', {}),
			h2: sanitizeHtml.simpleTransform('h3', {}),
			h3: sanitizeHtml.simpleTransform('h4', {}),
			h4: sanitizeHtml.simpleTransform('h5', {})
		}
	});
}
