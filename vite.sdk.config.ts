import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { build, defineConfig, type Plugin } from 'vite';

const clientDir = resolve(import.meta.dirname, 'src/shared/client');
const outDir = resolve(import.meta.dirname, 'out/sdk');
const core = resolve(clientDir, 'index.ts');
const react = resolve(clientDir, 'react.ts');

/**
 * The React bindings as their own module, `switchboard-react.js`, importing `react` (a peer) and the
 * core SDK (`./switchboard.js`, the very file beside it) instead of carrying copies of either.
 */
async function buildReact(): Promise<void> {
  const external: Plugin = {
    name: 'switchboard-core-external',
    enforce: 'pre',
    resolveId(id, importer) {
      if (
        importer &&
        id.startsWith('.') &&
        resolve(dirname(importer), id).replace(/\.ts$/, '') === core.slice(0, -3)
      )
        return { id: './switchboard.js', external: true };
      return null;
    },
  };
  await build({
    configFile: false,
    logLevel: 'warn',
    plugins: [external],
    build: {
      lib: { entry: react, formats: ['es'], fileName: () => 'switchboard-react.js' },
      outDir,
      emptyOutDir: false,
      sourcemap: true,
      minify: false,
      rolldownOptions: { external: ['react', 'react-dom', 'react/jsx-runtime'] },
    },
  });
}

/**
 * Declaration files served beside the modules: `tsc --emitDeclarationOnly` of both entries into
 * `out/sdk/types/` (mirroring src/shared), plus `switchboard.d.ts` and `switchboard-react.d.ts` that
 * re-export them. Type errors are the typecheck's job; the declarations are emitted regardless.
 */
function emitDeclarations(): void {
  const program = ts.createProgram([core, react], {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
    types: [],
    strict: true,
    skipLibCheck: true,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: resolve(import.meta.dirname, 'src/shared'),
    declarationDir: resolve(outDir, 'types'),
  });
  const result = program.emit();
  if (result.emitSkipped) throw new Error('declaration emit failed');
  const banner = '// Types of the Switchboard SDK served beside it; see types/ for the modules.\n';
  writeFileSync(resolve(outDir, 'switchboard.d.ts'), `${banner}export * from './types/client/index';\n`);
  writeFileSync(
    resolve(outDir, 'switchboard-react.d.ts'),
    `${banner}export * from './types/client/react';\n`,
  );
}

/** After the core bundle: the React module and the declarations. */
const extras: Plugin = {
  name: 'switchboard-sdk-extras',
  apply: 'build',
  async closeBundle() {
    await buildReact();
    emitDeclarations();
  },
};

/**
 * The client SDK as one ES module, served by the server at `/sdk/switchboard.js` so kiosk
 * pages can `import { createClient } from 'http://HOST:PORT/sdk/switchboard.js'`; beside it
 * `switchboard-react.js` (React bindings, React external) and the `.d.ts` files.
 */
export default defineConfig({
  plugins: [extras],
  build: {
    lib: {
      entry: core,
      formats: ['es'],
      fileName: () => 'switchboard.js',
    },
    outDir,
    emptyOutDir: true,
    sourcemap: true,
    // note: readable output; it is small, and people read what they import.
    minify: false,
  },
});
