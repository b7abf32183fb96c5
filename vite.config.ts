import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
	plugins: [sveltekit()],
	build: { target: 'es2020' },
	// Browser tests build into .test-build/; the dev server must not reload for that.
	server: { watch: { ignored: ['**/.test-build/**', '**/test-results/**', '**/data/**'] } }
});
