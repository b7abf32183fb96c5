import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => ({
	user: locals.user ? { name: locals.user.name, role: locals.user.role, email: locals.user.email } : null,
	/** For marking the current navigation entry (aria-current) during server rendering. */
	pathname: url.pathname
});
