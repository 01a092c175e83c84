import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

/** note: where `electron-vite dev` forwards API calls when the console is opened in a plain browser. */
const devServer = process.env.SWITCHBOARD_DEV_SERVER ?? 'http://127.0.0.1:8000';

/**
 * Three builds from one config:
 * - main: the Electron entry (out/main/index.js) and the headless CLI (out/main/headless.js), ESM
 *   (package.json has "type": "module"); `dependencies` (better-sqlite3, ws, jose) stay external so the
 *   native addon is loaded from disk at run time.
 * - preload: CommonJS `.cjs`, because a sandboxed preload cannot be an ES module.
 * - renderer: React; `base: './'` so one build works from file:// in Electron and from `/` over HTTP.
 *
 * None of this needs the Electron binary: electron-vite reads only `electron/package.json` while building.
 */
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          headless: resolve(import.meta.dirname, 'src/main/headless.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // note: the preload imports nothing but `electron`; bundling keeps it loadable under `sandbox: true`.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    base: './',
    plugins: [react()],
    // In `electron-vite dev` opened in a plain browser, the console's own origin is Vite's: forward the API to a
    // server started with `npm run serve` (or SWITCHBOARD_DEV_SERVER).
    server: {
      proxy: {
        '/api': { target: devServer, ws: true },
        '/ws': { target: devServer, ws: true },
      },
    },
    build: {
      // note: electron-vite leaves output unminified; the console is also served over the LAN, so minify it.
      // SB_NOMINIFY=1 keeps names for a readable CPU profile of the console (docs/benchmarks.md).
      minify: !process.env.SB_NOMINIFY,
      rolldownOptions: {
        input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') },
      },
    },
  },
});
