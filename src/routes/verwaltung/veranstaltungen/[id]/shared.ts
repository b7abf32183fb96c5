import { error } from '@sveltejs/kit';
import { db } from '$lib/server/db';
import { getEvent } from '$lib/server/events';

export function eventIdOf(param: string): number {
	if (!/^[1-9]\d{0,9}$/.test(param) || Number(param) > 2_147_483_647) error(404, 'Diese Veranstaltung gibt es nicht.');
	return Number(param);
}

export async function loadEvent(param: string) {
	const e = await getEvent(db(), eventIdOf(param));
	if (!e) error(404, 'Diese Veranstaltung gibt es nicht.');
	return e;
}
