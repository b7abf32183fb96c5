/** Random secrets for cookies, links and API tokens; the database only ever sees their hash. */
import { createHash, randomBytes } from 'node:crypto';

export function newSecret(prefix = ''): string {
	return prefix + randomBytes(32).toString('base64url');
}

export function sha256(secret: string): string {
	return createHash('sha256').update(secret).digest('hex');
}
