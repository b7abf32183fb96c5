/** Helpers shared by the form field components (ids for hint and error, aria-describedby). */

export interface FieldIds {
	input: string;
	hint: string;
	error: string;
	describedBy: string | undefined;
}

export function fieldIds(name: string, id: string | undefined, hasHint: boolean, hasErrors: boolean): FieldIds {
	const input = id ?? name;
	const hint = `${input}-hinweis`;
	const error = `${input}-fehler`;
	const parts = [hasErrors ? error : null, hasHint ? hint : null].filter((p): p is string => !!p);
	return { input, hint, error, describedBy: parts.length ? parts.join(' ') : undefined };
}
