import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Browser tests build into their own folder so that they never race a running `npm start`.
		adapter: adapter({ out: process.env.KN_BUILD_DIR ?? 'build', precompress: true }),
		outDir: process.env.KN_SVELTEKIT_DIR ?? '.svelte-kit',
		// The origin check for form posts lives in src/hooks.server.ts: it must exempt the
		// RFC 8058 one-click unsubscribe, and SvelteKit's check can exempt origins only.
		csrf: { trustedOrigins: ['*'] },
		// The strict CSP is set by SvelteKit so that its own inline bootstrap script gets a nonce.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				// 'unsafe-hashes' with this one hash admits only the inline style of SvelteKit's own
				// route announcer (an aria-live region); every other inline style stays blocked.
				'style-src': ['self', 'unsafe-hashes', 'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='],
				'img-src': ['self', 'data:'],
				'font-src': ['self'],
				'connect-src': ['self'],
				'form-action': ['self'],
				'frame-ancestors': ['none'],
				'base-uri': ['self'],
				'object-src': ['none']
			}
		}
	}
};

export default config;
