import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The display pages (kiosks) as their own small bundle, served by the server at `/display/…`
 * (any path under it gets this index.html; the page reads the collection and display id from it).
 * No framework: a kiosk on a low-end screen gets plain DOM updates and CSS transitions.
 */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src/display'),
  base: '/display/',
  build: {
    outDir: resolve(import.meta.dirname, 'out/display'),
    emptyOutDir: true,
    minify: true,
    // note: kiosks run whatever browser their TV or stick came with.
    target: 'es2020',
  },
});
