/**
 * The compose form without JavaScript: every level has its entries plus one empty slot;
 * "Eintrag hinzufügen" saves and shows one more. Fields: `subject`, `intro`, `audiences`
 * (checkboxes), `<level>.count`, `<level>.<n>.title|text|link|ref_kind|ref_id|remove`.
 */
import type { InfomailInput } from '$lib/server/infomail';
import { INFOMAIL_LEVELS, type InfomailLevel, type InfomailSection } from '$lib/server/infomail/schema';

export interface ItemValues {
	title: string;
	text: string;
	link: string;
	ref_kind: string;
	ref_id: string;
}
export interface FormValues {
	subject: string;
	intro: string;
	audiences: string[];
	sections: Record<InfomailLevel, ItemValues[]>;
}

const empty = (): ItemValues => ({ title: '', text: '', link: '', ref_kind: '', ref_id: '' });

function str(form: FormData, name: string): string {
	const v = form.get(name);
	return typeof v === 'string' ? v : '';
}

/** Values as typed (for re-showing them) and, per kept entry, the field prefix it came from. */
export function parseForm(form: FormData): { values: FormValues; input: InfomailInput; origins: Record<string, string> } {
	const values: FormValues = {
		subject: str(form, 'subject'),
		intro: str(form, 'intro'),
		audiences: form.getAll('audiences').filter((v): v is string => typeof v === 'string'),
		sections: { bund: [], land: [], kommune: [], netzwerk: [] }
	};
	const origins: Record<string, string> = {};
	const sections: InfomailInput['sections'] = [];
	INFOMAIL_LEVELS.forEach((level, li) => {
		const count = Math.min(60, Math.max(0, Number(str(form, `${level}.count`)) || 0));
		const items: NonNullable<InfomailInput['sections']>[number]['items'] = [];
		for (let n = 0; n < count; n++) {
			const p = `${level}.${n}`;
			if (str(form, `${p}.remove`)) continue;
			const item = { title: str(form, `${p}.title`), text: str(form, `${p}.text`), link: str(form, `${p}.link`), ref_kind: str(form, `${p}.ref_kind`), ref_id: str(form, `${p}.ref_id`) };
			// An untouched slot is no entry.
			if (!item.title.trim() && !item.text.trim() && !item.link.trim() && !item.ref_id.trim()) continue;
			origins[`sections.${li}.items.${items.length}`] = `${level}.${values.sections[level].length}`;
			values.sections[level].push(item);
			items.push({
				title: item.title,
				text: item.text,
				link: item.link || null,
				ref: item.ref_kind && item.ref_id.trim() ? { kind: item.ref_kind, id: item.ref_id } : null
			});
		}
		sections.push({ level, items });
	});
	return { values, input: { subject: values.subject, intro: values.intro, audiences: values.audiences, sections }, origins };
}

/** Error keys of the command (`sections.1.items.0.ref.id`) as field names (`land.0.ref_id`). */
export function formErrorKeys(errors: Record<string, string[]>, origins: Record<string, string>): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const [k, v] of Object.entries(errors)) {
		const m = /^sections\.(\d+)\.items\.(\d+)\.(\w+)(?:\.(\w+))?$/.exec(k);
		let key = k;
		if (m) {
			const origin = origins[`sections.${m[1]}.items.${m[2]}`];
			const field = m[3] === 'ref' ? 'ref_id' : m[3];
			if (origin) key = `${origin}.${field}`;
		}
		(out[key] ??= []).push(...v);
	}
	return out;
}

export function valuesOf(mail: { subject: string; intro: string; audiences: string[]; sections: InfomailSection[] }): FormValues {
	const sections: FormValues['sections'] = { bund: [], land: [], kommune: [], netzwerk: [] };
	for (const s of mail.sections)
		sections[s.level] = s.items.map((i) => ({ title: i.title, text: i.text, link: i.link ?? '', ref_kind: i.ref?.kind ?? '', ref_id: i.ref?.id ?? '' }));
	return { subject: mail.subject, intro: mail.intro, audiences: mail.audiences, sections };
}

/** The slots to show: the entries plus `extra` empty ones per level. */
export function withSlots(v: FormValues, extra: Partial<Record<InfomailLevel, number>> = {}): FormValues {
	const sections = { ...v.sections };
	for (const level of INFOMAIL_LEVELS) sections[level] = [...v.sections[level], ...Array.from({ length: Math.max(1, extra[level] ?? 1) }, empty)];
	return { ...v, sections };
}

/** `2026-03-01T10:00` from <input type="datetime-local">, meant as German time. */
export function berlinTime(local: string): Date | undefined {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local.trim());
	if (!m) return undefined;
	const asUtc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
	// The offset of Berlin at that moment (CET/CEST), found by formatting the UTC guess there.
	const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(new Date(asUtc));
	const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
	const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
	return new Date(asUtc - (shown - asUtc));
}
