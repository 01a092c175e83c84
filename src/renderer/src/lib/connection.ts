/** Where the console finds its server: the Electron bridge if present, else the origin it was served from. */
export interface Connection {
  /** Base URL of the server, or null when there is none to talk to (e.g. the build opened from disk). */
  serverUrl: string | null;
  /** Admin token from the desktop app; null in a browser (the user signs in instead). */
  adminToken: string | null;
}

/** Reads the connection from `window.switchboard` or `location`. */
export function resolveConnection(
  bridge: Window['switchboard'] = globalThis.window?.switchboard,
  location: Pick<Location, 'protocol' | 'origin'> | undefined = globalThis.location,
): Connection {
  if (bridge?.serverUrl) return { serverUrl: bridge.serverUrl, adminToken: bridge.adminToken || null };
  if (location && /^https?:$/.test(location.protocol))
    return { serverUrl: location.origin, adminToken: null };
  return { serverUrl: null, adminToken: null };
}
