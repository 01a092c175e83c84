/**
 * Signing in and staying signed in.
 *
 * - Desktop app: the preload's admin token signs the owner in at once. It is a plain access token (no
 *   refresh token), so before it expires the console asks the bridge for a fresh one
 *   (`window.switchboard.refreshAdminToken()`, when the preload offers it) or else reloads the window, which
 *   makes the preload read the token the main process renews every 30 minutes.
 * - Browser: email and password. The access token stays in memory (in the SDK); the refresh token goes to
 *   sessionStorage, so the session survives a reload of this tab but not closing it. Not localStorage:
 *   refresh tokens rotate and a reused one revokes the login, so two tabs sharing one would sign each
 *   other out; and a token that dies with the tab is less exposed on a shared machine.
 * - Either way the token is renewed a minute before it expires, and the session ends (login form, with the
 *   reason) when the server refuses to renew it: a logout elsewhere, a changed password, a deleted user —
 *   which the server also signals by closing the realtime connection with 4001 "token revoked".
 */
import { ApiError, type LoginResult } from '../../../../shared/client';
import { connection, sdk, setRenewer } from '../../sdk';
import { patch, resetSessionData, useAppStore } from '../../store';
import { toResourceError } from '../../store/resource';
import { renewDelay, tokenExpiry } from './token';

/** Where the browser keeps the refresh token (see above for why sessionStorage). */
export const REFRESH_KEY = 'switchboard.refresh_token';
const BRIDGE_RELOAD_KEY = 'switchboard.bridge_reload_at';
// note: one reload per minute at most, so a token the server keeps refusing cannot loop the window.
const BRIDGE_RELOAD_GAP_MS = 60_000;
// note: a refresh that failed for want of a network is tried again this often until the token expires.
const OFFLINE_RETRY_MS = 15_000;

/** The desktop bridge, with the token function a newer preload may add. */
type Bridge = NonNullable<Window['switchboard']> & { refreshAdminToken?: () => Promise<string> };

let timer: ReturnType<typeof setTimeout> | undefined;
let renewing: Promise<string | undefined> | undefined;
let signingOut = false;

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
}

function schedule(delayMs: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void renew(undefined), delayMs);
}

/** Takes a login or refresh result: the SDK already holds its access token; keep the rest. */
function adopt(result: LoginResult): void {
  storage()?.setItem(REFRESH_KEY, result.refresh_token);
  patch('auth', {
    status: 'signed-in',
    mode: 'password',
    user: result.user,
    loginError: null,
    retryAt: null,
    notice: null,
  });
  schedule(renewDelay(result.expires_in * 1000));
}

/** Ends the session locally: forgets the tokens and the user's data; `notice` says why on the login form. */
export function endSession(notice: string | null): void {
  clearTimeout(timer);
  storage()?.removeItem(REFRESH_KEY);
  if (sdk.token) sdk.setToken(undefined);
  patch('auth', { status: 'signed-out', mode: null, user: null, signingIn: false, notice });
  resetSessionData();
}

async function renewPassword(): Promise<string | undefined> {
  const refreshToken = storage()?.getItem(REFRESH_KEY);
  if (!refreshToken) {
    if (useAppStore.getState().auth.status !== 'signed-out')
      endSession('Your session has ended. Sign in again.');
    return undefined;
  }
  try {
    const result = await sdk.auth.refresh(refreshToken);
    adopt(result);
    return result.access_token;
  } catch (e) {
    if (e instanceof ApiError && e.status !== 0 && e.status < 500) {
      endSession(`You were signed out: ${e.message}`);
    } else if (useAppStore.getState().auth.status === 'restoring') {
      // The server is not there to say whether the session still holds: keep it for the next reload.
      patch('auth', { status: 'signed-out', notice: 'Cannot reach the server to restore your session.' });
    } else schedule(OFFLINE_RETRY_MS);
    return undefined;
  }
}

async function renewBridge(rejected: string | undefined): Promise<string | undefined> {
  const bridge = window.switchboard as Bridge | undefined;
  if (bridge?.refreshAdminToken) {
    const token = await bridge.refreshAdminToken();
    if (token && token !== rejected) {
      adoptBridgeToken(token);
      return token;
    }
  }
  const last = Number(storage()?.getItem(BRIDGE_RELOAD_KEY) ?? 0);
  if (Date.now() - last > BRIDGE_RELOAD_GAP_MS) {
    storage()?.setItem(BRIDGE_RELOAD_KEY, String(Date.now()));
    location.reload();
  } else endSession('The desktop app’s session has ended. Restart Switchboard to sign in again.');
  return undefined;
}

/**
 * Renews the access token (the SDK's renewer): proactively before it expires (`rejected` undefined) or
 * because the server refused `rejected`. Concurrent callers share one refresh.
 */
export function renew(rejected: string | undefined): Promise<string | undefined> {
  const { status, mode } = useAppStore.getState().auth;
  if (signingOut || (status === 'signed-out' && mode === null && !storage()?.getItem(REFRESH_KEY))) {
    return Promise.resolve(undefined);
  }
  if (rejected !== undefined && sdk.token && rejected !== sdk.token) return Promise.resolve(sdk.token);
  renewing ??= (mode === 'bridge' ? renewBridge(rejected) : renewPassword()).finally(() => {
    renewing = undefined;
  });
  return renewing;
}

function adoptBridgeToken(token: string): void {
  sdk.setToken(token);
  patch('auth', { status: 'signed-in', mode: 'bridge', notice: null });
  const exp = tokenExpiry(token);
  if (exp !== null) schedule(renewDelay(exp - Date.now()));
  void sdk.auth.me().then(
    (me) => {
      if (me.kind === 'user') patch('auth', { user: me.user });
    },
    () => undefined,
  );
}

/** Starts auth once at boot: the bridge token, a saved browser session, or the login form. */
export function startAuth(): void {
  setRenewer(renew);
  if (connection.adminToken) {
    adoptBridgeToken(connection.adminToken);
    return;
  }
  if (storage()?.getItem(REFRESH_KEY)) {
    patch('auth', { status: 'restoring', mode: 'password' });
    void renew(undefined);
  }
}

/** Signs in with email and password; a failure (wrong password, too many tries) lands in `auth.loginError`. */
export async function signIn(email: string, password: string): Promise<boolean> {
  patch('auth', { signingIn: true, loginError: null, notice: null });
  try {
    adopt(await sdk.auth.login(email, password));
    return true;
  } catch (e) {
    const error = toResourceError(e);
    patch('auth', {
      loginError: error,
      retryAt: error.retryAfterS !== undefined ? Date.now() + error.retryAfterS * 1000 : null,
    });
    return false;
  } finally {
    patch('auth', { signingIn: false });
  }
}

/** Signs out: ends the login on the server (best effort) and here. */
export async function signOut(): Promise<void> {
  signingOut = true;
  try {
    await sdk.auth.logout();
  } catch {
    // note: an unreachable server or an already-ended login changes nothing: forget it here anyway.
  } finally {
    signingOut = false;
    endSession(null);
  }
}
