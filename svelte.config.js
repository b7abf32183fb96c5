import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Browser tests build into their own folder so that they never race a running `npm start`.
		adapter: adapter({ out: process.env.KN_BUILD_DIR ?? 'build', precompress: true }),
		outDir: process.env.KN_SVELTEKIT_DIR ?? '.svelte-kit',
		// The strict CSP is set by SvelteKit so that its own inline bootstrap script gets a nonce.
		csp: {
			mode: 'auto',
			directives: {
				'default-src': ['self'],
				'script-src': ['self'],
				'style-src': ['self'],
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
