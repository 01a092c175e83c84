/**
 * The bench's subscribers in each wire dialect (docs/dialects.md): how to open one, what makes
 * it a live subscriber, how its event frames are told from other frames, and where a write's
 * sequence number `n` sits in its event. WebSocket dialects use bench/lib/ws-clients.ts, SSE
 * dialects bench/lib/sse-clients.ts; both count events without decoding them.
 */
import { SseClient } from './sse-clients';
import { Tally, WsClient } from './ws-clients';

/** What the pools and phases need of a subscriber, WebSocket or SSE. */
export interface Subscriber {
  events: number;
  sample?: (payload: Buffer, at: number) => void;
  closed?: string;
  terminate(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface Dialect {
  /** As the report names it. */
  label: string;
  /** The name in /api/v1/stats `connections_by_dialect`. */
  stat: string;
  /** A fresh tally whose event marker fits this dialect's frames. */
  tally(collection: string): Tally;
  /** Opens one subscriber to `collection` on `base` (http://host:port) with API key `token`. */
  open(base: string, collection: string, token: string, tally: Tally, timeoutMs: number): Promise<Subscriber>;
  /** The write's sequence number in a parsed event (the record's field `n`). */
  seqOf(m: Json): unknown;
}

const ws = (base: string) => base.replace(/^http/, 'ws');
const enc = encodeURIComponent;

/** A tally whose events have byte `at` equal to `letter`. */
function marked(at: number, letter: string): Tally {
  const t = new Tally();
  t.eventAt = at;
  t.eventByte = letter.charCodeAt(0);
  return t;
}

/** Opens a WebSocket and runs `ready` on it; a failed `ready` drops the socket. */
async function openWs(
  url: string,
  tally: Tally,
  timeoutMs: number,
  ready: (c: WsClient) => Promise<void>,
): Promise<WsClient> {
  const c = await WsClient.open(url, tally, timeoutMs);
  try {
    await ready(c);
  } catch (e) {
    c.terminate();
    throw e;
  }
  return c;
}

export const NATIVE_WS: Dialect = {
  label: 'native WS',
  stat: 'native',
  // `{"type":"event",…`: byte 9 is `e` (the default marker).
  tally: () => new Tally(),
  open: (base, collection, token, tally, timeoutMs) =>
    openWs(`${ws(base)}/api/v1/ws/realtime?token=${enc(token)}`, tally, timeoutMs, async (c) => {
      c.send(JSON.stringify({ action: 'subscribe', collection }));
      await c.waitFor('authenticated', timeoutMs);
      await c.waitFor('subscribed', timeoutMs);
    }),
  seqOf: (m) => (m?.type === 'event' && m.data?.type === 'record.created' ? m.data.data?.n : undefined),
};

export const NATIVE_SSE: Dialect = {
  label: 'native SSE',
  stat: 'sse',
  tally: () => new Tally(),
  open: (base, collection, token, tally, timeoutMs) =>
    SseClient.open(
      `${base}/api/v1/sse/realtime?collection=${enc(collection)}&token=${enc(token)}`,
      tally,
      timeoutMs,
    ),
  // data: the native event itself.
  seqOf: (m) => (m?.type === 'record.created' ? m.data?.n : undefined),
};

export const FASTSCHEMA: Dialect = {
  label: 'FastSchema',
  stat: 'fastschema',
  // `{"event":"create",…`: byte 2 is `e`; the server sends nothing else unasked.
  tally: () => marked(2, 'e'),
  open: (base, collection, token, tally, timeoutMs) =>
    openWs(
      `${ws(base)}/api/realtime/content?schema=${enc(collection)}&token=${enc(token)}`,
      tally,
      timeoutMs,
      async (c) => {
        // Any frame is echoed back once the query is handled; the warm-up checks delivery.
        c.send('{"type":"ready"}');
        await c.waitFor('ready', timeoutMs);
      },
    ),
  seqOf: (m) => (m?.event === 'create' ? m.data?.n : undefined),
};

export const SNACKBASE_WS: Dialect = {
  label: 'SnackBase WS',
  stat: 'snackbase',
  // `{"type":"COLLECTION.create",…`: byte 9 is the collection's first letter; replies are
  // `subscribed`, `pong`, `heartbeat` (the bench's collections start with another letter).
  tally: (collection) => marked(9, collection[0]!),
  open: (base, collection, token, tally, timeoutMs) =>
    openWs(`${ws(base)}/api/v1/realtime/ws?token=${enc(token)}`, tally, timeoutMs, async (c) => {
      c.send(JSON.stringify({ action: 'subscribe', collection, operations: ['create', 'update', 'delete'] }));
      await c.waitFor('subscribed', timeoutMs);
    }),
  seqOf: (m) => (typeof m?.type === 'string' && m.type.endsWith('.create') ? m.data?.n : undefined),
};

export const SNACKBASE_SSE: Dialect = {
  label: 'SnackBase SSE',
  stat: 'snackbase-sse',
  tally: () => new Tally(),
  open: (base, collection, token, tally, timeoutMs) =>
    SseClient.open(
      `${base}/api/v1/realtime/subscribe?token=${enc(token)}&collection=${enc(collection)}`,
      tally,
      timeoutMs,
    ),
  seqOf: (m) => (typeof m?.type === 'string' && m.type.endsWith('.create') ? m.data?.n : undefined),
};

export const TOPICS: Dialect = {
  label: 'topics',
  stat: 'topics',
  // `{"topic":…`: byte 3 is `o`; errors and pongs are `{"type":…` (byte 3 `y`).
  tally: () => marked(3, 'o'),
  open: (base, collection, token, tally, timeoutMs) =>
    openWs(`${ws(base)}/ws?token=${enc(token)}`, tally, timeoutMs, async (c) => {
      // Subscriptions are not acknowledged; messages are handled in order, so the pong comes after it.
      c.send(JSON.stringify({ type: 'subscribe', topics: [collection] }));
      c.send('{"type":"ping"}');
      await c.waitFor('pong', timeoutMs);
    }),
  seqOf: (m) => (m?.event === 'ADDED' ? m.data?.payload?.n : undefined),
};

/** Every dialect, native WS first (the one the others are compared with). */
export const DIALECTS: Dialect[] = [NATIVE_WS, NATIVE_SSE, FASTSCHEMA, SNACKBASE_WS, SNACKBASE_SSE, TOPICS];
