/**
 * The seam between the client and its two ways of receiving events: a WebSocket (SocketLink) or REST
 * polling (PollingLink).
 */
import type { FilterResolver } from './filters';
import type { HttpContext } from './rest';
import type { SubscriptionBook } from './subscriptions';
import type { BackoffOptions, ClientErrorInfo, ConnectionState, GapInfo } from './types';

/** What a link gets from the client. */
export interface LinkHost {
  readonly subscriptions: SubscriptionBook;
  readonly resolver: FilterResolver;
  readonly http: HttpContext;
  readonly backoff: BackoffOptions;
  /** The token to connect with now (asks `getToken` when configured). */
  currentToken(): Promise<string | undefined>;
  /** After the server rejected `rejected`: a different token to retry with, or null to stop. */
  refreshToken(rejected: string | undefined): Promise<string | null>;
  setState(patch: Partial<ConnectionState>): void;
  gap(info: GapInfo): void;
  error(info: ClientErrorInfo): void;
  /** The presence state the app set, if any. */
  presence(): Record<string, unknown> | undefined;
}

/** A way of receiving events; created once per client, started lazily. */
export interface EventLink {
  /** Starts connecting (no-op when already running). */
  start(): void;
  /** Stops for good: closes the connection, cancels timers. */
  stop(): void;
  /** Brings the server side in line with the subscriptions (subscribe, resubscribe, unsubscribe). */
  sync(): void;
  /** Sends the presence state now, if connected. */
  sendPresence(): void;
  /** Drops the connection and connects again at once (the token changed), resuming from the cursors. */
  restart(): void;
}

/** `http(s)://host:port` -> `ws(s)://host:port/api/v1/ws/realtime[?token=T]`. */
export function realtimeUrl(base: string, token: string | undefined): string {
  const u = new URL('/api/v1/ws/realtime', base);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) u.searchParams.set('token', token);
  return u.toString();
}
