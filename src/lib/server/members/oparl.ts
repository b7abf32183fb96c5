/**
 * Reading a council decision from a council information system through OParl (1.0/1.1): a
 * Paper (Drucksache) or an AgendaItem (Tagesordnungspunkt). Only what we need is kept:
 * reference, date, result, name and links to its files. Any failure becomes a German
 * explanation; the caller then stores nothing from the OParl object.
 */

export interface OparlFile {
	name: string;
	url: string;
}

export interface OparlDecision {
	/** `Paper` or `AgendaItem`. */
	type: 'Paper' | 'AgendaItem';
	/** The object's own id (its URL). */
	id: string;
	name: string | null;
	/** Paper: its reference (Drucksachen-Nr.); AgendaItem: its number on the agenda. */
	reference: string | null;
	/** `JJJJ-MM-TT`: the paper's date or the day the agenda item was discussed. */
	date: string | null;
	/** AgendaItem only: the result as the system words it, e.g. "ungeändert beschlossen". */
	result: string | null;
	/** AgendaItem only. */
	public: boolean | null;
	files: OparlFile[];
}

export type OparlOutcome = { ok: true; decision: OparlDecision } | { ok: false; error: string };

export const OPARL_TIMEOUT_MS = 8000;
const MAX_BYTES = 2_000_000;

function str(v: unknown): string | null {
	return typeof v === 'string' && v.trim() ? v.trim().slice(0, 500) : null;
}

/** `2018-09-04`, `2018-09-04T17:00:00+02:00` → `2018-09-04`. */
function day(v: unknown): string | null {
	const s = str(v);
	const m = s && /^(\d{4}-\d{2}-\d{2})/.exec(s);
	return m ? m[1] : null;
}

function fileOf(v: unknown): OparlFile | null {
	if (!v || typeof v !== 'object') return null;
	const f = v as Record<string, unknown>;
	const url = str(f.accessUrl) ?? str(f.downloadUrl);
	if (!url || !/^https?:\/\//i.test(url)) return null;
	return { name: str(f.name) ?? str(f.fileName) ?? 'Datei', url };
}

function typeOf(v: unknown): 'Paper' | 'AgendaItem' | null {
	const t = str(v);
	if (!t) return null;
	const m = /oparl\.org\/[\d.]+\/(Paper|AgendaItem)$/.exec(t) ?? /^(Paper|AgendaItem)$/.exec(t);
	return m ? (m[1] as 'Paper' | 'AgendaItem') : null;
}

/** Interprets an OParl JSON object; null when it is no Paper or AgendaItem. */
export function parseOparl(json: unknown): OparlDecision | null {
	if (!json || typeof json !== 'object' || Array.isArray(json)) return null;
	const o = json as Record<string, unknown>;
	const type = typeOf(o.type);
	if (!type) return null;
	const files: OparlFile[] = [];
	const add = (v: unknown) => {
		const f = fileOf(v);
		if (f && !files.some((x) => x.url === f.url)) files.push(f);
	};
	if (type === 'Paper') {
		add(o.mainFile);
		if (Array.isArray(o.auxiliaryFile)) o.auxiliaryFile.forEach(add);
		return { type, id: str(o.id) ?? '', name: str(o.name), reference: str(o.reference), date: day(o.date), result: null, public: null, files };
	}
	add(o.resolutionFile);
	if (Array.isArray(o.auxiliaryFile)) o.auxiliaryFile.forEach(add);
	return {
		type,
		id: str(o.id) ?? '',
		name: str(o.name),
		reference: str(o.number),
		date: day(o.start) ?? day(o.end),
		result: str(o.result),
		public: typeof o.public === 'boolean' ? o.public : null,
		files
	};
}

/** Fetches and interprets an OParl URL; never throws. */
export async function fetchOparl(url: string, timeoutMs = OPARL_TIMEOUT_MS): Promise<OparlOutcome> {
	let u: URL;
	try {
		u = new URL(url);
	} catch {
		return { ok: false, error: 'Die OParl-Adresse ist keine gültige Internetadresse.' };
	}
	if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, error: 'Die OParl-Adresse muss mit http:// oder https:// beginnen.' };
	let res: Response;
	try {
		res = await fetch(u, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
	} catch (e) {
		const name = (e as Error).name;
		if (name === 'TimeoutError' || name === 'AbortError')
			return { ok: false, error: `Das Ratsinformationssystem hat nicht innerhalb von ${Math.round(timeoutMs / 1000)} Sekunden geantwortet.` };
		return { ok: false, error: `Das Ratsinformationssystem war nicht erreichbar (${u.host}).` };
	}
	if (!res.ok) {
		await res.body?.cancel().catch(() => undefined);
		return { ok: false, error: `Das Ratsinformationssystem hat mit dem Fehler ${res.status} geantwortet${res.status === 404 ? ' – die Adresse gibt es dort nicht' : ''}.` };
	}
	let text: string;
	try {
		const buf = await res.arrayBuffer();
		if (buf.byteLength > MAX_BYTES) return { ok: false, error: 'Die Antwort des Ratsinformationssystems ist zu groß für ein OParl-Objekt.' };
		text = new TextDecoder().decode(buf);
	} catch {
		return { ok: false, error: 'Die Antwort des Ratsinformationssystems ließ sich nicht vollständig lesen.' };
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		return { ok: false, error: 'Unter der Adresse steht kein OParl-Objekt (die Antwort ist kein JSON). Bitte verwenden Sie die OParl-Adresse, nicht die Adresse der Webseite.' };
	}
	const decision = parseOparl(json);
	if (!decision) return { ok: false, error: 'Das Objekt unter der Adresse ist weder eine Drucksache (Paper) noch ein Tagesordnungspunkt (AgendaItem).' };
	return { ok: true, decision };
}

/** Maps an OParl result text to our three results where it is unambiguous. */
export function resultFromOparl(text: string | null): 'adopted' | 'rejected' | 'postponed' | null {
	if (!text) return null;
	const t = text.toLowerCase();
	if (/abgelehnt|nicht beschlossen/.test(t)) return 'rejected';
	if (/vertagt|zurückgestellt|abgesetzt/.test(t)) return 'postponed';
	if (/beschlossen|zugestimmt|angenommen/.test(t)) return 'adopted';
	return null;
}
