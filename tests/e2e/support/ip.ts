import { randomInt } from 'node:crypto';

// Random per module load: test files that run one after another in the same worker process
// must not reuse each other's addresses.
const base = randomInt(0, 250 * 250);
let counter = 0;

/**
 * A client address of its own (sent as X-Forwarded-For, which the test server trusts), so
 * that login throttling per address in one test never affects another test.
 */
export function uniqueIp(): string {
	const n = base * 250 + counter++;
	return `10.${Math.floor(n / 62500) % 250}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
}
