import type { Cookies } from '@sveltejs/kit';
import { config } from '../config';

export const SESSION_COOKIE = 'kn_session';

/** HttpOnly, SameSite=Lax; Secure when the public origin is https. */
export function setSessionCookie(cookies: Cookies, token: string, expires: Date): void {
	cookies.set(SESSION_COOKIE, token, {
		path: '/',
		httpOnly: true,
		sameSite: 'lax',
		secure: config().origin.startsWith('https://'),
		expires
	});
}

export function clearSessionCookie(cookies: Cookies): void {
	cookies.delete(SESSION_COOKIE, { path: '/', secure: config().origin.startsWith('https://') });
}
