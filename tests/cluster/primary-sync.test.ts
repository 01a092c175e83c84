/**
 * The primary's state in Redis after a reconnect: a key saved while the full state is being
 * written again must not be lost (the rewrite deletes the keys' hash and fills it anew; a key
 * read before an await and saved during it was written by its own hSet first, then wiped).
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import type { JWK } from 'jose';
import { Tokens } from '../../src/main/auth/tokens';
import { PrimarySync } from '../../src/main/cluster/primary-sync';
import { STATE_KEYS } from '../../src/main/cluster/state-keys';
import { startRedis, type TestRedis } from '../helpers/redis';
import { eventually, inspector, openStore } from './fixtures';

let redis: TestRedis;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.cleanup());
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const newKey = (s: ReturnType<typeof openStore>, n: number) =>
  s.store.keys.create({
    name: `k${n}`,
    hash: `hash-${n}`,
    prefix: `sbk_${n}`,
    role: 'viewer',
    account: 'default',
    collections: null,
  });

test('a key saved while the state is written again after a reconnect stays in Redis', async () => {
  const s = openStore();
  cleanups.push(() => s.close());
  const tokens = await Tokens.open(s.dir);
  // The public key is the rewrite's await: while `gating`, it waits for `open()`.
  let gating = false;
  let waiting = 0;
  let open = () => {};
  const gate = new Promise<void>((r) => (open = r));
  const gated = new Proxy(tokens, {
    get(t, p) {
      if (p === 'publicJwk')
        return async (): Promise<JWK> => {
          if (gating) {
            waiting++;
            await gate;
          }
          return t.publicJwk();
        };
      const v = Reflect.get(t, p, t) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
  newKey(s, 1);
  const sync = new PrimarySync(redis.url, s.store, gated, () => {});
  await sync.start();
  cleanups.push(() => sync.stop());
  const look = await inspector(redis.url);
  cleanups.push(() => look.close());
  const keys = async () => Object.keys(await look.client.hGetAll(STATE_KEYS.apiKeys)).sort();
  expect(await keys()).toEqual(['hash-1']);

  // Drop the primary's connection: it reconnects and writes everything again, waiting at the gate.
  gating = true;
  const clients = String(await look.client.sendCommand(['CLIENT', 'LIST']));
  const id = /id=(\d+) [^\n]*name=switchboard-primary-sync/.exec(clients)?.[1];
  expect(id, clients).toBeDefined();
  await look.client.sendCommand(['CLIENT', 'KILL', 'ID', id!]);
  await eventually(
    async () => waiting,
    (n) => n === 1,
    10_000,
  );

  // Saved now: its own hSet reaches Redis while the rewrite waits.
  newKey(s, 2);
  await eventually(keys, (k) => k.includes('hash-2'), 5000);
  // The rewrite's MULTI sets the public key again: gone now, back once the MULTI has run.
  await look.client.del(STATE_KEYS.jwk);
  open();
  await eventually(
    async () => look.client.exists(STATE_KEYS.jwk),
    (n) => n === 1,
    5000,
  );
  expect(await keys()).toEqual(['hash-1', 'hash-2']);
});
