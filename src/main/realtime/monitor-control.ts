import type { HubEvent } from '../../shared/events';
import {
  MONITOR_DISCONNECT_CODE,
  type ExplainConnection,
  type FanoutFigures,
  type MonitorConnection,
  type MonitorDisconnectResult,
  type MonitorFrames,
  type MonitorSendResult,
} from '../../shared/monitor';
import { accountScope, type Principal } from '../auth/principal';
import type { Hub } from './hub';
import { accountOf, describeConnection } from './monitor-describe';
import { explainConnection, newExplainScope } from './monitor-explain';
import type { FrameInspector } from './monitor-inspect';
import { replayInto, type ReplayOutcome } from './monitor-replay';
import type { Collection } from '../../shared/schema';
import type { Connection, LiveEvent, Subscription } from './types';

/** A monitor operation's failure, in the REST error envelope's words. */
export class MonitorError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a send targets: one connection, or every subscriber of a collection. */
export interface SendTarget {
  connection?: string;
  collection?: string;
  data: Record<string, unknown>;
}

/**
 * The monitor's operations on THIS instance's connections (the cluster relay calls the same
 * ones on the instance that holds a connection). `scope` is the caller's account scope: null
 * for the superuser, else only that account's connections exist for it.
 */
export class LocalMonitor {
  constructor(
    private readonly hub: Hub,
    private readonly inspector: FrameInspector,
    private readonly collection: (name: string) => Collection | undefined,
    readonly instance: () => string,
  ) {}

  private visible(c: Connection, scope: string | null): boolean {
    return scope === null || (!c.authPending && accountOf(c) === scope);
  }

  /** A local connection the caller may see, or undefined. */
  find(id: string, scope: string | null): Connection | undefined {
    const c = this.hub.connections.get(id);
    return c && !c.closed && this.visible(c, scope) ? c : undefined;
  }

  /** How many connections the caller may see. */
  count(scope: string | null): number {
    let n = 0;
    for (const c of this.hub.connections.values()) if (this.visible(c, scope)) n++;
    return n;
  }

  connections(scope: string | null): MonitorConnection[] {
    const out: MonitorConnection[] = [];
    for (const c of this.hub.connections.values())
      if (this.visible(c, scope)) out.push(describeConnection(c, this.instance()));
    return out;
  }

  outcome(seq: number): FanoutFigures | undefined {
    return this.hub.outcomes.get(seq);
  }

  /** Explains `ev` for every connection in scope (or the one): the matcher runs now, on current subscriptions. */
  explain(ev: HubEvent, scope: string | null, connection?: string): ExplainConnection[] {
    const c = ev.collection ? this.collection(ev.collection) : undefined;
    // One scope for the whole answer: view decisions by caller and encodings by shape are shared.
    const x = newExplainScope();
    const out: ExplainConnection[] = [];
    if (connection !== undefined) {
      const conn = this.find(connection, scope);
      if (conn) out.push(explainConnection(conn, ev, c, this.instance(), x));
      return out;
    }
    for (const conn of this.hub.connections.values())
      if (!conn.closed && this.visible(conn, scope))
        out.push(explainConnection(conn, ev, c, this.instance(), x));
    return out;
  }

  frames(id: string, scope: string | null): MonitorFrames | undefined {
    if (!this.find(id, scope)) return undefined;
    return {
      connection: id,
      instance: this.instance(),
      inspected: this.inspector.inspected(id),
      frames: this.inspector.frames(id),
    };
  }

  disconnect(id: string, scope: string | null, why: string): MonitorDisconnectResult | undefined {
    const conn = this.find(id, scope);
    if (!conn) return undefined;
    const reason = `disconnected by an admin${why ? `: ${why}` : ''}`;
    this.hub.close(conn, MONITOR_DISCONNECT_CODE, reason);
    return { connection: id, instance: this.instance(), code: MONITOR_DISCONNECT_CODE, reason };
  }

  /**
   * Sends a test record event, encoded by each target subscription's own dialect (a native
   * `record.created` frame, a FastSchema `create` message, a topic message…). It has no seq:
   * it moves no client's resume cursor and is in no log.
   */
  send(t: SendTarget, scope: string | null, caller: Principal): MonitorSendResult {
    const targets: Subscription[] = [];
    if (t.connection !== undefined) {
      const conn = this.find(t.connection, scope);
      if (conn) {
        const subs = [...conn.subs.values()];
        const sub =
          subs.find((s) => t.collection === undefined || s.collection === t.collection) ??
          (t.collection === undefined ? undefined : subs.find((s) => s.collection === '*'));
        if (sub) targets.push(sub);
      }
    } else {
      for (const conn of this.hub.connections.values()) {
        if (conn.closed || !this.visible(conn, scope)) continue;
        const sub = [...conn.subs.values()].find((s) => s.collection === t.collection);
        if (sub) targets.push(sub);
      }
    }
    const result: MonitorSendResult = { sent: 0, connections: [] };
    for (const sub of targets) {
      const collection = t.collection ?? (sub.collection === '*' ? 'monitor_test' : sub.collection);
      const id = typeof t.data.id === 'string' ? t.data.id : 'monitor-test';
      const now = new Date().toISOString();
      const ev: LiveEvent = {
        type: 'record.created',
        collection,
        record_id: id,
        data: { id, created_at: now, updated_at: now, ...t.data },
        account: accountOf(sub.conn),
        actor: caller.id,
        timestamp: now,
        trace_id: 'monitor-test',
      };
      const encoded = sub.encode(ev, sub.filter ? 'enter' : undefined);
      if (encoded === null) continue;
      if (this.hub.sendEncoded(sub.conn, encoded)) {
        result.sent++;
        result.connections.push({
          connection: sub.conn.id,
          instance: this.instance(),
          dialect: sub.conn.transport.dialect,
        });
      }
    }
    return result;
  }

  /**
   * Sends past events (read from the log, in seq order) to one connection, each encoded and
   * decided as the live fan-out would: the sibling of `send` for real events. Undefined when
   * the connection is not here (or not the caller's).
   */
  async replay(
    id: string,
    events: readonly HubEvent[],
    scope: string | null,
  ): Promise<ReplayOutcome | undefined> {
    const conn = this.find(id, scope);
    if (!conn) return undefined;
    return replayInto(this.hub, conn, events, this.collection, this.instance());
  }
}

/** The caller's account scope (null: every account). */
export const scopeOf = (p: Principal): string | null => accountScope(p);
