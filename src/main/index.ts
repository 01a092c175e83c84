/**
 * Electron entry: one window, a tray and a menu, single instance, and the same server `npm run serve` runs,
 * started in this process with its data in Electron's userData folder. The renderer reaches the server over
 * HTTP/WS; the preload only hands it the URL and an admin token (see src/shared/bridge.ts).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, shell } from 'electron';
import { createServer, type SwitchboardServer } from './server';
import { BRIDGE_CHANNEL, type SwitchboardBridge } from '../shared/bridge';
import { installMenu, installTray } from './desktop-menu';

/** note: the port the reference documents use; if it is taken we fall back to a free one. */
const PREFERRED_PORT = 8000;
/** note: access tokens live 1 h by default; refreshing at half-life keeps a reload of the window valid. */
const TOKEN_REFRESH_MS = 30 * 60 * 1000;

// Tests (and anyone running two copies side by side) can move userData; must happen before the lock.
if (process.env.SWITCHBOARD_USER_DATA_DIR) app.setPath('userData', process.env.SWITCHBOARD_USER_DATA_DIR);

let server: SwitchboardServer | undefined;
let mainWindow: BrowserWindow | undefined;
let bridge: SwitchboardBridge | undefined;
let quitting = false;

/** The better-sqlite3 addon rebuilt for Electron by scripts/start.mjs, if there is one. */
function nativeBindingPath(): string | undefined {
  const fromEnv = process.env.SWITCHBOARD_NATIVE_BINDING;
  if (fromEnv) return fromEnv;
  const built = join(app.getAppPath(), '.electron-native/better-sqlite3/build/Release/better_sqlite3.node');
  return existsSync(built) ? built : undefined;
}

/** createServer().start() rejects with "port N on HOST is already in use" (or a raw EADDRINUSE error). */
function isAddressInUse(err: unknown): boolean {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') return true;
  return /EADDRINUSE|already in use/.test(String(err));
}

async function startServer(): Promise<SwitchboardServer> {
  const base = {
    dataDir: join(app.getPath('userData'), 'data'),
    staticDir: join(import.meta.dirname, '../renderer'),
    nativeBinding: nativeBindingPath(),
    log: (line: string) => console.log(line),
  };
  const preferred = createServer({ ...base, port: PREFERRED_PORT });
  try {
    await preferred.start();
    return preferred;
  } catch (err) {
    if (!isAddressInUse(err)) throw err;
    console.log(`port ${PREFERRED_PORT} is in use; picking a free port`);
    const fallback = createServer({ ...base, port: 0 });
    await fallback.start();
    return fallback;
  }
}

function createWindow(serverUrl: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 420,
    title: 'Switchboard',
    show: false,
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    },
  });
  win.once('ready-to-show', () => win.show());

  // The console never opens windows or leaves its page: links go to the system browser.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  win.webContents.on('will-navigate', (event, url) => {
    if (url !== win.webContents.getURL()) event.preventDefault();
  });

  // The console comes from the embedded server itself (it serves the built renderer at `/`),
  // so its API calls are same-origin: from file:// every fetch would be cross-origin, and the
  // API sends no CORS headers.
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  if (!app.isPackaged && devUrl) void win.loadURL(devUrl);
  else void win.loadURL(serverUrl);
  return win;
}

function showWindow(): void {
  if (!bridge) return; // still booting: the window opens when the server is up
  if (!mainWindow || mainWindow.isDestroyed()) mainWindow = createWindow(bridge.serverUrl);
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function boot(): Promise<void> {
  server = await startServer();
  bridge = { serverUrl: server.url, adminToken: await server.issueAdminToken() };
  const refresh = setInterval(() => {
    server
      ?.issueAdminToken()
      .then((adminToken) => {
        if (bridge) bridge = { ...bridge, adminToken };
      })
      .catch((err: unknown) => console.error('could not refresh the admin token:', err));
  }, TOKEN_REFRESH_MS);
  refresh.unref();

  ipcMain.on(BRIDGE_CHANNEL, (event) => {
    // Only our own window gets the token.
    event.returnValue = (mainWindow && event.sender === mainWindow.webContents && bridge) || null;
  });

  const actions = {
    show: showWindow,
    openInBrowser: () => void shell.openExternal(server?.url ?? ''),
    serverUrl: () => server?.url ?? '',
    quit: () => app.quit(),
  };
  installMenu(actions);
  installTray(actions);
  mainWindow = createWindow(server.url);
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('activate', () => showWindow());
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('before-quit', (event) => {
    if (quitting || !server) return;
    // Stop the server (close sockets, flush SQLite) before the process exits.
    event.preventDefault();
    quitting = true;
    const running = server;
    server = undefined;
    running
      .stop()
      .catch((err: unknown) => console.error('server did not stop cleanly:', err))
      .finally(() => app.quit());
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(boot)
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      console.error('Switchboard could not start:', err);
      dialog.showErrorBox('Switchboard could not start', message);
      app.exit(1);
    });
}
