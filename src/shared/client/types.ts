/** Public types of the client SDK: options, events, connection state and the native wire frames. */
import type { EventType, HubEvent } from '../events';

/** How a record relates to a filtered subscription after a change (native dialect `match`). */
export type MatchKind = 'enter' | 'stay' | 'leave';

/**
 * An event as a subscriber receives it: the hub's event plus, for filtered subscriptions, `match`.
 * `seq` is absent only on presence events (`user.joined`, `user.left`, `user.state`); `account` and `actor` are
 * present when the server sends them (the REST event log does, the native frame may not).
 */
export type ClientEvent = Omit<HubEvent, 'seq' | 'account'> & {
  seq?: number;
  account?: string;
  match?: MatchKind;
};

/** What a subscription asks for; everything is optional and narrows what the handler receives. */
export interface SubscribeOptions {
  /** A filter in the shared filter language (`src/shared/filter`): a live query over the collection. */
  filter?: Record<string, unknown>;
  /** Only these event types, e.g. `['record.created']`. */
  events?: EventType[];
  /** Only events for this record id. */
  id?: string;
  /** Trim `data` and `previous` to these fields (`id` always stays). */
  select?: string[];
}

/** Receives the events of one subscription, each seq at most once, in seq order. */
export type EventHandler = (event: ClientEvent) => void;

/** The connection's life cycle; `polling` is the REST fallback's steady state. */
export type ConnectionStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'polling' | 'closed';

/** An error the client met: a close code, a server error frame, a failed poll, a bad filter. */
export interface ClientErrorInfo {
  /** Stable code: the server's (`invalid_token`, `resume_gap`, `invalid_filter`, …) or the client's (`network`, `closed`). */
  code: string;
  message: string;
  /** The WebSocket close code, when the error is a close. */
  closeCode?: number;
  /** The collection the error concerns, when known. */
  collection?: string;
}

/** A snapshot of the connection state handed to `onState` listeners. */
export interface ConnectionState {
  status: ConnectionStatus;
  /** Which transport is (or will be) used. */
  transport: 'websocket' | 'polling';
  /** The last error seen; kept until the next successful open or poll. */
  error?: ClientErrorInfo;
  /** Reconnect attempts since the last stable connection. */
  attempt: number;
}

/** The server no longer holds the events after the client's last seq: the app should reload its data. */
export interface GapInfo {
  /** The collection whose subscription could not resume; absent when polling (all subscriptions). */
  collection?: string;
  oldest_seq?: number;
  last_seq?: number;
}

/** Exponential backoff with full jitter: the n-th retry waits a random time in [0, min(maxMs, initialMs·2^n)]. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** The subset of the WebSocket API the client uses; both the browser's and `ws`'s class satisfy it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: never) => void) | null;
  onmessage: ((ev: never) => void) | null;
  onclose: ((ev: never) => void) | null;
  onerror: ((ev: never) => void) | null;
}

/** A WebSocket constructor, e.g. the global `WebSocket` or `ws`'s export. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** A `fetch` implementation; the global one by default. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Why the client asks `getToken`: before a connect (`{}`), or after the server refused `rejected`. */
export interface TokenRequest {
  rejected?: string;
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:8000`; a function is asked again before each connect. */
  url: string | (() => string);
  /** An access token or API key; anonymous when absent. */
  token?: string;
  /**
   * Asked for a token before each connect and after the server rejects one (close 4001 or HTTP 401; then
   * `rejected` is the token it refused, so an app can refresh its login). Returning the token that was
   * just rejected (or nothing) stops reconnecting until `setToken`.
   */
  getToken?: (request: TokenRequest) => string | undefined | Promise<string | undefined>;
  /** A WebSocket constructor; defaults to the global one (browsers, Node 22+). */
  WebSocket?: WebSocketConstructor;
  /** A fetch implementation; defaults to the global one. */
  fetch?: FetchLike;
  /** Reconnect and poll-retry backoff (default 500 ms up to 30 s). */
  backoff?: Partial<BackoffOptions>;
  /** Polling transport: the wait between polls when caught up (default 2 s). */
  pollIntervalMs?: number;
  /** `auto` (default): WebSocket when a constructor is available, else REST polling. */
  transport?: 'auto' | 'websocket' | 'polling';
  /**
   * A connection that hears nothing (the server pings every 30 s) for this long is presumed dead and
   * replaced (default 75 s).
   */
  idleTimeoutMs?: number;
}

/** The native dialect's server -> client frames the SDK reads. */
export type ServerFrame =
  | { type: 'connected'; data: { connection_id: string; server_time: string } }
  | { type: 'authenticated'; data: { user_id: string; email?: string } }
  | { type: 'subscribed'; data: { collection: string; filter?: unknown; last_seq?: number } }
  | { type: 'unsubscribed'; data: { collection: string } }
  | { type: 'event'; data: ClientEvent; timestamp?: string }
  | { type: 'ping'; timestamp?: string; last_seq?: number }
  | { type: 'resumed'; data: { collection: string; last_seq: number } }
  | { type: 'pong' }
  | { type: 'presence'; data: { state: Record<string, unknown> } }
  | {
      type: 'error';
      data: { message: string; code?: string; collection?: string; oldest_seq?: number; last_seq?: number };
    };

/** The native `subscribe` action as the SDK sends it. */
export interface SubscribeFrame {
  action: 'subscribe';
  collection: string;
  filter?: Record<string, unknown>;
  events?: EventType[];
  id?: string;
  select?: string[];
  since?: number;
}
