import { createClient } from 'redis';
import type { HubEvent } from '../../shared/events';

/**
 * What the relay and the stream reader have to say, for the server log: `code` is stable
 * (tests and the console key on it), `message` is one readable line.
 */
export interface ClusterLog {
  level: 'info' | 'warn' | 'error';
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Receives every ClusterLog entry. */
export type ClusterLogger = (entry: ClusterLog) => void;

/** The stream the primary relays to and edges read, unless configured otherwise. */
export const DEFAULT_STREAM_KEY = 'switchboard:events';

/** The one field of a stream entry: the event as JSON (its id is `${seq}-0`). */
export const EVENT_FIELD = 'event';

/** Reconnect timing: the first retry after about `baseMs`, doubling up to `maxMs`. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

// note: 100 ms rides out a blip; 5 s caps the wait once Redis is back after a long outage.
export const DEFAULT_BACKOFF: Backoff = { baseMs: 100, maxMs: 5000 };

// note: a loopback or LAN Redis accepts in milliseconds; 3 s means it is not there.
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000;

/**
 * Exponential backoff with jitter: the wait for `attempt` (0-based) is drawn from
 * [half, all] of min(max, base * 2^attempt), so instances that lost Redis together do
 * not come back in lockstep.
 */
export function backoffMs(attempt: number, b: Backoff = DEFAULT_BACKOFF): number {
  const full = Math.min(b.maxMs, b.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + (Math.random() * full) / 2);
}

/**
 * The URL without its secret, for logs, messages and the console: `redis://user:pass@host`
 * becomes `redis://user:***@host`, and a lone user name (which Redis may take as the
 * password) `redis://***@host`.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    else if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/** Any `scheme://user:pass@` (or `scheme://secret@`) inside free text, such as an error message quoting a URL, masked as redactUrl does. */
export function redactText(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*):[^\s/]*@/gi, '$1:***@')
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s:@/]+@/gi, '$1***@');
}

/** How one connection behaves. */
interface LinkOptions {
  /** CLIENT SETNAME, so `CLIENT LIST` shows who is who. */
  name: string;
  connectTimeoutMs: number;
  /** Close the socket after this long without a byte (a dead peer that never said so). */
  socketTimeoutMs?: number;
  /**
   * Reconnect by itself with this backoff (commands fail fast while it is away); without
   * it, a lost connection stays closed and the owner's loop opens a new one.
   */
  reconnect?: Backoff;
  /** Aborting gives up a connection attempt in progress (stop() must not wait for it). */
  signal?: AbortSignal;
}

function createLink(url: string, o: LinkOptions) {
  let ready = false;
  const client = createClient({
    url,
    name: o.name,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: o.connectTimeoutMs,
      socketTimeout: o.socketTimeoutMs,
      // The first connection must succeed at once (bad configuration fails at start).
      reconnectStrategy: (retries: number) =>
        o.reconnect && ready ? backoffMs(retries, o.reconnect) : false,
    },
  });
  // Failures surface as rejected commands; an 'error' event without a listener would crash.
  client.on('error', () => {});
  client.on('ready', () => (ready = true));
  return client;
}

/** A node-redis client as the cluster modules use it. */
export type RedisLink = ReturnType<typeof createLink>;

/** Opens one connection; rejects (and leaves nothing open) when Redis does not answer. */
export async function openLink(url: string, o: LinkOptions): Promise<RedisLink> {
  const client = createLink(url, o);
  const onAbort = () => closeLink(client);
  o.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (o.signal?.aborted) throw new Error('aborted');
    await client.connect();
    return client;
  } catch (e) {
    closeLink(client);
    throw e;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Closes a connection at once, failing whatever is in flight (a blocked XREAD included). */
export function closeLink(link: RedisLink | undefined): void {
  if (!link) return;
  try {
    link.destroy();
  } catch {
    // already closed
  }
}

/** The seq an entry id stands for (`${seq}-0`). */
export function idToSeq(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash < 0 ? id : id.slice(0, dash));
}

/** The entry id for a seq. */
export function seqToId(seq: number): string {
  return `${seq}-0`;
}

/** JSON that another writer put on a channel; undefined when it is not JSON (not ours: ignored). */
export function parseMessage<T>(message: string): T | undefined {
  try {
    return JSON.parse(message) as T;
  } catch {
    return undefined;
  }
}

/** Parses one entry; the id is the truth for seq. Undefined when the entry is not ours. */
export function entryToEvent(id: string, message: Record<string, string>): HubEvent | undefined {
  const raw = message[EVENT_FIELD];
  if (raw === undefined) return undefined;
  try {
    const ev = JSON.parse(raw) as HubEvent;
    if (typeof ev !== 'object' || ev === null || typeof ev.type !== 'string') return undefined;
    ev.seq = idToSeq(id);
    return ev;
  } catch {
    return undefined;
  }
}

/** What a stream holds: its first retained seq (undefined when empty) and the last seq ever added. */
interface StreamBounds {
  length: number;
  first: number | undefined;
  last: number;
}

/** The stream's bounds; a stream that does not exist is empty with last 0. */
export async function streamBounds(link: RedisLink, key: string): Promise<StreamBounds> {
  try {
    const info = await link.xInfoStream(key);
    const first = info['first-entry'];
    return {
      length: Number(info.length),
      first: first ? idToSeq(String(first.id)) : undefined,
      last: idToSeq(String(info['last-generated-id'])),
    };
  } catch (e) {
    if (/no such key/i.test(String(e))) return { length: 0, first: undefined, last: 0 };
    throw e;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** One line for an error, with any credentials in a URL it quotes masked. */
export function errorText(e: unknown): string {
  return redactText(e instanceof Error ? e.message : String(e));
}
