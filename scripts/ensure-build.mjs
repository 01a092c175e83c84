// Builds with electron-vite when the output is missing or older than its inputs.
// Used by serve.mjs, start.mjs and the Playwright global setup; `node scripts/ensure-build.mjs` runs it alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Files every run of the app needs; the oldest of them decides whether the build is stale. */
const OUTPUTS = [
  'out/main/index.js',
  'out/main/headless.js',
  'out/preload/index.cjs',
  'out/renderer/index.html',
  'out/sdk/switchboard.js',
  'out/sdk/switchboard-react.js',
  'out/sdk/switchboard.d.ts',
  'out/display/index.html',
];
/** Inputs besides everything under src/. */
const INPUTS = [
  'package.json',
  'electron.vite.config.ts',
  'vite.sdk.config.ts',
  'vite.display.config.ts',
  'tsconfig.base.json',
];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Why a build is needed, or null when out/ is up to date. */
export function staleReason() {
  let oldestOutput = Infinity;
  for (const out of OUTPUTS) {
    const stat = statSync(join(root, out), { throwIfNoEntry: false });
    if (!stat) return `${out} is missing`;
    oldestOutput = Math.min(oldestOutput, stat.mtimeMs);
  }
  const newestInput = Math.max(
    newestMtime(join(root, 'src')),
    ...INPUTS.map((f) => newestMtime(join(root, f))),
  );
  return newestInput > oldestOutput ? 'sources changed since the last build' : null;
}

/** Runs `electron-vite build` if needed; exits the process with its status if the build fails. */
export function ensureBuilt({ quiet = false } = {}) {
  const reason = staleReason();
  if (!reason) return;
  if (!quiet) console.log(`building (${reason})…`);
  const cli = join(root, 'node_modules/electron-vite/bin/electron-vite.js');
  if (!existsSync(cli)) {
    console.error('electron-vite is not installed: run npm install first.');
    process.exit(1);
  }
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  let result = spawnSync(process.execPath, [cli, 'build'], { cwd: root, stdio });
  if (result.status === 0) {
    const vite = join(root, 'node_modules/vite/bin/vite.js');
    result = spawnSync(process.execPath, [vite, 'build', '-c', 'vite.sdk.config.ts'], { cwd: root, stdio });
    if (result.status === 0)
      result = spawnSync(process.execPath, [vite, 'build', '-c', 'vite.display.config.ts'], {
        cwd: root,
        stdio,
      });
  }
  if (result.status !== 0) {
    console.error('build failed');
    process.exit(result.status ?? 1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) ensureBuilt();
