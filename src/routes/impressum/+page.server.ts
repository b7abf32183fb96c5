import { AREA_ATTRIBUTION } from '$lib/server/areas';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => ({ attribution: AREA_ATTRIBUTION });
