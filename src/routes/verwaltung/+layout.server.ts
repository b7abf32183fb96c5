import { requireCoordinatorPage } from './admin';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, url }) => {
	requireCoordinatorPage(locals, url);
	return {};
};
