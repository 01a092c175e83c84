import type { Role, User } from '../store/users';

/** Who is calling: a user (by token) or an API key. Anonymous callers are `null`. */
export interface Principal {
  kind: 'user' | 'key';
  id: string;
  email?: string;
  role: Role;
  account: string;
  superuser: boolean;
  /** An API key may be limited to some collections; null means all. */
  collections: string[] | null;
  /** The login (refresh family) an access token belongs to. */
  sessionId?: string;
  /** When the credential stops being valid (ms since epoch); API keys never expire. */
  expiresAt?: number;
  /** The desktop's own console token: valid only from this machine (see LanSharing). */
  local?: boolean;
}

/** An API key as a caller: never the superuser, limited to its collections when it names some. */
export const keyPrincipal = (k: Pick<Principal, 'id' | 'role' | 'account' | 'collections'>): Principal => ({
  kind: 'key',
  id: k.id,
  role: k.role,
  account: k.account,
  superuser: false,
  collections: k.collections,
});

/** A user as a caller, as the database has them (a token's session and expiry are the caller's to add). */
export const userPrincipal = (
  u: Pick<User, 'id' | 'email' | 'role' | 'account' | 'superuser'>,
): Principal => ({
  kind: 'user',
  id: u.id,
  email: u.email,
  role: u.role,
  account: u.account,
  superuser: u.superuser,
  collections: null,
});

/** The account an anonymous caller reads: the venue's own content. */
export const PUBLIC_ACCOUNT = 'default';

/** The accounts a caller may read: null means every account (the superuser). */
export function accountScope(p: Principal | null): string | null {
  if (!p) return PUBLIC_ACCOUNT;
  return p.superuser ? null : p.account;
}

export const isAdmin = (p: Principal | null): boolean => !!p && (p.superuser || p.role === 'admin');

/** An API key limited to some collections: it never manages users, keys, settings or other collections. */
export const isScoped = (p: Principal | null): boolean => !!p?.collections;

/** Whether the caller may act on collection `name` at all: a scoped key only on its own collections. */
export const inScope = (p: Principal | null, name: string): boolean =>
  !p?.collections || p.collections.includes(name);
