/**
 * The console's one SDK client, a module singleton outside the store (UI.md): every feature's actions call
 * the server through it — `call((sb) => sb.admin.users.list())` — and never fetch on their own. The token
 * lives here, in memory; features/auth decides which token that is and renews it.
 */
import { ApiError, createClient, type SwitchboardClient } from '../../shared/client';
import { resolveConnection } from './lib/connection';

/** Where the server is and, in the desktop app, the admin token the preload handed over. */
export const connection = resolveConnection();

/**
 * Gets a token to replace `rejected` (the server refused it: HTTP 401 or realtime close 4001), or undefined
 * when there is none (the user must sign in again). Installed by features/auth.
 */
export type Renewer = (rejected: string | undefined) => Promise<string | undefined>;

let renewer: Renewer | undefined;

/** Installs how a rejected token is renewed (features/auth does this once, at start). */
export function setRenewer(fn: Renewer | undefined): void {
  renewer = fn;
}

/** The client. It connects on the first subscription (the shell's live wiring, after sign-in). */
export const sdk: SwitchboardClient = createClient({
  // note: without a server (the build opened from disk) the client still exists; every call fails as `network`.
  url: connection.serverUrl ?? 'http://127.0.0.1:8000',
  getToken: async (request) => ('rejected' in request && renewer ? renewer(request.rejected) : undefined),
});

/**
 * Runs one SDK call for an action. When the server answers 401 (the access token expired or was revoked),
 * the token is renewed once and the call repeated; if that is impossible the auth feature has already
 * ended the session and the original error is thrown.
 */
export async function call<T>(fn: (sb: SwitchboardClient) => Promise<T>): Promise<T> {
  const used = sdk.token;
  try {
    return await fn(sdk);
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401 || !renewer || !used) throw e;
    const next = await renewer(used);
    if (!next) throw e;
    return fn(sdk);
  }
}
