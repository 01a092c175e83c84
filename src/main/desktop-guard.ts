/**
 * The desktop shell's security decisions as plain functions (no Electron import), so they are
 * unit-tested without the Electron binary: which page may read the bridge, where the window may
 * navigate, which URLs go to the system browser, and whether a dev renderer URL is honoured.
 */

/** The origin of a URL (`http://127.0.0.1:8000`), or undefined when it is not an http(s) URL. */
export function httpOrigin(url: string): string | undefined {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `url` is an http(s) URL of exactly `origin` (scheme, host and port). */
export function sameOrigin(url: string, origin: string): boolean {
  const o = httpOrigin(url);
  return o !== undefined && o === httpOrigin(origin);
}

/**
 * Origins besides the app's own server that links may open in the system browser.
 * note: empty: the console links nowhere else today; add an origin here (https only) when it does.
 */
export const EXTERNAL_ALLOWLIST: readonly string[] = [];

/**
 * Whether `shell.openExternal` may open `url`: http(s) only, to the app's own server or an
 * allowlisted origin. Everything else (file:, smb:, custom protocol handlers, foreign sites a
 * compromised page would choose) is refused: openExternal hands the URL to the OS.
 */
export function externalAllowed(url: string, appOrigin: string, allowlist = EXTERNAL_ALLOWLIST): boolean {
  const o = httpOrigin(url);
  if (o === undefined) return false;
  return o === httpOrigin(appOrigin) || allowlist.some((a) => httpOrigin(a) === o);
}

/** Whether the window may navigate to `url`: only within the origin it was loaded from. */
export function navigationAllowed(url: string, appOrigin: string): boolean {
  return sameOrigin(url, appOrigin);
}

/**
 * The frame asking for the bridge (URL and admin token): only the main frame of our own window,
 * showing a page of the app's own origin, gets it. A page the window was tricked into showing,
 * or an iframe inside ours, gets nothing.
 */
export interface BridgeCaller {
  /** The asking webContents is the app's main window. */
  ownWindow: boolean;
  /** The asking frame is the top frame (not an iframe). */
  mainFrame: boolean;
  /** The asking frame's URL (empty when the frame is gone). */
  frameUrl: string;
}

/** See BridgeCaller. */
export function bridgeAllowed(caller: BridgeCaller, appOrigin: string): boolean {
  return caller.ownWindow && caller.mainFrame && sameOrigin(caller.frameUrl, appOrigin);
}

/**
 * The renderer URL `electron-vite dev` passes in ELECTRON_RENDERER_URL, honoured only in a dev
 * build (`import.meta.env.DEV`, false in every built bundle) that is not packaged, and only for a
 * loopback http URL: in a built app the variable is ignored, so the environment cannot point the
 * window (and the bridge's admin token) at another page.
 */
export function devRendererUrl(
  env: Record<string, string | undefined>,
  build: { dev: boolean; packaged: boolean },
): string | undefined {
  const url = env.ELECTRON_RENDERER_URL;
  if (!url || !build.dev || build.packaged) return undefined;
  try {
    const u = new URL(url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    return u.protocol === 'http:' && loopback ? url : undefined;
  } catch {
    return undefined;
  }
}
