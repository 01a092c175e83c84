import type { Principal } from '../auth/principal';
import { principalKey, type PresentUser } from '../realtime/presence';
import type { Connection, LiveEvent } from '../realtime/types';
import type { LinkLoopOptions, LinkLoopStatus } from './link-loop';
import type { Registry } from './registry';

/** One authenticated connection, as plain data (connInfo() builds it from a hub connection). */
export interface ConnInfo {
  connectionId: string;
  principal: Pick<Principal, 'kind' | 'id' | 'email' | 'account'>;
  dialect: string;
  connectedAt: number;
  state?: Record<string, unknown>;
}

/** The ConnInfo of a hub connection; undefined while it is anonymous. */
export function connInfo(conn: Connection): ConnInfo | undefined {
  const p = conn.principal;
  if (!p) return undefined;
  return {
    connectionId: conn.id,
    principal: { kind: p.kind, id: p.id, account: p.account, ...(p.email ? { email: p.email } : {}) },
    dialect: conn.transport.dialect,
    connectedAt: conn.connectedAt,
    ...(conn.presenceState ? { state: conn.presenceState } : {}),
  };
}

/** A connection as Redis stores it and presence stream entries carry it (JSON). */
export interface StoredConn {
  cid: string;
  /** principalKey(): the presence identity (the Lua scripts count by it). */
  pk: string;
  id: string;
  kind: 'user' | 'key';
  email?: string;
  account: string;
  dialect: string;
  /** connectedAt, ms since epoch. */
  since: number;
  state?: Record<string, unknown>;
  /** When the state was set: the latest one is the user's. */
  stateAt?: number;
}

export type PresenceType = 'user.joined' | 'user.left' | 'user.state';

export function toStored(i: ConnInfo): StoredConn {
  const p = i.principal;
  return {
    cid: i.connectionId,
    pk: principalKey(p as Principal),
    id: p.id,
    kind: p.kind,
    ...(p.email ? { email: p.email } : {}),
    account: p.account,
    dialect: i.dialect,
    since: i.connectedAt,
    ...(i.state ? { state: i.state, stateAt: Date.now() } : {}),
  };
}

/** Parses stored connections, skipping whatever is not one. */
export function parseConns(raw: readonly string[]): StoredConn[] {
  const out: StoredConn[] = [];
  for (const r of raw) {
    try {
      const s = JSON.parse(r) as StoredConn;
      if (typeof s?.pk === 'string' && typeof s.cid === 'string') out.push(s);
    } catch {
      // not ours: skipped
    }
  }
  return out;
}

/** The event in the shape the local Presence emits (data: user_id, kind, connection_id, dialect, email?, state?). */
export function liveEvent(type: PresenceType, c: StoredConn, at = Date.now()): LiveEvent {
  const data: Record<string, unknown> = {
    user_id: c.id,
    kind: c.kind,
    connection_id: c.cid,
    dialect: c.dialect,
  };
  if (c.email) data.email = c.email;
  if (c.state) data.state = c.state;
  return { type, account: c.account, actor: c.id, data, timestamp: new Date(at).toISOString() };
}

/** Groups connections by user as Presence.list() shows them; scope null means every account. */
export function presentUsers(conns: readonly StoredConn[], scope: string | null): PresentUser[] {
  const byUser = new Map<string, StoredConn[]>();
  for (const c of [...conns].sort((a, b) => a.since - b.since)) {
    if (scope !== null && c.account !== scope) continue;
    const list = byUser.get(c.pk);
    if (list) list.push(c);
    else byUser.set(c.pk, [c]);
  }
  return [...byUser.values()].map((cs) => {
    const p = cs[0]!;
    const state = cs
      .filter((c) => c.state)
      .sort((a, b) => (a.stateAt ?? a.since) - (b.stateAt ?? b.since))
      .at(-1)?.state;
    return {
      user_id: p.id,
      ...(p.email ? { email: p.email } : {}),
      kind: p.kind,
      account: p.account,
      connections: cs.length,
      dialects: [...new Set(cs.map((c) => c.dialect))],
      since: new Date(p.since).toISOString(),
      ...(state ? { state } : {}),
    };
  });
}

export interface ClusterPresenceOptions extends LinkLoopOptions {
  /** This instance's registry: its id, Redis URL, key prefix and dead-instance timeout apply. */
  registry: Pick<Registry, 'id' | 'url' | 'prefix' | 'deadAfterMs'>;
  /** Cluster-level user.joined / user.left / user.state, for this instance's subscribers. */
  onEvent: (ev: LiveEvent) => void;
  /** How often this instance looks for dead ones to reap. */
  reapEveryMs?: number;
  blockMs?: number;
  /** The presence stream's approximate cap. */
  maxEvents?: number;
}

export interface ClusterPresenceStatus extends LinkLoopStatus {
  /** Registered and reading the cluster's events (false: local only, until Redis is back). */
  connected: boolean;
  /** This instance's authenticated connections. */
  connections: number;
  /** Users this instance's subscribers were told are present. */
  users: number;
  /** Events handed to onEvent. */
  delivered: number;
  /** Dead instances this one reaped. */
  reaped: number;
  /** Re-registrations after this instance was reaped while alive. */
  resyncs: number;
}
