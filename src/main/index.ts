/**
 * Electron entry: one window, a tray and a menu, single instance, and the same server `npm run serve` runs,
 * started in this process with its data in Electron's userData folder. The renderer reaches the server over
 * HTTP/WS; the preload only hands it the URL and an admin token (see src/shared/bridge.ts).
 */
/// <reference types="electron-vite/node" />
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session, shell } from 'electron';
import { createServer, type SwitchboardServer } from './server';
import { BRIDGE_CHANNEL, BRIDGE_REFRESH_CHANNEL, type SwitchboardBridge } from '../shared/bridge';
import { installMenu, installTray } from './desktop-menu';
import {
  bridgeAllowed,
  devRendererUrl,
  EXTERNAL_ALLOWLIST,
  externalAllowed,
  httpOrigin,
  navigationAllowed,
} from './desktop-guard';

/** note: the port the reference documents use; if it is taken we fall back to a free one. */
const PREFERRED_PORT = 8000;
/** note: access tokens live 1 h by default; refreshing at half-life keeps a reload of the window valid. */
const TOKEN_REFRESH_MS = 30 * 60 * 1000;

// Tests (and anyone running two copies side by side) can move userData; must happen before the lock.
if (process.env.SWITCHBOARD_USER_DATA_DIR) app.setPath('userData', process.env.SWITCHBOARD_USER_DATA_DIR);

let server: SwitchboardServer | undefined;
let mainWindow: BrowserWindow | undefined;
let bridge: Omit<SwitchboardBridge, 'refreshAdminToken'> | undefined;
/** The origin the window shows (the embedded server's, or Vite's in a dev build): the only one trusted. */
let appOrigin = '';
let quitting = false;

// Every renderer sandboxed, whatever a window's webPreferences say.
app.enableSandbox();

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
    // A dev build's window comes from Vite's server: its origin may write and open sockets.
    allowedOrigins: [
      httpOrigin(devRendererUrl(process.env, { dev: import.meta.env.DEV, packaged: app.isPackaged }) ?? ''),
    ].filter((o): o is string => !!o),
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
      webviewTag: false,
      // A middle click would open a new window; none is allowed (see setWindowOpenHandler).
      disableBlinkFeatures: 'Auxclick',
    },
  });
  win.once('ready-to-show', () => win.show());

  // The console comes from the embedded server itself (it serves the built renderer at `/`),
  // so its API calls are same-origin: from file:// every fetch would be cross-origin, and the
  // API sends no CORS headers. Vite's dev server only in a dev build (see devRendererUrl).
  const url =
    devRendererUrl(process.env, { dev: import.meta.env.DEV, packaged: app.isPackaged }) ?? serverUrl;
  appOrigin = httpOrigin(url) ?? '';
  void win.loadURL(url);
  return win;
}

/** Opens `url` in the system browser if it is the app's own server or allowlisted (http/https only). */
function openExternally(url: string): void {
  const own = bridge?.serverUrl ?? appOrigin;
  if (externalAllowed(url, own, [appOrigin, ...EXTERNAL_ALLOWLIST].filter(Boolean)))
    void shell.openExternal(url);
  else console.warn(`refused to open ${JSON.stringify(url.slice(0, 200))} outside the app`);
}

/**
 * Locks down every webContents (the window, and any other a page could create): no new windows
 * (allowed links go to the system browser), no navigation or redirect away from the app's
 * origin, no <webview>.
 */
function guardContents(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      openExternally(url);
      return { action: 'deny' };
    });
    const stayHome = (event: Electron.Event, url: string) => {
      if (!navigationAllowed(url, appOrigin)) {
        event.preventDefault();
        console.warn(`blocked navigation to ${JSON.stringify(url.slice(0, 200))}`);
      }
    };
    contents.on('will-navigate', stayHome);
    contents.on('will-redirect', stayHome);
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

/** The console needs no browser permission (camera, notifications, clipboard read, …): all are denied. */
function denyPermissions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
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

  // Only the top frame of our own window, on the app's own origin, gets a token.
  const senderAllowed = (event: Electron.IpcMainEvent | Electron.IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    const allowed = bridgeAllowed(
      {
        ownWindow: !!mainWindow && event.sender === mainWindow.webContents,
        mainFrame: !!frame && frame.parent === null,
        frameUrl: frame?.url ?? '',
      },
      appOrigin,
    );
    if (!allowed)
      console.warn(`refused the bridge to ${JSON.stringify((frame?.url ?? '(gone)').slice(0, 200))}`);
    return allowed;
  };
  ipcMain.on(BRIDGE_CHANNEL, (event) => {
    event.returnValue =
      (senderAllowed(event) && bridge && { serverUrl: bridge.serverUrl, adminToken: bridge.adminToken }) ||
      null;
  });
  // The console renews its token before it expires (an access token lasts an hour).
  ipcMain.handle(BRIDGE_REFRESH_CHANNEL, async (event) => {
    if (!senderAllowed(event) || !server) throw new Error('refused');
    const adminToken = await server.issueAdminToken();
    if (bridge) bridge = { ...bridge, adminToken };
    return adminToken;
  });

  const actions = {
    show: showWindow,
    openInBrowser: () => {
      if (server) openExternally(server.url);
    },
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

  guardContents();
  app
    .whenReady()
    .then(() => {
      denyPermissions();
      return boot();
    })
    .catch((err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      console.error('Switchboard could not start:', err);
      dialog.showErrorBox('Switchboard could not start', message);
      app.exit(1);
    });
}
