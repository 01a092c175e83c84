// `npm start`: build if needed, make sure the Electron binary and a better-sqlite3 built for it exist, then
// open the desktop app. Extra arguments (`npm start -- …`) go to Electron.
import { spawn } from 'node:child_process';
import { ensureBuilt, root } from './ensure-build.mjs';
import { ensureElectron, ensureNativeSqlite } from './electron-native.mjs';

const args = ['.', ...process.argv.slice(2)];
// Chromium refuses to run as root with its sandbox on. Turning the sandbox off is the caller's
// explicit choice (`npm start -- --no-sandbox`), never done behind their back.
if (process.getuid?.() === 0 && !args.includes('--no-sandbox')) {
  console.error(
    '\nElectron will not start as root with its sandbox on. Run npm start as a normal user, or, in a throwaway\n' +
      'container only, turn the sandbox off explicitly: npm start -- --no-sandbox\n',
  );
  process.exit(1);
}
if (args.includes('--no-sandbox'))
  console.warn("warning: --no-sandbox: the console runs without Chromium's sandbox");

ensureBuilt();

const electron = ensureElectron();
if (!electron) {
  console.error(
    '\nElectron could not be downloaded (no internet?). The server still runs headless: npm run serve\n',
  );
  process.exit(1);
}

const nativeBinding = ensureNativeSqlite(electron);
if (!nativeBinding) {
  console.error(
    '\nThe desktop app needs better-sqlite3 built for Electron. The server still runs headless: npm run serve\n',
  );
  process.exit(1);
}

const env = { ...process.env, SWITCHBOARD_NATIVE_BINDING: nativeBinding };
delete env.ELECTRON_RUN_AS_NODE;
const child = spawn(electron, args, { cwd: root, stdio: 'inherit', env });

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}
child.on('error', (err) => {
  console.error(`could not start Electron: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
