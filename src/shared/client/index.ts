/**
 * The Switchboard client SDK, environment-neutral (browsers, Node 22+, or Node 20 with an injected
 * `ws` WebSocket). `createClient({ url })` gives live subscriptions over the native realtime dialect
 * with automatic reconnect, resume from the last seq and per-handler dedupe, a REST polling fallback
 * when no WebSocket exists, REST helpers (`records(name)`), auth that keeps the token (`auth.login`,
 * `auth.refresh`, `auth.logout`, `auth.me`) and typed admin helpers (`admin.users.list()`, …); every REST
 * failure is an `ApiError` with `status`, `code`, `message`, `details` (and `retry_after_s` on a 429).
 *
 * ```ts
 * const sb = createClient({ url: 'http://127.0.0.1:8000', getToken: () => session.token });
 * sb.onState((s) => show(s.status, s.error?.message));
 * sb.onGap(() => reloadEverything());
 * const off = sb.subscribe('posts', { filter: { published: true } }, (e) => apply(e));
 * await off.ready; // from here on, every change arrives once, in seq order
 * ```
 */
export { createClient, type SwitchboardClient, type Unsubscribe } from './client';
export {
  adminApi,
  authApi,
  type AdminApi,
  type AuthApi,
  type CollectionsApi,
  type KeysApi,
  type SettingsApi,
  type UsersApi,
} from './admin';
export type * from '../admin';
export { DEFAULT_ACCOUNT, ROLES } from '../admin';
export { SubscriptionError } from './subscriptions';
export { backoffDelay, DEFAULT_BACKOFF } from './backoff';
export {
  ApiError,
  type AuthUser,
  type ListParams,
  type ListResult,
  type LoginResult,
  type RecordsApi,
} from './rest';
export { inferFieldTypes, matchEvent, PRESENCE } from './matcher';
export { realtimeUrl } from './event-link';
export * from './records-admin';
export * from './live-collection';
export type {
  BackoffOptions,
  ClientErrorInfo,
  ClientEvent,
  ClientOptions,
  ConnectionState,
  ConnectionStatus,
  EventHandler,
  FetchLike,
  GapInfo,
  MatchKind,
  SubscribeOptions,
  TokenRequest,
  WebSocketConstructor,
  WebSocketLike,
} from './types';
export { monitorApi, monitorFeedUrl, type MonitorApi, type MonitorApiOptions } from './monitor';
