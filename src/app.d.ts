// See https://svelte.dev/docs/kit/types#app.d.ts
import type { Actor } from '$lib/server/audit';
import type { SessionUser } from '$lib/server/accounts';

declare global {
	namespace App {
		interface Locals {
			/** The logged-in user (session cookie or API token), if any. */
			user: SessionUser | null;
			/** Who acts in this request, for commands and the audit log. */
			actor: Actor;
			/** Session id (hashed cookie token) when logged in through the browser. */
			sessionId: string | null;
		}
		interface Error {
			message: string;
		}
	}
}

export {};
