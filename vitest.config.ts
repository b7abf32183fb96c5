import { defineConfig } from 'vitest/config';

/**
 * Two projects: `server` (domain, API and CLI against a real PostgreSQL server: the embedded
 * one, or TEST_DATABASE_URL) and `browser` (the built app in Debian's Chromium).
 */
export default defineConfig({
	test: {
		projects: [
			{
				test: {
					name: 'server',
					include: ['src/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['src/lib/server/testing/global-setup.ts'],
					testTimeout: 30_000,
					hookTimeout: 120_000,
					pool: 'forks'
				}
			},
			{
				test: {
					name: 'browser',
					include: ['tests/e2e/**/*.test.ts'],
					environment: 'node',
					globalSetup: ['tests/e2e/global-setup.ts'],
					testTimeout: 60_000,
					hookTimeout: 240_000,
					pool: 'forks',
					fileParallelism: false
				}
			}
		]
	}
});
