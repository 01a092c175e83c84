/**
 * What the Electron preload exposes to the renderer as `window.switchboard`: the local server's URL and an
 * admin access token, nothing else. No data travels over IPC; the console talks to the server over HTTP/WS
 * like any LAN client. In a plain browser against a headless server the bridge is absent.
 */
export interface SwitchboardBridge {
  /** Base URL of the embedded server, e.g. `http://127.0.0.1:8000`. */
  readonly serverUrl: string;
  /** A superuser access token for the local console (a JWT; it expires like any access token). */
  readonly adminToken: string;
  /** A fresh admin token before the current one expires (asks the main process; same checks as the bridge). */
  refreshAdminToken?(): Promise<string>;
}

/** The IPC channel the preload uses once, synchronously, to read the bridge values from the main process. */
export const BRIDGE_CHANNEL = 'switchboard:bridge';

/** The IPC channel `refreshAdminToken` invokes: the main process answers with a newly issued token. */
export const BRIDGE_REFRESH_CHANNEL = 'switchboard:bridge-refresh';
