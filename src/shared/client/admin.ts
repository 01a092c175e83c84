/**
 * Typed helpers for the admin REST API — collections, users, API keys, stats, presence, settings, the
 * event log — and for auth (login, refresh, logout, me). They share the client's HTTP context (base URL,
 * bearer token, fetch) and throw {@link ApiError} for every failure.
 */
import type {
  ApiKey,
  ApiKeyInput,
  CollectionInput,
  CollectionListItem,
  CollectionPatch,
  CreatedApiKey,
  EventsPage,
  EventsQuery,
  Health,
  InstanceSettings,
  Me,
  PresenceList,
  RuleCheckInput,
  RuleCheckResult,
  ServerStats,
  SettingsPatch,
  User,
  UserInput,
  UserPatch,
} from '../admin';
import type { Collection } from '../schema';
import { requestJson, type HttpContext, type LoginResult } from './rest';

/** Collections as an admin sees them (with rules). */
export interface CollectionsApi {
  /** Every collection the caller may see, each with `count` (its records the caller may list). */
  list(): Promise<CollectionListItem[]>;
  get(name: string): Promise<Collection>;
  create(input: CollectionInput): Promise<Collection>;
  update(name: string, patch: CollectionPatch): Promise<Collection>;
  /** Drops the collection and all its records. */
  delete(name: string): Promise<void>;
  /**
   * Dry-runs a rule: would `input.as` be allowed `input.rule` (on a record)? Says which step or filter
   * clause decided. `account` picks the record's account when several hold its id (superuser only).
   */
  checkRule(name: string, input: RuleCheckInput, opts?: { account?: string }): Promise<RuleCheckResult>;
}

/** Users of the caller's account (every account for the superuser). */
export interface UsersApi {
  list(): Promise<User[]>;
  get(id: string): Promise<User>;
  create(input: UserInput): Promise<User>;
  update(id: string, patch: UserPatch): Promise<User>;
  delete(id: string): Promise<void>;
}

/** Long-lived API keys; the secret comes back once, from `create`. */
export interface KeysApi {
  list(): Promise<ApiKey[]>;
  create(input: ApiKeyInput): Promise<CreatedApiKey>;
  delete(id: string): Promise<void>;
}

/** Instance settings (superuser only). */
export interface SettingsApi {
  get(): Promise<InstanceSettings>;
  /** Resolves once the server applied the change (joining a Redis cluster can take seconds). */
  patch(patch: SettingsPatch): Promise<InstanceSettings>;
}

/** Everything an admin console needs besides records. */
export interface AdminApi {
  collections: CollectionsApi;
  users: UsersApi;
  keys: KeysApi;
  settings: SettingsApi;
  /** `GET /api/v1/health`: needs no token. */
  health(): Promise<Health>;
  stats(): Promise<ServerStats>;
  presence(): Promise<PresenceList>;
  /** One page of the event log the caller may see; a 410 `resume_gap` when `since` is too old. */
  events(query?: EventsQuery): Promise<EventsPage>;
}

/** The auth endpoints; the client's own `auth` also keeps the token they return. */
export interface AuthApi {
  login(email: string, password: string): Promise<LoginResult>;
  /** Rotates a refresh token: the old one stops working; presenting it again revokes the login. */
  refresh(refreshToken: string): Promise<LoginResult>;
  /** Ends the current login (its access and refresh tokens stop working). */
  logout(): Promise<void>;
  me(): Promise<Me>;
}

const seg = encodeURIComponent;

/** The admin helpers over one HTTP context. */
export function adminApi(ctx: HttpContext): AdminApi {
  const get = <T>(path: string) => requestJson<T>(ctx, 'GET', path);
  const items = async <T>(path: string) => (await get<{ items: T[] }>(path)).items;
  return {
    collections: {
      list: () => items<Collection>('/api/v1/collections'),
      get: (name) => get(`/api/v1/collections/${seg(name)}`),
      create: (input) => requestJson(ctx, 'POST', '/api/v1/collections', input),
      update: (name, patch) => requestJson(ctx, 'PATCH', `/api/v1/collections/${seg(name)}`, patch),
      delete: (name) => requestJson<void>(ctx, 'DELETE', `/api/v1/collections/${seg(name)}`),
      checkRule: (name, input, opts = {}) =>
        requestJson(
          ctx,
          'POST',
          `/api/v1/collections/${seg(name)}/rules/check${opts.account ? `?account=${seg(opts.account)}` : ''}`,
          input,
        ),
    },
    users: {
      list: () => items<User>('/api/v1/users'),
      get: (id) => get(`/api/v1/users/${seg(id)}`),
      create: (input) => requestJson(ctx, 'POST', '/api/v1/users', input),
      update: (id, patch) => requestJson(ctx, 'PATCH', `/api/v1/users/${seg(id)}`, patch),
      delete: (id) => requestJson<void>(ctx, 'DELETE', `/api/v1/users/${seg(id)}`),
    },
    keys: {
      list: () => items<ApiKey>('/api/v1/keys'),
      create: (input) => requestJson(ctx, 'POST', '/api/v1/keys', input),
      delete: (id) => requestJson<void>(ctx, 'DELETE', `/api/v1/keys/${seg(id)}`),
    },
    settings: {
      get: () => get('/api/v1/settings'),
      patch: (patch) => requestJson(ctx, 'PATCH', '/api/v1/settings', patch),
    },
    health: () => get('/api/v1/health'),
    stats: () => get('/api/v1/stats'),
    presence: () => get('/api/v1/presence'),
    events(query = {}) {
      const q = new URLSearchParams();
      if (query.since !== undefined) q.set('since', String(query.since));
      if (query.since_time !== undefined) q.set('since_time', query.since_time);
      if (query.limit !== undefined) q.set('limit', String(query.limit));
      if (query.collection) q.set('collection', query.collection);
      const qs = q.toString();
      return get(qs ? `/api/v1/events?${qs}` : '/api/v1/events');
    },
  };
}

/** The raw auth endpoints over one HTTP context (they do not keep tokens; the client does). */
export function authApi(ctx: HttpContext): AuthApi {
  return {
    login: (email, password) => requestJson(ctx, 'POST', '/api/v1/auth/login', { email, password }),
    refresh: (refreshToken) =>
      requestJson(ctx, 'POST', '/api/v1/auth/refresh', { refresh_token: refreshToken }),
    logout: () => requestJson<void>(ctx, 'POST', '/api/v1/auth/logout'),
    me: () => get(ctx, '/api/v1/auth/me'),
  };
}

function get<T>(ctx: HttpContext, path: string): Promise<T> {
  return requestJson<T>(ctx, 'GET', path);
}
