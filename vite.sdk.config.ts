import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The client SDK as one ES module, served by the server at `/sdk/switchboard.js` so kiosk
 * pages can `import { createClient } from 'http://HOST:PORT/sdk/switchboard.js'`.
 */
export default defineConfig({
  build: {
    lib: {
      entry: resolve(import.meta.dirname, 'src/shared/client/index.ts'),
      formats: ['es'],
      fileName: () => 'switchboard.js',
    },
    outDir: resolve(import.meta.dirname, 'out/sdk'),
    emptyOutDir: true,
    sourcemap: true,
    // note: readable output; it is small, and people read what they import.
    minify: false,
  },
});
