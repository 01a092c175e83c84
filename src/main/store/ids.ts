import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A 15-character random id ([a-z0-9], ~77 bits), the shape PocketBase uses for records. */
export function newId(length = 15): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // note: 252 = 7 * 36, so rejecting bytes >= 252 keeps every character equally likely.
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 252) out += ALPHABET[b % 36];
  }
  return out.length === length ? out : newId(length);
}

/** The current time as ISO 8601 UTC with milliseconds. */
export const nowIso = (): string => new Date().toISOString();
