/**
 * Helpers for the account pages' form actions: turning domain failures into the
 * `{values, errors}` of `fail()`, and the safe return address after login.
 */
import { ZodError } from 'zod';
import { DomainError, fieldErrorsOf } from '../errors';
import { passwordProblem } from './passwords';

/** Field errors keyed like the form fields (`area_ags`), '' for messages about the whole form. */
export type FormErrors = Record<string, string[]>;

/** `areaAgs` → `area_ags`: domain inputs are camelCase, form fields and the API snake_case. */
export function snakeCase(key: string): string {
	return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

export function snakeKeys(errors: Record<string, string[]>): FormErrors {
	return Object.fromEntries(Object.entries(errors).map(([k, v]) => [snakeCase(k), v]));
}

export interface FormFailure {
	status: number;
	errors: FormErrors;
}

/**
 * The expected failure behind an error thrown by a command, or undefined for anything else
 * (which the caller rethrows: a bug stays a bug). The general message goes under ''.
 */
export function formFailure(e: unknown): FormFailure | undefined {
	if (e instanceof DomainError) {
		const errors = snakeKeys(e.fieldErrors);
		const fieldMessages = Object.values(errors).flat();
		// "Bitte prüfen Sie die markierten Angaben." adds nothing when the fields say what is wrong.
		const general = e.kind !== 'validation' || fieldMessages.length === 0;
		if (general && !fieldMessages.includes(e.message)) errors[''] = [e.message, ...(errors[''] ?? [])];
		return { status: e.status, errors };
	}
	if (e instanceof ZodError) return { status: 400, errors: snakeKeys(fieldErrorsOf(e)) };
	return undefined;
}

/** The text of a form field, '' when absent or a file. */
export function text(form: FormData, name: string): string {
	const v = form.get(name);
	return typeof v === 'string' ? v : '';
}

/**
 * Where to go after login: only a path on this site (one leading slash, no `//` or `/\`,
 * which browsers treat as another host), else the fallback.
 */
export function safeTarget(ziel: string | null | undefined, fallback = '/konto'): string {
	if (!ziel || ziel.length > 1000) return fallback;
	if (!ziel.startsWith('/') || ziel.startsWith('//') || ziel.startsWith('/\\')) return fallback;
	// Control characters and backslashes can be reinterpreted by browsers.
	if (/[\u0000-\u001f\u007f\\]/.test(ziel)) return fallback;
	try {
		const url = new URL(ziel, 'http://kommunennetz.invalid');
		if (url.host !== 'kommunennetz.invalid') return fallback;
		return url.pathname + url.search + url.hash;
	} catch {
		return fallback;
	}
}

/** Checks a new password and its repetition (fields `password`, `password_confirm`). */
export function checkNewPassword(password: string, confirm: string): FormErrors {
	const errors: FormErrors = {};
	const problem = password ? passwordProblem(password) : 'Bitte geben Sie ein neues Passwort an.';
	if (problem) errors.password = [problem];
	if (!confirm) errors.password_confirm = ['Bitte wiederholen Sie das neue Passwort.'];
	else if (password && confirm !== password) errors.password_confirm = ['Die beiden Passwörter stimmen nicht überein.'];
	return errors;
}
