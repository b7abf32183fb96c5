/** Every background job kind of the platform and the domain function that runs it. */
import { database, db } from '../db';
import { mailJobHandlers } from '../mail';
import { eventJobHandlers } from '../events';
import { retentionJobHandlers } from '../retention';
import { infomailJobHandlers } from '../infomail/sending';
import type { JobHandler } from '.';

export function jobHandlers(): Record<string, JobHandler> {
	return {
		...mailJobHandlers(() => db()),
		...eventJobHandlers(() => db()),
		...retentionJobHandlers(() => db()),
		...infomailJobHandlers(() => database())
	};
}
