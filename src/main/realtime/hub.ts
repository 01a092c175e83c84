// note: over 300 lines on purpose: what is left is one state machine, a connection's life
// (attach, authenticate, subscribe, send, close, detach) over the subscription index and the
// presence it keeps consistent; splitting it would spread that invariant over files. Fan-out
// is in fanout.ts, replay in replay.ts, heartbeats in liveness.ts, limits in hub-options.ts.
import { randomBytes } from 'node:crypto';
import type { HubEvent } from '../../shared/events';
import type { Collection } from '../../shared/schema';
import type { Principal } from '../auth/principal';
import { ruleAccess } from '../auth/rules';
import type { EventSource } from '../store/bus';
import type { CredentialChange } from '../store/changes';
import { Corker } from './cork';
import { Fanout } from './fanout';
import { Hooks } from './hooks';
import { pingAll, revokedBy, silentSince } from './liveness';
import { OutcomeRing } from './outcomes';
import { Presence, principalKey } from './presence';
import { replay, type ReplayDeps } from './replay';
import { CLOSE, type HubOptions, type PresenceRelay, type SubscribeResult } from './hub-options';
import { Counters, RateMeter } from './stats';
import type {
  Connection,
  EventHistory,
  FrameGroup,
  Grouped,
  LiveEvent,
  Subscription,
  SubscriptionSpec,
  Transport,
} from './types';

export { CLOSE, DEFAULT_HUB_OPTIONS } from './hub-options';
export type { HubOptions, PresenceRelay, SubscribeResult } from './hub-options';

/**
 * The hub: connections, subscriptions, presence and heartbeats, with no knowledge of wire
 * formats. Events are matched through an index by collection and encoded once per shape.
 */
export class Hub {
  readonly connections = new Map<string, Connection>();
  readonly hooks: Hooks;
  readonly counters = new Counters();
  readonly rates = new RateMeter();
  readonly presence: Presence;
  /** Cluster-wide presence, when this instance is part of a cluster. */
  private presenceRelay?: PresenceRelay;
  /** Each event's fan-out figures by seq (the monitor's outcomes and explain). */
  readonly outcomes = new OutcomeRing();
  private readonly index = new Map<string, Set<Subscription>>();
  private readonly corker: Corker;
  private readonly fan: Fanout;
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribeSource?: () => void;

  constructor(
    readonly opts: HubOptions,
    private readonly deps: {
      source: EventSource;
      history: EventHistory;
      collection: (name: string) => Collection | undefined;
      onError: (e: unknown) => void;
    },
  ) {
    this.hooks = new Hooks(deps.onError);
    this.corker = new Corker(deps.onError);
    this.fan = new Fanout({
      index: this.index,
      hooks: this.hooks,
      counters: this.counters,
      outcomes: this.outcomes,
      collection: deps.collection,
      send: (conn, frame, group) => this.send(conn, frame, group),
    });
    // In a cluster, presence events come from the cluster (first connection anywhere, last one anywhere).
    this.presence = new Presence((ev) => {
      if (!this.presenceRelay) this.fanout(ev);
    });
    this.unsubscribeSource = deps.source.subscribe((events) => {
      for (const ev of events) this.fanout(ev);
      this.hooks.emit('on_batch_end');
    });
    this.timers.push(setInterval(() => pingAll(this.connections.values()), opts.pingEveryMs));
    this.timers.push(setInterval(() => this.sweep(), opts.sweepEveryMs));
    this.timers.push(setInterval(() => this.rates.sample(this.counters), 1000));
    for (const t of this.timers) t.unref();
  }

  /** The highest seq fanned out: every live subscription has been sent what it should see up to here. */
  get lastSeq(): number {
    return this.fan.lastSeq;
  }

  /** Leaves a cluster's presence, unless another relay (a newer cluster link) has taken its place. */
  clearPresenceRelay(relay: PresenceRelay): void {
    if (this.presenceRelay === relay) this.presenceRelay = undefined;
  }

  /** Joins a cluster's presence: this instance's authenticated connections are announced now and from here on. */
  setPresenceRelay(relay: PresenceRelay | undefined): void {
    this.presenceRelay = relay;
    if (relay) for (const conn of this.connections.values()) if (conn.principal) relay.connectionJoined(conn);
  }

  /** Whether one more connection fits (checked before the upgrade, so a full server answers 503). */
  hasRoom(): boolean {
    return this.connections.size < this.opts.maxConnections;
  }

  /**
   * Whether `p` may open one more connection under the per-user limit (anonymous callers are
   * not a user). SSE asks before its 200, so a refusal is an HTTP error, not a closed stream.
   */
  hasRoomFor(p: Principal | null): boolean {
    return !p || this.presence.connectionsOf(p) < this.opts.maxConnectionsPerUser;
  }

  /** Registers a new connection; `authPending` when a credential that came with it is still being checked. */
  attach(transport: Transport, principal: Principal | null = null, authPending = false): Connection {
    const now = Date.now();
    const conn: Connection = {
      id: randomBytes(9).toString('base64url'),
      transport,
      principal: null,
      subs: new Map(),
      connectedAt: now,
      lastSeen: now,
      closed: false,
      // note: with a principal the connect hook still runs before authenticate sets it.
      authPending: authPending || !!principal,
      messagesIn: 0,
      messagesOut: 0,
      bytesIn: 0,
      bytesOut: 0,
    };
    this.connections.set(conn.id, conn);
    this.hooks.emit('on_realtime_connect', conn);
    if (principal) this.authenticate(conn, principal);
    return conn;
  }

  /** Sets who a connection is; closes it when the credential expires. False when over the per-user limit. */
  authenticate(conn: Connection, p: Principal): boolean {
    if (conn.closed) return false;
    // Authenticating again as the same user (a refreshed token) is not a leave and a join.
    const same = !!conn.principal && principalKey(conn.principal) === principalKey(p);
    if (conn.principal && !same) {
      this.presence.leave(conn);
      this.presenceRelay?.connectionLeft(conn.id);
    }
    clearTimeout(conn.expiryTimer);
    const mine = this.presence.connectionsOf(p) - (same ? 1 : 0);
    if (mine >= this.opts.maxConnectionsPerUser) {
      this.close(conn, CLOSE.tooManyForUser.code, CLOSE.tooManyForUser.reason);
      return false;
    }
    conn.principal = p;
    if (p.expiresAt !== undefined) {
      const ms = p.expiresAt - Date.now();
      if (ms <= 0) {
        this.close(conn, CLOSE.tokenExpired.code, CLOSE.tokenExpired.reason);
        return false;
      }
      // note: setTimeout holds at most ~24.8 days; tokens live hours.
      conn.expiryTimer = setTimeout(
        () => this.close(conn, CLOSE.tokenExpired.code, CLOSE.tokenExpired.reason),
        Math.min(ms, 2 ** 31 - 1),
      );
      conn.expiryTimer.unref();
    }
    conn.authPending = false;
    if (!same) this.presence.join(conn);
    if (!same) this.presenceRelay?.connectionJoined(conn);
    this.hooks.emit('on_realtime_authenticate', conn);
    return true;
  }

  /** Counts an inbound frame as life (and shows it to an inspecting admin: `raw` is the frame). */
  received(conn: Connection, bytes: number, raw?: unknown): void {
    if (conn.tap && raw !== undefined) conn.tap('in', raw);
    conn.lastSeen = Date.now();
    conn.messagesIn++;
    conn.bytesIn += bytes;
    this.counters.messagesIn++;
    this.counters.bytesIn += bytes;
  }

  /** Tells the hooks about a parsed inbound message. */
  message(conn: Connection, message: unknown): void {
    if (this.hooks.has('on_realtime_message')) this.hooks.emit('on_realtime_message', conn, message);
  }

  /** Adds or replaces a subscription; with `since`, replays the missed events first. */
  async subscribe(conn: Connection, spec: SubscriptionSpec): Promise<SubscribeResult> {
    if (!conn.subs.has(spec.key) && conn.subs.size >= this.opts.maxSubscriptions) {
      return {
        ok: false,
        code: 'too_many_subscriptions',
        message: `Max subscriptions reached (${this.opts.maxSubscriptions})`,
      };
    }
    if (spec.collection !== '*' && spec.collection !== 'presence') {
      const c = this.deps.collection(spec.collection);
      if (!c) return { ok: false, code: 'not_found', message: `Collection '${spec.collection}' not found` };
      const a = ruleAccess(conn.principal, c, 'view');
      if (!a.allowed) return { ok: false, code: 'forbidden', message: a.reason };
    }
    if (spec.since !== undefined && (await this.deps.history.hasGapAfter(spec.since))) {
      return {
        ok: false,
        code: 'resume_gap',
        message: `Events after ${spec.since} are no longer retained; reload, then subscribe without since.`,
        details: {
          oldest_seq: await this.deps.history.oldestSeq(),
          last_seq: await this.deps.history.lastSeq(),
        },
      };
    }
    const lastSeq = await this.deps.history.lastSeq();
    // The socket may have closed while we awaited: never index a subscription of a gone connection.
    if (conn.closed) return { ok: false, code: 'not_found', message: 'The connection is closed' };
    this.unsubscribe(conn, spec.key, false);
    const sub: Subscription = { ...spec, conn, lastSeq: spec.since ?? lastSeq };
    // Events fanned out while we awaited the history (a Redis round trip on an edge) went by
    // without this subscription, though they follow `lastSeq`: replay them, as for a resume.
    if (spec.since !== undefined || this.lastSeq > lastSeq) sub.pending = [];
    if (spec.since === undefined) sub.onReplayed = undefined;
    conn.subs.set(spec.key, sub);
    let set = this.index.get(spec.collection);
    if (!set) this.index.set(spec.collection, (set = new Set()));
    set.add(sub);
    this.hooks.emit('on_realtime_subscribe', conn, sub);
    // The replay starts on the next turn, so the dialect's acknowledgement goes out first.
    if (sub.pending) setImmediate(() => void replay(sub, this.replayDeps()));
    return { ok: true, sub, lastSeq };
  }

  private replayDeps(): ReplayDeps {
    return {
      history: this.deps.history,
      deliver: (sub, ev) => this.fan.deliverOne(sub, ev),
      lastSeq: () => this.lastSeq,
      onError: (e) => this.deps.onError(e),
      fail: (sub) => this.close(sub.conn, 1011, 'resume failed'),
    };
  }

  unsubscribe(conn: Connection, key: string, notify = true): boolean {
    const sub = conn.subs.get(key);
    if (!sub) return false;
    conn.subs.delete(key);
    const set = this.index.get(sub.collection);
    set?.delete(sub);
    if (set?.size === 0) this.index.delete(sub.collection);
    if (notify) this.hooks.emit('on_realtime_unsubscribe', conn, key);
    return true;
  }

  /** Sets a connection's presence state (others see it on GET /presence and as an event). */
  setPresenceState(conn: Connection, state: Record<string, unknown>): void {
    conn.presenceState = state;
    this.presence.stateChanged(conn);
    this.presenceRelay?.stateChanged({ connectionId: conn.id, state });
  }

  /**
   * Matches one event against the index and sends each subscriber its frame (see fanout.ts).
   * An event raised meanwhile waits for this one to finish.
   */
  fanout(ev: LiveEvent): void {
    this.fan.run(ev);
  }

  /**
   * Sends a frame (with its group, for a transport that joins a group's frames) unless the
   * connection is a slow consumer, which is closed instead.
   */
  send(conn: Connection, frame: string | Buffer, group?: FrameGroup): boolean {
    if (conn.closed) return false;
    const t = conn.transport;
    // What this turn queued is not a backlog: only what is left from earlier turns counts.
    if (t.bufferedAmount() - this.corker.held(t) > this.opts.maxBufferedBytes) {
      this.counters.dropped++;
      this.counters.slowConsumers++;
      if (this.fan.seq !== undefined) this.outcomes.dropped(this.fan.seq, conn.id);
      this.close(conn, CLOSE.slowConsumer.code, CLOSE.slowConsumer.reason);
      return false;
    }
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    this.corker.hold(t, bytes);
    t.send(frame, group);
    if (conn.tap) conn.tap('out', frame);
    conn.messagesOut++;
    conn.bytesOut += bytes;
    this.counters.messagesOut++;
    this.counters.bytesOut += bytes;
    return true;
  }

  /**
   * Sends one subscription's encoded frame outside a fan-out (a replay step, the monitor's test
   * event): as bytes with its group, as the fan-out sends it.
   */
  sendEncoded(conn: Connection, encoded: string | Grouped): boolean {
    return typeof encoded === 'string'
      ? this.send(conn, Buffer.from(encoded))
      : this.send(conn, Buffer.from(encoded.text), encoded);
  }

  /** Closes a connection with a code and reason, and forgets it. */
  close(conn: Connection, code: number, reason: string): void {
    if (conn.closed) return;
    conn.transport.close(code, reason);
    this.detach(conn, code, reason);
  }

  /** Closes every connection whose caller matches (a revoked key, an ended login, a deleted user). */
  closeWhere(match: (p: Principal) => boolean, code: number, reason: string): number {
    let n = 0;
    for (const conn of [...this.connections.values()]) {
      if (conn.principal && match(conn.principal)) {
        this.close(conn, code, reason);
        n++;
      }
    }
    return n;
  }

  /** Closes the connections a credential change invalidates. */
  revoke(change: CredentialChange): number {
    const match = revokedBy(change);
    return match ? this.closeWhere(match, CLOSE.revoked.code, CLOSE.revoked.reason) : 0;
  }

  /** Forgets a connection its transport reported closed. */
  detach(conn: Connection, code = 1005, reason = ''): void {
    if (!this.connections.has(conn.id)) return;
    conn.closed = true;
    clearTimeout(conn.expiryTimer);
    for (const key of [...conn.subs.keys()]) this.unsubscribe(conn, key, false);
    this.connections.delete(conn.id);
    if (conn.principal) {
      this.presence.leave(conn);
      this.presenceRelay?.connectionLeft(conn.id);
    }
    this.hooks.emit('on_realtime_disconnect', conn, code, reason);
  }

  private sweep(): void {
    for (const conn of silentSince(this.connections.values(), Date.now() - this.opts.deadAfterMs))
      this.close(conn, CLOSE.heartbeat.code, CLOSE.heartbeat.reason);
  }

  /** Subscriptions per collection (the FastCMS stats shape). */
  subscriptionCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, set] of this.index) out[name] = set.size;
    return out;
  }

  /** Closes every connection and stops the timers. */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribeSource?.();
    for (const conn of [...this.connections.values()])
      this.close(conn, CLOSE.shutdown.code, CLOSE.shutdown.reason);
  }
}

export type { HubEvent };
