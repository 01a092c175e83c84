/**
 * The fan-out sections' data on a Switchboard server: a small collection whose records carry
 * the write's sequence number `n`, viewer API keys for subscribers and an editor key for writes.
 */
import type { HttpClient } from './http';

export const FEED_FIELDS = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'body', type: 'text' },
];
export const FEED_RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' };
export const FEED_BODY = 'Doors open at seven; the late show starts at ten. Please keep the aisles clear.';
// note: the server's default maxConnectionsPerUser; an API key is one "user".
export const PER_KEY = 50;

/** Creates collection `name` (fields title, n, body; every rule `auth`). */
export async function createFeed(admin: HttpClient, name: string): Promise<void> {
  await admin.expect(201, 'POST', '/api/v1/collections', { name, fields: FEED_FIELDS, rules: FEED_RULES });
}

/** Creates `count` API keys of `role`; returns their secrets. */
export async function createKeys(
  admin: HttpClient,
  count: number,
  role: 'viewer' | 'editor',
  prefix: string,
): Promise<string[]> {
  const keys: string[] = [];
  for (let k = 0; k < count; k++) {
    const r = await admin.expect(201, 'POST', '/api/v1/keys', { name: `${prefix}-${k}`, role });
    keys.push(r.body.key as string);
  }
  return keys;
}

/** The record a write creates: `n` is the write's sequence number. */
export const feedRecord = (n: number): Record<string, unknown> => ({ title: 'bench', n, body: FEED_BODY });
