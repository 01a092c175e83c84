/**
 * `createClient`: the SDK's entry point, tying the subscription book (the app's subscriptions), the event
 * link (a WebSocket or REST polling) and the REST helpers together.
 */
import { adminApi, authApi, type AdminApi, type AuthApi } from './admin';
import { resolveBackoff } from './backoff';
import type { EventLink, LinkHost } from './event-link';
import { FilterResolver } from './filters';
import { recordsApi, type AuthUser, type HttpContext, type LoginResult, type RecordsApi } from './rest';
import { PollingLink } from './polling-link';
import { SocketLink } from './socket-link';
import { SubscriptionBook } from './subscriptions';
import type {
  ClientErrorInfo,
  ClientOptions,
  ConnectionState,
  EventHandler,
  GapInfo,
  SubscribeOptions,
  WebSocketConstructor,
} from './types';
import type { RecordData } from '../schema';

// note: the server pings every 30 s; missing two pings and a half means the connection is gone.
const DEFAULT_IDLE_TIMEOUT_MS = 75_000;
const DEFAULT_POLL_INTERVAL_MS = 2000;
// note: a connection that lasts this long was not refused; only then does the backoff start over.
const STABLE_MS = 5000;

/** A Switchboard client: live subscriptions over WebSocket (or polling) plus small REST helpers. */
export interface SwitchboardClient {
  /**
   * Subscribes `handler` to a collection (`'*'` for all, `'presence'` for presence events). Connects
   * on first use. Returns the unsubscribe function; its `ready` resolves once the server confirmed
   * the subscription (every later change will arrive) and rejects with a `SubscriptionError` if the
   * server refused it. Each seq reaches a handler at most once, in seq order.
   */
  subscribe(collection: string, options: SubscribeOptions, handler: EventHandler): Unsubscribe;
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Calls `listener` now and on every state change; returns a function that stops it. */
  onState(listener: (state: ConnectionState) => void): () => void;
  /** Calls `listener` when events were lost beyond the server's retention: reload the data. */
  onGap(listener: (gap: GapInfo) => void): () => void;
  /** Calls `listener` for errors that do not change the state: server error frames, bad filters, throwing handlers. */
  onError(listener: (error: ClientErrorInfo) => void): () => void;
  /** Sets this connection's presence state (kept and sent again after every reconnect). */
  presence(state: Record<string, unknown>): void;
  /** Replaces the token and reconnects with it, resuming where the old connection stopped. */
  setToken(token: string | undefined): void;
  /** Logs in, keeps the access token for REST and realtime, and reconnects with it if connected. */
  login(email: string, password: string): Promise<LoginResult>;
  /** The signed-in user, when known from `login`. */
  readonly user: AuthUser | undefined;
  /** The access token or API key requests and connections use now. */
  readonly token: string | undefined;
  /**
   * Auth that keeps the token: `login` and `refresh` adopt the new access token (REST at once, realtime by
   * reconnecting and resuming), `logout` ends the login and drops it; `me` asks who the token is.
   */
  readonly auth: AuthApi;
  /** Typed admin helpers: collections, users, keys, settings, health, stats, presence, the event log. */
  readonly admin: AdminApi;
  /** CRUD helpers for one collection's records. */
  records<T extends RecordData = RecordData>(collection: string): RecordsApi<T>;
  /** Closes the connection for good; subscriptions stop. */
  close(): void;
}

/** Ends a subscription; `ready` tells when it is live. */
export type Unsubscribe = (() => void) & { readonly ready: Promise<void> };

function globalWebSocket(): WebSocketConstructor | undefined {
  const ws = (globalThis as { WebSocket?: unknown }).WebSocket;
  return typeof ws === 'function' ? (ws as WebSocketConstructor) : undefined;
}

/**
 * Creates a client. Nothing connects until the first `subscribe` or `presence`. Throws at once for
 * impossible options (a `websocket` transport with no WebSocket, no fetch, a bad backoff).
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  const fetchImpl = options.fetch ?? (globalThis.fetch ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetchImpl) throw new Error('no fetch: pass options.fetch');
  const WS = options.WebSocket ?? globalWebSocket();
  const mode = options.transport ?? 'auto';
  if (mode === 'websocket' && !WS)
    throw new Error('transport "websocket" needs a WebSocket: pass options.WebSocket');
  const transportKind = mode === 'polling' || !WS ? 'polling' : 'websocket';
  const backoff = resolveBackoff(options.backoff);

  let token = options.token;
  let fresh = false; // a token from refreshToken that the next connect uses without asking again
  let closed = false;
  let state: ConnectionState = { status: 'idle', transport: transportKind, attempt: 0 };
  let presenceState: Record<string, unknown> | undefined;
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const gapListeners = new Set<(g: GapInfo) => void>();
  const errorListeners = new Set<(e: ClientErrorInfo) => void>();

  const http: HttpContext = {
    baseUrl: () => (typeof options.url === 'function' ? options.url() : options.url),
    token: () => token,
    fetch: fetchImpl,
  };
  const emit = <T>(listeners: Set<(v: T) => void>, value: T): void => {
    for (const l of [...listeners]) {
      try {
        l(value);
      } catch {
        // a listener's failure is its own
      }
    }
  };
  const reportError = (e: ClientErrorInfo): void => emit(errorListeners, e);
  const resolver = new FilterResolver(http, reportError);
  const subscriptions = new SubscriptionBook(resolver, reportError);

  const host: LinkHost = {
    subscriptions,
    resolver,
    http,
    backoff,
    async currentToken() {
      if (options.getToken && !fresh) {
        const t = await options.getToken({});
        if (t !== undefined && t !== token) {
          token = t;
          resolver.reset();
        }
      }
      fresh = false;
      return token;
    },
    async refreshToken(rejected) {
      if (!options.getToken) return null;
      const t = await options.getToken({ rejected });
      if (!t || t === rejected) return null;
      token = t;
      fresh = true;
      resolver.reset();
      return t;
    },
    setState(patch) {
      if (closed && patch.status !== 'closed') return;
      state = { ...state, ...patch };
      if ('error' in patch && patch.error === undefined) delete state.error;
      emit(stateListeners, state);
    },
    gap: (g) => emit(gapListeners, g),
    error: reportError,
    presence: () => presenceState,
  };

  const link: EventLink =
    transportKind === 'websocket'
      ? new SocketLink(host, {
          WebSocket: WS!,
          idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
          stableMs: STABLE_MS,
        })
      : new PollingLink(host, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);

  const listen = <T>(set: Set<T>, l: T): (() => void) => {
    set.add(l);
    return () => void set.delete(l);
  };
  const reconnect = (): void => {
    if (!closed && state.status !== 'idle') link.restart();
  };
  const adopt = (t: string | undefined, user?: AuthUser): void => {
    token = t;
    fresh = true;
    resolver.reset(user);
    reconnect();
  };
  const rawAuth = authApi(http);
  const auth: AuthApi = {
    async login(email, password) {
      const result = await rawAuth.login(email, password);
      adopt(result.access_token, result.user);
      return result;
    },
    async refresh(refreshToken) {
      const result = await rawAuth.refresh(refreshToken);
      adopt(result.access_token, result.user);
      return result;
    },
    async logout() {
      try {
        if (token) await rawAuth.logout();
      } finally {
        adopt(undefined);
      }
    },
    me: () => rawAuth.me(),
  };

  return {
    subscribe(collection, opts, handler) {
      if (closed) throw new Error('client is closed');
      const h = subscriptions.add(collection, opts ?? {}, handler);
      link.start();
      link.sync();
      let done = false;
      const off = () => {
        if (done) return;
        done = true;
        subscriptions.remove(h);
        if (!closed) link.sync();
      };
      return Object.assign(off, { ready: h.ready });
    },
    get state() {
      return state;
    },
    onState(listener) {
      listener(state);
      return listen(stateListeners, listener);
    },
    onGap: (listener) => listen(gapListeners, listener),
    onError: (listener) => listen(errorListeners, listener),
    presence(s) {
      if (closed) throw new Error('client is closed');
      presenceState = s;
      link.start();
      link.sendPresence();
    },
    setToken(t) {
      adopt(t);
    },
    login: (email, password) => auth.login(email, password),
    get user() {
      return resolver.user;
    },
    get token() {
      return token;
    },
    auth,
    admin: adminApi(http),
    records: (collection) => recordsApi(http, collection),
    close() {
      if (closed) return;
      link.stop();
      host.setState({ status: 'closed' });
      closed = true;
    },
  };
}
