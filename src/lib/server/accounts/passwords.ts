import { hash, verify } from '@node-rs/argon2';

/** argon2id with the OWASP-recommended minimum (19 MiB, 2 iterations). */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
	return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
	if (!stored) return false;
	try {
		return await verify(stored, password);
	} catch {
		return false;
	}
}

/** A hash of nothing, verified on unknown accounts so that timing does not reveal them. */
let dummy: Promise<string> | undefined;
export async function verifyDummy(password: string): Promise<void> {
	dummy ??= hashPassword('kommunennetz-dummy');
	await verifyPassword(await dummy, password);
}

/** German rule text shown next to password fields. */
export const PASSWORD_RULE = 'Mindestens 10 Zeichen.';
export function passwordProblem(password: string): string | undefined {
	if (password.length < 10) return 'Das Passwort muss mindestens 10 Zeichen lang sein.';
	if (password.length > 200) return 'Das Passwort darf höchstens 200 Zeichen lang sein.';
	return undefined;
}
