/** Small helpers for access tokens and for when to renew them. */

/** The `exp` of a JWT in ms since epoch, or null when the token is not a JWT (an API key) or has none. */
export function tokenExpiry(token: string): number | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * How long to wait before renewing a token that lives `lifetimeMs` more: a minute early, or a fifth of its
 * life when that is shorter, never less than a second.
 */
export function renewDelay(lifetimeMs: number): number {
  // note: a minute covers a sleeping laptop's timer drift and a slow refresh round trip.
  return Math.max(1000, lifetimeMs - Math.min(60_000, lifetimeMs / 5));
}
