import { createHash, randomBytes } from 'node:crypto';

/** Prefix that tells an API key from a JWT at a glance (JWTs start with "ey"). */
export const KEY_PREFIX = 'sbk_';

/** A new API key: the secret (shown once), its hash (stored) and a short prefix (listed). */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = KEY_PREFIX + randomBytes(32).toString('base64url');
  return { key, hash: hashApiKey(key), prefix: key.slice(0, KEY_PREFIX.length + 6) };
}

/** SHA-256 is enough for a 256-bit random secret: there is nothing to brute-force. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export const isApiKey = (token: string): boolean => token.startsWith(KEY_PREFIX);
