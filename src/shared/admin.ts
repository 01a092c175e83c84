/**
 * Wire shapes of the admin REST API (users, API keys, stats, presence, settings, the event log, auth): what
 * the server sends and the SDK and the console read. Record and collection shapes live in `schema.ts`,
 * events in `events.ts`, the error envelope in `errors.ts`.
 */
import type { HubEvent } from './events';
import type { Collection, FieldDef, Rule, RuleOp, Rules } from './schema';

/** What a user or key may do inside its account. */
export type Role = 'admin' | 'editor' | 'viewer';
/** The roles in order of power, for pickers. */
export const ROLES: readonly Role[] = ['admin', 'editor', 'viewer'];

/** The account every user, key and record belongs to unless told otherwise. */
export const DEFAULT_ACCOUNT = 'default';

/** A user as the API shows it (never the password hash). */
export interface User {
  id: string;
  email: string;
  role: Role;
  account: string;
  /** The user created at first run: sees every account, cannot be deleted or demoted. */
  superuser: boolean;
  created_at: string;
  updated_at: string;
}

/** `POST /api/v1/users`; role defaults to viewer, account to the caller's. */
export interface UserInput {
  email: string;
  password: string;
  role?: Role;
  account?: string;
}

/** `PATCH /api/v1/users/{id}`: a new password or account ends the user's other logins. */
export type UserPatch = Partial<UserInput>;

/** An API key as listed: the secret itself is shown once, at creation. */
export interface ApiKey {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it. */
  prefix: string;
  role: Role;
  account: string;
  /** The collections the key may touch; null: all of its account's. */
  collections: string[] | null;
  created_at: string;
  last_used_at: string | null;
}

/** `POST /api/v1/keys`. */
export interface ApiKeyInput {
  name: string;
  role?: Role;
  account?: string;
  collections?: string[] | null;
}

/** A key just created: the listing plus the secret, which the server never shows again. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

/** `POST /api/v1/collections`: omitted rules are `"admin"`. */
export interface CollectionInput {
  name: string;
  fields: FieldDef[];
  rules?: Partial<Rules>;
}

/**
 * `PATCH /api/v1/collections/{name}`: `name` renames the collection; `fields` is the whole new list (a field
 * left out is dropped with its data), a field with `previous_name` renames an existing one.
 */
export interface CollectionPatch {
  name?: string;
  fields?: (FieldDef & { previous_name?: string })[];
  rules?: Partial<Rules>;
}

/** One item of `GET /api/v1/collections`: the collection and how many records the caller may list. */
export interface CollectionListItem extends Collection {
  /** Records the caller may list (its account's; every account's for the superuser); null: the list rule refuses. */
  count?: number | null;
}

/** Whom a rule dry run checks as: a user, an API key or an anonymous caller. */
export type RuleCheckAs = { user_id: string } | { key_id: string } | { anonymous: true };

/** `POST /api/v1/collections/{name}/rules/check`. */
export interface RuleCheckInput {
  rule: RuleOp;
  /** A rule to test instead of the saved one (the console's unsaved edit). */
  expression?: Rule;
  /** Defaults to the caller. */
  as?: RuleCheckAs;
  /** A stored record. */
  record_id?: string;
  /** A hypothetical record (for update with record_id: the change applied to it). */
  record?: Record<string, unknown>;
}

/** The step of the rule check that decided, in the order the server checks them. */
export type RuleDecisionKind =
  'scope' | 'role' | 'account' | 'superuser' | 'admin' | 'public' | 'auth' | 'filter';

/** What decided a rule check; for a filter, the clause (for `$and` the first false, for `$or` the first true). */
export interface RuleDecision {
  kind: RuleDecisionKind;
  clause?: { expression: Record<string, unknown>; value: boolean; actual?: unknown };
  /** Where the clause sits in the parsed filter, e.g. `$and[1]`; `""` for the whole filter. */
  path?: string;
}

/** The answer of a rule dry run. */
export interface RuleCheckResult {
  allowed: boolean;
  /** The rule that was checked (the saved one, or `expression`). */
  rule: Rule;
  decided_by: RuleDecision;
  /** One sentence saying why. */
  reason: string;
  as:
    | { kind: 'user' | 'key'; id: string; role: Role; account: string; superuser: boolean }
    | { anonymous: true; account: string };
}

/** `GET /api/v1/health`. */
export interface Health {
  status: 'ok';
  version: string;
  uptime_s: number;
  started_at: string;
}

/** `GET /api/v1/stats`: the figures of the caller's account (the superuser's: the server's). */
export interface ServerStats {
  total_connections: number;
  authenticated_connections: number;
  unique_users: number;
  pubsub_backend: 'memory' | 'redis';
  /** Connection id -> the collections it subscribes to. */
  subscriptions: Record<string, string[]>;
  subscriptions_by_collection: Record<string, number>;
  connections_by_dialect: Record<string, number>;
  events_total: number;
  messages_in: number;
  messages_out: number;
  bytes_in: number;
  bytes_out: number;
  dropped: number;
  slow_consumers_closed: number;
  collections: number;
  last_seq: number;
  uptime_s: number;
  /** Rates and cluster figures the server adds. */
  [figure: string]: unknown;
}

/** One present user or key (`GET /api/v1/presence`). */
export interface PresentUser {
  user_id: string;
  email?: string;
  kind: 'user' | 'key';
  account: string;
  connections: number;
  dialects: string[];
  since: string;
  state?: Record<string, unknown>;
}

/** `GET /api/v1/presence`. */
export interface PresenceList {
  users: PresentUser[];
}

/** The instance's scale-out (Redis) setting as the server reports it. */
export interface ScaleOutStatus {
  /** The Redis URL in use or being tried, password masked; null when single-process. */
  redis_url: string | null;
  /** `flag`: --redis / SWITCHBOARD_REDIS_URL; `setting`: saved from the console. */
  source: 'flag' | 'setting' | null;
  state: 'off' | 'connected' | 'error';
  /** Why the saved Redis could not be reached (state `error` only). */
  error?: string;
  /** False when the flag set it: the console may not change it then. */
  editable: boolean;
}

/** One instance setting's value and when a change takes effect (`next_start`: a start-up flag). */
export interface SettingValue {
  value: number;
  applies: 'live' | 'next_start';
}

/** How long the event log keeps events (what a reconnecting client can resume from). */
export interface RetentionSettings {
  max_events: SettingValue;
  max_age_ms: SettingValue;
}

/** `GET /api/v1/settings` (superuser only); limits, heartbeat and retention when the server provides them. */
export interface InstanceSettings {
  scale_out: ScaleOutStatus;
  /** e.g. `body_bytes`, `access_token_ttl_s`, `max_connections`, `max_message_bytes`. */
  limits?: Record<string, SettingValue>;
  /** e.g. `ping_every_ms`, `dead_after_ms`, `sweep_every_ms`. */
  heartbeat?: Record<string, SettingValue>;
  retention?: RetentionSettings;
}

/** Retention limits the server accepts (docs/rest.md). */
export const RETENTION_RANGE = {
  max_events: [100, 100_000_000],
  max_age_ms: [60_000, 315_360_000_000],
} as const;

/** `PATCH /api/v1/settings`: null for redis_url goes back to a single process; retention applies live. */
export interface SettingsPatch {
  redis_url?: string | null;
  retention?: { max_events?: number; max_age_ms?: number };
}

/** `GET /api/v1/events` query. */
export interface EventsQuery {
  /** Events after this seq (default 0). */
  since?: number;
  /** Instead of `since`: start at the first event committed at or after this ISO 8601 time. */
  since_time?: string;
  /** At most this many scanned per page (1-1000, default 100). */
  limit?: number;
  collection?: string;
}

/** One page of the event log; ask again from `next_since` until it equals `last_seq`. */
export interface EventsPage {
  events: HubEvent[];
  next_since: number;
  last_seq: number;
}

/** `GET /api/v1/auth/me`: the signed-in user, or the API key in use. */
export type Me = { kind: 'user'; user: User } | { kind: 'key'; key: ApiKey };
