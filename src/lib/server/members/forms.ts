/** Reading the members domain's HTML forms (field names snake_case, like the API). */
import { CRITERIA, EHRENAMTSKARTE_OPTIONS, type Criterion } from './labels';
import type { UploadedFile } from './files';

export type FormValues = Record<string, string>;

export function text(form: FormData, name: string): string {
	const v = form.get(name);
	return typeof v === 'string' ? v.replace(/\u0000/g, '').trim() : '';
}

/** A chosen file, or undefined when the field is empty. */
export async function fileOf(form: FormData, name: string): Promise<UploadedFile | undefined> {
	const v = form.get(name);
	if (!v || typeof v === 'string' || v.size === 0) return undefined;
	return { fileName: v.name || 'datei', contentType: v.type || 'application/octet-stream', data: new Uint8Array(await v.arrayBuffer()) };
}

/** Criteria answered in a form (`contact_person=ja|nein`, `ehrenamtskarte=participates…`, `ehrenamtskarte_instrument`). */
export async function criteriaFromForm(form: FormData, withEvidence: boolean) {
	const values: FormValues = {};
	const criteria: Record<string, unknown> = {};
	for (const c of CRITERIA) {
		const v = text(form, c);
		values[c] = v;
		const evidenceText = withEvidence ? text(form, `${c}_evidence`) : '';
		if (withEvidence) values[`${c}_evidence`] = evidenceText;
		const evidenceFile = withEvidence ? await fileOf(form, `${c}_file`) : undefined;
		if (!v && !evidenceFile) continue;
		const evidence = withEvidence ? { evidenceText: evidenceText || null, ...(evidenceFile ? { evidenceFile } : {}) } : {};
		if (c === 'ehrenamtskarte') {
			const instrument = text(form, 'ehrenamtskarte_instrument');
			values.ehrenamtskarte_instrument = instrument;
			if ((EHRENAMTSKARTE_OPTIONS as readonly string[]).includes(v)) criteria[c] = { value: v, instrument: instrument || null, ...evidence };
		} else if (v === 'ja' || v === 'nein') criteria[c] = { met: v === 'ja', ...evidence };
	}
	return { values, criteria: criteria as Partial<Record<Criterion, never>> };
}

/** Domain field keys (`councilDecision.date`, `criteria.ehrenamtskarte.instrument`) → form field names. */
export function formErrorKeys(errors: Record<string, string[]>, map: Record<string, string> = {}): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const [k, v] of Object.entries(errors)) {
		const key =
			map[k] ??
			k
				.replace(/^(councilDecision|accessionDeclaration)\./, '')
				.replace(/^criteria\.(\w+)\.instrument$/, '$1_instrument')
				.replace(/^criteria\.(\w+)\.evidenceFile$/, '$1_file')
				.replace(/^criteria\.(\w+)\.evidenceText$/, '$1_evidence')
				.replace(/^criteria\.(\w+)(\..*)?$/, '$1')
				.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
		(out[key] ??= []).push(...v);
	}
	return out;
}
