// The Electron binary and a better-sqlite3 addon built for it, kept apart from node_modules.
//
// node_modules/better-sqlite3/build is compiled for Node (npm test, npm run serve). Electron has its own ABI,
// so start.mjs builds a second copy into .electron-native/better-sqlite3 and the main process loads that one
// (ServerConfig.nativeBinding). Nothing here ever touches node_modules/better-sqlite3.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { root } from './ensure-build.mjs';

const require = createRequire(import.meta.url);
const electronDir = join(root, 'node_modules/electron');
const sqliteDir = join(root, 'node_modules/better-sqlite3');
const nativeDir = join(root, '.electron-native');
const nativeSqliteDir = join(nativeDir, 'better-sqlite3');
const stampFile = join(nativeDir, 'stamp.json');

/** The addon main passes to the server; start.mjs also hands it over in SWITCHBOARD_NATIVE_BINDING. */
export const nativeBindingPath = join(nativeSqliteDir, 'build/Release/better_sqlite3.node');

/** The installed Electron version (from its package.json; never resolves the binary). */
export function electronVersion() {
  return require(join(electronDir, 'package.json')).version;
}

/** The Electron executable if it has been downloaded, else null. Never triggers the download. */
export function electronBinary() {
  const pathFile = join(electronDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const relative = readFileSync(pathFile, 'utf8');
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(electronDir, 'dist');
  const binary = join(dist, relative);
  return existsSync(binary) ? binary : null;
}

/** Downloads Electron with its own installer if missing; returns the executable or null when it failed. */
export function ensureElectron() {
  const existing = electronBinary();
  if (existing) return existing;
  console.log(`downloading Electron ${electronVersion()}…`);
  const result = spawnSync(process.execPath, [join(electronDir, 'install.js')], {
    cwd: electronDir,
    stdio: 'inherit',
  });
  return result.status === 0 ? electronBinary() : null;
}

function stamp() {
  return {
    electron: electronVersion(),
    betterSqlite3: require(join(sqliteDir, 'package.json')).version,
    platform: process.platform,
    arch: process.arch,
  };
}

function isStampCurrent() {
  if (!existsSync(nativeBindingPath) || !existsSync(stampFile)) return false;
  try {
    return JSON.stringify(JSON.parse(readFileSync(stampFile, 'utf8'))) === JSON.stringify(stamp());
  } catch {
    return false;
  }
}

/** npm's bundled node-gyp (npm ships it for exactly this); null if npm cannot be found. */
function nodeGypScript() {
  const npmRoots = [
    process.env.npm_execpath && dirname(dirname(process.env.npm_execpath)),
    join(dirname(process.execPath), '../lib/node_modules/npm'),
    join(dirname(process.execPath), 'node_modules/npm'),
  ].filter(Boolean);
  for (const npmRoot of npmRoots) {
    const script = join(npmRoot, 'node_modules/node-gyp/bin/node-gyp.js');
    if (existsSync(script)) return script;
  }
  return null;
}

function run(args, label) {
  console.log(`${label}…`);
  // An npm config `nodedir` (npm exports it as npm_config_nodedir) would make node-gyp compile against
  // Node's headers instead of Electron's; the build must see Electron's only.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => k.toLowerCase() !== 'npm_config_nodedir'),
  );
  return spawnSync(process.execPath, args, { cwd: nativeSqliteDir, stdio: 'inherit', env }).status === 0;
}

/** True when `electron` can load the addon (run as plain Node, so no window opens). */
function loadsInElectron(electron) {
  const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const probe = `require(${JSON.stringify(nativeBindingPath)})`;
  return spawnSync(electron, ['-e', probe], { env, stdio: 'ignore' }).status === 0;
}

/**
 * Makes .electron-native/better-sqlite3 hold an addon for the installed Electron: a prebuilt binary if
 * better-sqlite3 publishes one, else a local compile with node-gyp. Skipped when the stamp says it is current.
 * Returns the addon path, or null (with the reason printed) when neither worked.
 */
export function ensureNativeSqlite(electron) {
  if (isStampCurrent()) return nativeBindingPath;
  const target = electronVersion();
  rmSync(nativeDir, { recursive: true, force: true });
  mkdirSync(nativeDir, { recursive: true });
  cpSync(sqliteDir, nativeSqliteDir, {
    recursive: true,
    filter: (src) => src !== join(sqliteDir, 'build') && src !== join(sqliteDir, 'node_modules'),
  });

  const electronArgs = [`--runtime=electron`, `--target=${target}`, `--arch=${process.arch}`];
  const prebuilt = run(
    [
      require.resolve('prebuild-install/bin.js', { paths: [sqliteDir] }),
      ...electronArgs,
      `--platform=${process.platform}`,
    ],
    `fetching a prebuilt better-sqlite3 for Electron ${target}`,
  );
  let built = prebuilt && existsSync(nativeBindingPath);
  if (!built) {
    const gyp = nodeGypScript();
    if (!gyp) {
      console.error(
        "No prebuilt better-sqlite3 for this Electron, and npm's node-gyp was not found to compile one.",
      );
      return null;
    }
    built = run(
      [gyp, 'rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers'],
      `compiling better-sqlite3 for Electron ${target}`,
    );
  }
  if (!built || !existsSync(nativeBindingPath) || !loadsInElectron(electron)) {
    console.error(`Could not build better-sqlite3 for Electron ${target} (see the output above).`);
    return null;
  }
  writeFileSync(stampFile, `${JSON.stringify(stamp(), null, 2)}\n`);
  return nativeBindingPath;
}
