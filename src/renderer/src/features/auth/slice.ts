/** Who is signed in, how, and what the login form must show. */
import type { StateCreator } from 'zustand';
import type { AuthUser } from '../../../../shared/client';
import type { ResourceError } from '../../store/resource';
import type { AppState } from '../../store';

export interface AuthState {
  /** `restoring`: a saved session is being renewed after a reload. */
  status: 'restoring' | 'signed-out' | 'signed-in';
  /** `bridge`: the desktop app's admin token; `password`: a login in a browser. */
  mode: 'bridge' | 'password' | null;
  user: AuthUser | null;
  signingIn: boolean;
  /** Why the last sign-in failed. */
  loginError: ResourceError | null;
  /** A 429: no new attempt before this moment (ms since epoch). */
  retryAt: number | null;
  /** Why the user is looking at the login form (the session ended, was revoked, …). */
  notice: string | null;
}

export interface AuthSlice {
  auth: AuthState;
}

export const initialAuth: AuthState = {
  status: 'signed-out',
  mode: null,
  user: null,
  signingIn: false,
  loginError: null,
  retryAt: null,
  notice: null,
};

export const createAuthSlice: StateCreator<AppState, [], [], AuthSlice> = () => ({ auth: initialAuth });
