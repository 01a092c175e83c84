/**
 * How cluster membership — the registry of instances (registry.ts) and cluster-wide presence
 * (cluster-presence.ts) — sits in Redis: its keys, its refresh and expiry timings, and the Lua
 * plumbing both use. The state edges mirror from the primary is in state-keys.ts.
 */
import { DEFAULT_BACKOFF, type Backoff, type RedisLink } from './redis-link';

/** Where the registry and cluster presence keep their keys, unless configured otherwise. */
export const DEFAULT_CLUSTER_PREFIX = 'switchboard:cluster';
// note: once a second keeps `last_seen` and the figures in GET /stats fresh for one small write.
export const DEFAULT_REFRESH_MS = 1000;
// note: five missed refreshes is a dead process, not a GC pause or a busy second.
export const DEFAULT_DEAD_AFTER_MS = 5000;

/**
 * Reconnect timing for the registry and presence: the usual backoff, capped at half the
 * dead-instance timeout, so an instance is back well before the others would reap it.
 */
export function clusterBackoff(deadAfterMs: number): Backoff {
  return {
    baseMs: DEFAULT_BACKOFF.baseMs,
    maxMs: Math.min(DEFAULT_BACKOFF.maxMs, Math.max(1, deadAfterMs / 2)),
  };
}

/** The Redis keys of one cluster's membership (all instances must use the same prefix). */
export function membershipKeys(prefix = DEFAULT_CLUSTER_PREFIX) {
  return {
    /** HASH instance id → InstanceInfo JSON (without last_seen). */
    instances: `${prefix}:instances`,
    /** ZSET instance id → last refresh, ms by the Redis clock (so instances' clocks may differ). */
    heartbeats: `${prefix}:heartbeats`,
    /** SET of instances whose connections are counted in presence. */
    members: `${prefix}:presence:members`,
    /** HASH principal key → connections anywhere in the cluster. */
    users: `${prefix}:presence:users`,
    /** STREAM of cluster presence events (user.joined/left/state, reaped). */
    events: `${prefix}:presence:events`,
    /** STRING set once per Redis dataset: a new value means Redis lost its data. */
    epoch: `${prefix}:presence:epoch`,
    /** HASH connection id → connection JSON, one per instance (this prefix + instance id). */
    connsPrefix: `${prefix}:presence:conns:`,
  };
}

/** The keys membershipKeys() gives. */
export type MembershipKeys = ReturnType<typeof membershipKeys>;

/** Lua prelude: `now`, ms by the Redis clock (scripts are replicated by effects since Redis 5). */
export const LUA_NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Runs a Lua script with EVAL (Redis caches it by its digest). Never EVALSHA with an EVAL
 * retry: the retry would run after commands sent later on the same connection.
 */
export function runScript(link: RedisLink, source: string, keys: string[], args: string[]): Promise<unknown> {
  return link.eval(source, { keys, arguments: args }) as Promise<unknown>;
}
