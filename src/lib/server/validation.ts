/** Field validators that several domains share: what people type into forms and send to the API. */
import { z } from 'zod';

/**
 * `JJJJ-MM-TT` (from `<input type="date">`) or `TT.MM.JJJJ` as typed by hand → `JJJJ-MM-TT`.
 * The plausible years and the example in the message differ by domain (the audit log starts
 * with the platform, memberships go back to the network's founding).
 */
export function calendarDateSchema(options: {
	/** Earliest year accepted (the latest is always 2999). */
	minYear: number;
	/** Example date in the error message, `TT.MM.JJJJ`. */
	example: string;
	/** Message when the value is missing or not a string; zod's default when absent. */
	requiredMessage?: string;
}) {
	return z
		.string(options.requiredMessage === undefined ? undefined : { error: options.requiredMessage })
		.trim()
		.transform((v, ctx) => {
			const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) ?? /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(v);
			if (m) {
				const [y, mo, d] = v.includes('-') ? [m[1], m[2], m[3]] : [m[3], m[2], m[1]];
				const iso = `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
				const date = new Date(`${iso}T00:00:00Z`);
				if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) && Number(y) >= options.minYear && Number(y) <= 2999) return iso;
			}
			ctx.addIssue({ code: 'custom', message: `Bitte geben Sie ein gültiges Datum an, z. B. ${options.example}.` });
			return z.NEVER;
		});
}

/**
 * Optional free text: empty means "remove" (null), absent means "leave as is" (undefined).
 * @param requiredMessage message when the value is not a string; zod's default when absent
 */
export function optionalText(max: number, requiredMessage?: string) {
	return z
		.string(requiredMessage === undefined ? undefined : { error: requiredMessage })
		.trim()
		.max(max, `Bitte höchstens ${max} Zeichen.`)
		.nullish()
		.transform((v) => (v === undefined ? undefined : v || null));
}

/**
 * Optional web address (http or https only, so that no `javascript:` link reaches a page): empty
 * means "remove" (null), absent means "leave as is" (undefined).
 */
export function optionalWebAddress(messages: {
	/** When longer than 500 characters. */
	tooLong: string;
	/** When not an absolute http(s) address. */
	invalid: string;
}) {
	return z
		.string()
		.trim()
		.max(500, messages.tooLong)
		.refine((u) => {
			if (!u) return true;
			try {
				return ['http:', 'https:'].includes(new URL(u).protocol);
			} catch {
				return false;
			}
		}, messages.invalid)
		.nullish()
		.transform((v) => (v === undefined ? undefined : v || null));
}
