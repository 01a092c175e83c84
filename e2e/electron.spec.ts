import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { root } from './headless-server';

/**
 * The Electron executable if it has been downloaded. Reads path.txt ourselves: requiring `electron` (or letting
 * Playwright do it) would start a download when the binary is missing.
 */
function electronBinary(): string | null {
  const dir = join(root, 'node_modules/electron');
  const pathFile = join(dir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(
    process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(dir, 'dist'),
    readFileSync(pathFile, 'utf8'),
  );
  return existsSync(binary) ? binary : null;
}

const binary = electronBinary();
const nativeBinding = join(root, '.electron-native/better-sqlite3/build/Release/better_sqlite3.node');
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;

/** Why this machine cannot run the desktop app, most fundamental reason first; undefined when it can. */
function skipReason(): string | undefined {
  if (!binary) {
    return 'Electron binary not installed on this machine (no network to download it); run npm start on a machine with internet';
  }
  if (!existsSync(nativeBinding)) return 'better-sqlite3 is not built for Electron yet; run npm start once';
  if (noDisplay) return 'no display for Electron windows; run under xvfb-run';
  return undefined;
}

const reason = skipReason();
test.skip(reason !== undefined, reason);

test('the desktop app opens the console with its embedded server up', async ({}, testInfo) => {
  let failed = true;
  const userData = await mkdtemp(join(tmpdir(), 'switchboard-electron-'));
  const args = [root, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])];
  const app = await electron.launch({
    executablePath: binary!,
    args,
    cwd: root,
    env: { ...process.env, SWITCHBOARD_USER_DATA_DIR: userData, SWITCHBOARD_NATIVE_BINDING: nativeBinding },
  });
  await app.context().tracing.start({ screenshots: true, snapshots: true });
  try {
    const window = await app.firstWindow();
    // The bridge's admin token signs the owner in at once; Settings shows the server.
    await expect(window.getByTestId('connection-status')).toHaveText('Live');
    await window.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(window.getByTestId('health-url')).toHaveText(/^http:\/\/127\.0\.0\.1:\d+$/);

    // The preload hands over the URL and a token, and nothing of Node or IPC.
    const exposed = await window.evaluate(() => ({
      keys: Object.keys((globalThis as { switchboard?: object }).switchboard ?? {}).sort(),
      hasRequire: 'require' in globalThis,
      hasProcess: 'process' in globalThis,
    }));
    expect(exposed).toEqual({ keys: ['adminToken', 'serverUrl'], hasRequire: false, hasProcess: false });
    failed = false;
  } finally {
    await app.context().tracing.stop(failed ? { path: testInfo.outputPath('trace.zip') } : undefined);
    await app.close();
    await rm(userData, { recursive: true, force: true });
  }
});
