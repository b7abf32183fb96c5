/** What the event pages show: safe HTML from markdown and the workshop choice grouped by time slot. */
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import type { EventDetail } from '.';

/**
 * Markdown from coordinators as HTML: headings shifted below the page's h1/h2, no scripts, no
 * inline styles (the CSP forbids them anyway), links only http(s) and mailto.
 */
export function markdownHtml(md: string | null | undefined, headingOffset = 1): string {
	if (!md) return '';
	const raw = marked.parse(md, { async: false, gfm: true, breaks: false }) as string;
	return sanitizeHtml(raw, {
		allowedTags: ['h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'code', 'pre', 'br', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
		allowedAttributes: { a: ['href'], th: ['scope'] },
		allowedSchemes: ['http', 'https', 'mailto'],
		transformTags: {
			h1: sanitizeHtml.simpleTransform(`h${Math.min(6, 1 + headingOffset + 1)}`, {}),
			h2: sanitizeHtml.simpleTransform(`h${Math.min(6, 2 + headingOffset)}`, {}),
			h3: sanitizeHtml.simpleTransform(`h${Math.min(6, 3 + headingOffset)}`, {}),
			h4: sanitizeHtml.simpleTransform(`h${Math.min(6, 4 + headingOffset)}`, {})
		}
	});
}

export interface WorkshopSlot {
	/** Form field name of the slot's radio group. */
	field: string;
	startsAt: Date;
	endsAt: Date;
	options: { id: number; title: string; room: string | null; speakers: string | null; capacity: number | null; confirmed: number; full: boolean }[];
}

/** Parallel workshops grouped into time slots (overlapping workshops share one slot). */
export function workshopSlots(e: Pick<EventDetail, 'sessions'>): WorkshopSlot[] {
	const ws = e.sessions.filter((s) => s.kind === 'workshop').sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime() || a.id - b.id);
	const slots: WorkshopSlot[] = [];
	for (const s of ws) {
		let slot = slots.find((x) => s.startsAt < x.endsAt && x.startsAt < s.endsAt);
		if (!slot) {
			slot = { field: `slot_${slots.length + 1}`, startsAt: s.startsAt, endsAt: s.endsAt, options: [] };
			slots.push(slot);
		}
		if (s.endsAt > slot.endsAt) slot.endsAt = s.endsAt;
		slot.options.push({ id: s.id, title: s.title, room: s.room, speakers: s.speakers, capacity: s.capacity, confirmed: s.confirmed, full: s.capacity != null && s.confirmed >= s.capacity });
	}
	return slots;
}
