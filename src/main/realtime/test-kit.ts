/** Test doubles for hub unit tests: a recording transport, principals, events and a hub on a bus. */
import type { HubEvent } from '../../shared/events';
import { parseFilter } from '../../shared/filter';
import type { Collection } from '../../shared/schema';
import type { Principal } from '../auth/principal';
import { EventBus } from '../store/bus';
import { fieldTypes } from '../store/collections';
import { DEFAULT_HUB_OPTIONS, Hub, type HubOptions } from './hub';
import type { Connection, SubscriptionSpec, Transport } from './types';

export const posts = (view: Collection['rules']['view'] = 'public'): Collection => ({
  name: 'posts',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'n', type: 'number' },
    { name: 'published', type: 'bool' },
  ],
  rules: { list: 'public', view, create: 'admin', update: 'admin', delete: 'admin' },
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
});

export const principal = (o: Partial<Principal> = {}): Principal => ({
  kind: 'user',
  id: o.id ?? 'u1',
  role: 'editor',
  account: 'default',
  superuser: false,
  collections: null,
  ...o,
});

let seq = 0;
export function recordEvent(o: Partial<HubEvent> = {}): HubEvent {
  const s = o.seq ?? ++seq;
  return {
    seq: s,
    type: 'record.created',
    collection: 'posts',
    record_id: `r${s}`,
    data: { id: `r${s}`, title: 't', n: 1, published: true },
    account: 'default',
    timestamp: '2024-01-01T00:00:00.000Z',
    ...o,
  };
}

/** A transport that keeps what it is sent and can pretend to be backed up. */
export function transport(dialect = 'test'): Transport & {
  sent: string[];
  closed?: { code: number; reason: string };
  buffered: number;
  corks: number;
  uncorks: number;
} {
  const t = {
    sent: [] as string[],
    closed: undefined as { code: number; reason: string } | undefined,
    buffered: 0,
    corks: 0,
    uncorks: 0,
    dialect,
    remote: '127.0.0.1:1',
    passive: false,
    send: (f: string | Buffer) => void t.sent.push(f.toString()),
    cork: () => void t.corks++,
    uncork: () => void t.uncorks++,
    bufferedAmount: () => t.buffered,
    close: (code: number, reason: string) => void (t.closed = { code, reason }),
    heartbeat: () => {},
  };
  return t;
}

/** A hub on an in-memory bus, with an empty history and `posts` as its only collection. */
export function testHub(collection: Collection = posts(), opts: Partial<HubOptions> = {}) {
  const bus = new EventBus();
  const errors: unknown[] = [];
  const hub = new Hub(
    { ...DEFAULT_HUB_OPTIONS, ...opts },
    {
      source: bus,
      history: { since: () => [], hasGapAfter: () => false, oldestSeq: () => 0, lastSeq: () => 0 },
      collection: (n) => (n === collection.name ? collection : undefined),
      onError: (e) => void errors.push(e),
    },
  );
  return { hub, bus, errors };
}

/** A subscription spec whose frames are `seq:match`. */
export function spec(
  o: Omit<Partial<SubscriptionSpec>, 'filter'> & { filter?: unknown } = {},
  c: Collection = posts(),
): SubscriptionSpec {
  const { filter, ...rest } = o;
  return {
    key: 'posts',
    collection: 'posts',
    leaves: true,
    presence: false,
    shape: `test|${JSON.stringify(filter ?? null)}`,
    encode: (ev, match) => `${ev.seq ?? '-'}:${match ?? ''}`,
    ...(filter !== undefined ? { filter: parseFilter(filter, fieldTypes(c)) } : {}),
    ...rest,
  };
}

/** Subscribes and fails unless the hub said yes. */
export async function sub(hub: Hub, conn: Connection, s: SubscriptionSpec) {
  const r = await hub.subscribe(conn, s);
  if (!r.ok) throw new Error(r.message);
  return r.sub;
}
