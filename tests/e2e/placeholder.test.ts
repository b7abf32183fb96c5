import { expect, it } from 'vitest';
it('browser tests are set up', () => {
	expect(1).toBe(1);
});
