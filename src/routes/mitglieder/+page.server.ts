import { db } from '$lib/server/db';
import { directoryPage } from '$lib/server/members/directory';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ url, locals }) => {
	const page = await directoryPage(db(), url, locals.user ? locals.actor : null);
	return { ...page, network: locals.user?.role === 'coordinator' || locals.user?.role === 'member_contact', exportQuery: url.searchParams.toString() };
};

// The page works entirely with links and a GET form; without client-side rendering the large
// map is not sent a second time as hydration data.
export const csr = false;
