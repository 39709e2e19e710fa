import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The app is served by Wails from frontend/dist (embedded in the Go binary) or,
// in the dev build, from disk via -assetdir; nothing is loaded from the network.
export default defineConfig({
  plugins: [svelte()],
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  test: {
    environment: 'jsdom',
    // Inline handlers run, so the sanitiser tests can see one fire.
    environmentOptions: { jsdom: { runScripts: 'dangerously' } },
    include: ['src/**/*.test.ts'],
  },
});
