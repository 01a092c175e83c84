import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import {
  MONITOR_BATCH_MAX,
  MONITOR_BATCH_MS,
  MONITOR_FLOW_MAX,
  type FanoutFigures,
  type MonitorClientMessage,
  type MonitorConnection,
  type MonitorConnectionCounters,
  type MonitorEventSummary,
  type MonitorFeedFrame,
  type MonitorFrame,
  type MonitorInstance,
  type MonitorTick,
} from '../../shared/monitor';
import type { Authenticator, Principal } from '../auth';
import { accountScope, isAdmin } from '../auth/principal';
import type { Hub } from './hub';
import type { FanoutTally } from './hooks';
import { credentialOf } from '../auth/credential';
import { LocalMonitor } from './monitor-control';
import {
  accountOf,
  bufferedOf,
  countersOf,
  describeConnection,
  figures,
  summarize,
} from './monitor-describe';
import { FlowRecorder, withFlow, type RecordedFlow } from './flow';
import { FrameInspector, type FrameSink } from './monitor-inspect';
import { verifyCredential } from './spec';
import type { Collection } from '../../shared/schema';
import type { Connection, LiveEvent } from './types';
import type { WsDialect } from './ws-server';

export { describeConnection } from './monitor-describe';

/** Feed settings (tests use a small buffer cap to make a watcher fall behind quickly). */
export interface MonitorFeedOptions {
  /** note: a watcher with more than 1 MiB queued is skipped (and told later what it missed). */
  maxBufferBytes: number;
  batchMs: number;
  batchMax: number;
}

export const DEFAULT_MONITOR_OPTIONS: MonitorFeedOptions = {
  maxBufferBytes: 1024 * 1024,
  batchMs: MONITOR_BATCH_MS,
  batchMax: MONITOR_BATCH_MAX,
};

/** What the feed publishes to, and hears from, the other instances of a cluster (see cluster/monitor-relay.ts). */
export interface MonitorPeers {
  /** Publishes this instance's deltas and event summaries (`account` null: every watcher). */
  publish(frames: RelayedFrame[]): void;
  /** Every other instance's connections in scope (for a snapshot). */
  connections(scope: string | null): Promise<MonitorConnection[]>;
  /** Every instance, with its connection count. */
  instances(): Promise<MonitorInstance[]>;
  /** Inspects a connection held elsewhere; undefined when no instance has it. */
  inspect(
    id: string,
    scope: string | null,
    sink: FrameSink,
  ): Promise<{ instance: string; frames: MonitorFrame[] } | undefined>;
  uninspect(id: string, sink: FrameSink): void;
}

/** One feed frame as it travels between instances, with the account that may see it. */
export interface RelayedFrame {
  account: string | null;
  type:
    | 'events'
    | 'connection.opened'
    | 'connection.updated'
    | 'connection.closed'
    | 'connection.stats'
    | 'presence'
    /** Some instance's watchers want the flow: record it for a few seconds (sent every second). */
    | 'flow.wanted';
  data: unknown;
}

// note: 'flow.wanted' comes every second; past 3 s without one, the other instances' watchers are gone.
const FLOW_HOLD_MS = 3000;

type Sums = FanoutFigures & { events: number; max_micros: number };
const emptySums = (): Sums => ({
  events: 0,
  candidates: 0,
  matched: 0,
  sent: 0,
  skipped_rule: 0,
  skipped_filter: 0,
  dropped: 0,
  micros: 0,
  max_micros: 0,
});
function addTo(a: Sums, f: Readonly<FanoutTally>): void {
  a.events++;
  a.candidates += f.candidates;
  a.matched += f.matched;
  a.sent += f.sent;
  a.skipped_rule += f.skipped_rule;
  a.skipped_filter += f.skipped_filter;
  a.dropped += f.dropped;
  a.micros += f.micros;
  a.max_micros = Math.max(a.max_micros, f.micros);
}

interface Watcher {
  ws: WebSocket;
  principal: Principal;
  /** null: the superuser (every account). */
  scope: string | null;
  /** Skipped because its socket is too far behind; what it missed is noted below. */
  behind: boolean;
  missedFrom: number;
  missedTo: number;
  missedCount: number;
  /** Connection or presence deltas were skipped: a fresh snapshot follows the catch-up. */
  resync: boolean;
  inspecting: Map<string, FrameSink>;
  /** Set while it wants each event's per-connection outcomes: stops the recording it asked for. */
  flow?: () => void;
  /** Frames held back until its snapshot has gone out (a cluster snapshot awaits the other instances). */
  queue?: string[];
}

/** Sends to a watcher, or holds the frame while its snapshot is being put together. */
function sendTo(w: Watcher, text: string): void {
  if (w.queue) w.queue.push(text);
  else w.ws.send(text);
}

/** An event summary waiting for the next batch, with the account that may see it (null: all). */
interface Pending {
  account: string | null;
  summary: MonitorEventSummary;
  /** Per connection, while some watcher (here or on another instance) wants the flow. */
  flow?: RecordedFlow;
}

const stamp = () => new Date().toISOString();
const frameText = (type: MonitorFeedFrame['type'], data: unknown) =>
  JSON.stringify({ type, data, timestamp: stamp() });

/**
 * The admin console's live feed at `/api/v1/monitor` (wire shapes in src/shared/monitor.ts):
 * a snapshot, connection and presence deltas, every event's summary in a batch every 100 ms,
 * a tick every second. A watcher too far behind is skipped, never waited for, and told what
 * it missed once it has caught up. It also hosts inspection (frames) and the local side of
 * the REST operations (`local`).
 */
export function monitorFeed(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
  options: Partial<MonitorFeedOptions> = {},
) {
  const opts = { ...DEFAULT_MONITOR_OPTIONS, ...options };
  const watchers = new Set<Watcher>();
  const inspector = new FrameInspector(hub);
  const flowRecorder = new FlowRecorder(hub.hooks);
  let instance: MonitorInstance = { id: 'local', role: 'single' };
  let peers: MonitorPeers | undefined;
  const local = new LocalMonitor(hub, inspector, collection, () => instance.id);
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const sums = emptySums();
  // Each account's own fan-out sums: an account's admin sees its figures, never the server's.
  const sumsByAccount = new Map<string, Sums>();
  let pending: Pending[] = [];
  /** This instance's frames waiting to go to the other instances (published with each batch). */
  let outbound: RelayedFrame[] = [];

  const sees = (w: Watcher, account: string | null) =>
    account === null || w.scope === null || w.scope === account;
  const tooFar = (w: Watcher) =>
    w.ws.bufferedAmount > (w.behind ? opts.maxBufferBytes / 4 : opts.maxBufferBytes);

  /** Sends a delta now to every watcher that may see it; one that is behind will get a snapshot instead. */
  const delta = (
    account: string | null,
    type: Exclude<RelayedFrame['type'], 'flow.wanted'>,
    data: unknown,
    relay = true,
  ) => {
    if (relay && peers) outbound.push({ account, type, data });
    if (watchers.size === 0) return;
    let text: string | undefined;
    for (const w of watchers) {
      if (!sees(w, account)) continue;
      if (w.behind || tooFar(w)) {
        w.behind = true;
        w.resync = true;
        continue;
      }
      sendTo(w, (text ??= frameText(type, data)));
    }
  };

  const held = new Set<string>();
  const opened = (c: Connection) => {
    if (held.delete(c.id)) delta(accountOf(c), 'connection.opened', describeConnection(c, instance.id));
  };
  const updated = (c: Connection, change: 'authenticated' | 'subscribed' | 'unsubscribed', key?: string) => {
    if (c.authPending) return;
    delta(accountOf(c), 'connection.updated', {
      ...describeConnection(c, instance.id),
      change,
      ...(key ? { key } : {}),
    });
  };

  const offs = [
    hub.hooks.on('on_realtime_connect', (c) => {
      if (c.authPending) held.add(c.id);
      else delta(accountOf(c), 'connection.opened', describeConnection(c, instance.id));
    }),
    hub.hooks.on('on_realtime_authenticate', (c) => {
      opened(c);
      updated(c, 'authenticated');
    }),
    hub.hooks.on('on_realtime_disconnect', (c, code, reason) => {
      opened(c);
      lastStats.delete(c.id);
      inspector.forget(c.id);
      delta(accountOf(c), 'connection.closed', {
        id: c.id,
        instance: instance.id,
        dialect: c.transport.dialect,
        account: accountOf(c),
        code,
        reason,
      });
    }),
    hub.hooks.on('on_realtime_subscribe', (c, s) => updated(c, 'subscribed', s.key)),
    hub.hooks.on('on_realtime_unsubscribe', (c, key) => updated(c, 'unsubscribed', key)),
    hub.hooks.on('on_fanout', (ev: LiveEvent, f) => onFanout(ev, f)),
  ];

  function onFanout(ev: LiveEvent, f: Readonly<FanoutTally>): void {
    const flow = flowRecorder.take();
    if (ev.type.startsWith('user.')) {
      // In a cluster every instance fans out the same cluster-wide presence event: not relayed.
      const data = { event: ev.type, account: ev.account, instance: instance.id, data: ev.data ?? {} };
      delta(ev.account, 'presence', data, false);
      return;
    }
    if (ev.seq === undefined) return;
    addTo(sums, f);
    const schema = ev.type.startsWith('collection.');
    if (!schema) {
      let a = sumsByAccount.get(ev.account);
      if (!a) sumsByAccount.set(ev.account, (a = emptySums()));
      addTo(a, f);
    }
    if (watchers.size === 0 && !peers) return;
    pending.push({
      account: schema ? null : ev.account,
      summary: summarize(ev as LiveEvent & { seq: number }, figures(f), instance.id),
      flow,
    });
    if (pending.length >= opts.batchMax) flush();
  }

  /** Sends each watcher the summaries it may see; skips (and notes) the ones too far behind. */
  function flush(): void {
    const batch = pending;
    pending = [];
    if (peers && (batch.length || outbound.length)) {
      const mine = batch.filter((p) => p.summary.instance === instance.id);
      const out = outbound;
      outbound = [];
      // Summaries travel grouped by account, so each instance can hand them out without parsing twice.
      const byAccount = new Map<string | null, Pending[]>();
      for (const p of mine) {
        let l = byAccount.get(p.account);
        if (!l) byAccount.set(p.account, (l = []));
        l.push(p);
      }
      for (const [account, l] of byAccount) {
        const events = l.map((p) => p.summary);
        // The flow travels as recorded (with each connection's account), beside its summary.
        const flows = l.some((p) => p.flow) ? l.map((p) => p.flow ?? null) : undefined;
        out.push({ account, type: 'events', data: flows ? { events, flows } : { events } });
      }
      if (out.length) peers.publish(out);
    }
    if (watchers.size === 0) return;
    // One text per kind of watcher: its account (or every one) and whether it wants the flow.
    const texts = new Map<string, string | null>();
    for (const w of watchers) {
      if (tooFar(w)) {
        w.behind = true;
        for (const p of batch) {
          if (!sees(w, p.account)) continue;
          const s = p.summary.seq;
          if (w.missedCount === 0 || s < w.missedFrom) w.missedFrom = s;
          if (s > w.missedTo) w.missedTo = s;
          w.missedCount++;
        }
        continue;
      }
      if (w.behind) caughtUp(w);
      const key = `${w.flow ? 'flow' : ''}|${w.scope ?? '*'}`;
      let text = texts.get(key);
      if (text === undefined) {
        const mine = w.scope === null ? batch : batch.filter((p) => sees(w, p.account));
        text = mine.length ? frameText('events', { events: withFlow(mine, w.scope, !!w.flow) }) : null;
        texts.set(key, text);
      }
      if (text) sendTo(w, text);
    }
  }

  /** A watcher that was skipped has room again: tell it what it missed (and resync it). */
  function caughtUp(w: Watcher): void {
    w.behind = false;
    w.ws.send(
      frameText('missed', {
        from_seq: w.missedCount ? w.missedFrom : 0,
        to_seq: w.missedCount ? w.missedTo : 0,
        count: w.missedCount,
        resync: w.resync,
      }),
    );
    w.missedCount = w.missedFrom = w.missedTo = 0;
    if (w.resync) {
      w.resync = false;
      void sendSnapshot(w);
    }
  }

  async function sendSnapshot(w: Watcher): Promise<void> {
    // Deltas and batches that come while the other instances answer follow the snapshot.
    w.queue ??= [];
    const connections = local.connections(w.scope);
    let instances: MonitorInstance[] = [{ ...instance, connections: connections.length }];
    if (peers) {
      const [remote, all] = await Promise.all([peers.connections(w.scope), peers.instances()]);
      connections.push(...remote);
      if (all.length) instances = all;
    }
    w.ws.send(
      frameText('snapshot', {
        instance: instance.id,
        instances,
        connections,
        presence: hub.presence.list(w.principal),
        last_seq: hub.lastSeq,
      }),
    );
    const held = w.queue;
    w.queue = undefined;
    for (const text of held) w.ws.send(text);
  }

  /** Each connection's counters as the last `connection.stats` had them (to send only what changed). */
  const lastStats = new Map<string, MonitorConnectionCounters>();

  /**
   * The counters that changed since the last call, by account (nothing is allocated for a
   * connection whose counters did not move). Every changed connection goes out, in one frame per
   * scope: it is once a second.
   */
  function changedCounters(): Map<string, MonitorConnectionCounters[]> {
    const byAccount = new Map<string, MonitorConnectionCounters[]>();
    for (const c of hub.connections.values()) {
      // Not shown yet (its credential is being checked): `connection.opened` carries its counters.
      if (c.authPending || c.closed) continue;
      const prev = lastStats.get(c.id);
      if (
        prev &&
        prev.messages_in === c.messagesIn &&
        prev.messages_out === c.messagesOut &&
        prev.bytes_in === c.bytesIn &&
        prev.bytes_out === c.bytesOut &&
        prev.last_seen === c.lastSeen &&
        prev.buffered === bufferedOf(c)
      )
        continue;
      const now = countersOf(c);
      lastStats.set(c.id, now);
      const account = accountOf(c);
      let l = byAccount.get(account);
      if (!l) byAccount.set(account, (l = []));
      l.push(now);
    }
    return byAccount;
  }

  /** Sends `connection.stats` to the watchers that may see them (one behind gets the next change). */
  function sendStats(byAccount: Map<string, MonitorConnectionCounters[]>, from: string): void {
    if (byAccount.size === 0 || watchers.size === 0) return;
    let all: string | undefined;
    const texts = new Map<string, string>();
    for (const w of watchers) {
      if (w.behind || tooFar(w)) continue;
      let text: string | undefined;
      if (w.scope === null) {
        text = all ??= frameText('connection.stats', {
          instance: from,
          connections: [...byAccount.values()].flat(),
        });
      } else {
        const mine = byAccount.get(w.scope);
        if (!mine) continue;
        text = texts.get(w.scope);
        if (text === undefined) {
          text = frameText('connection.stats', { instance: from, connections: mine });
          texts.set(w.scope, text);
        }
      }
      sendTo(w, text);
    }
  }

  function stats(): void {
    if (watchers.size === 0 && !peers) return;
    const byAccount = changedCounters();
    if (peers) {
      for (const [account, connections] of byAccount)
        outbound.push({ account, type: 'connection.stats', data: { instance: instance.id, connections } });
      if ([...watchers].some((w) => w.flow)) outbound.push({ account: null, type: 'flow.wanted', data: {} });
    }
    sendStats(byAccount, instance.id);
  }

  const batchTimer = setInterval(flush, opts.batchMs);
  batchTimer.unref();

  const tick = setInterval(() => {
    stats();
    if (watchers.size > 0) {
      flush();
      const timestamp = stamp();
      let server: string | undefined;
      const byAccount = new Map<string, string>();
      for (const w of watchers) {
        if (w.behind) continue;
        const scope = w.scope;
        let text = scope === null ? server : byAccount.get(scope);
        if (text === undefined) {
          // The superuser sees the server's figures; an account's admin only its account's.
          const data: MonitorTick =
            scope === null
              ? {
                  instance: instance.id,
                  connections: hub.connections.size,
                  present_users: hub.presence.size,
                  last_seq: hub.lastSeq,
                  ...hub.rates.current,
                  fanout: { ...sums },
                  event_loop_lag_ms: Math.round((lag.mean / 1e6) * 100) / 100,
                  event_loop_lag_p99_ms: Math.round((lag.percentile(99) / 1e6) * 100) / 100,
                  rss_bytes: process.memoryUsage.rss(),
                }
              : {
                  instance: instance.id,
                  account: scope,
                  connections: local.count(scope),
                  present_users: hub.presence.list(w.principal).length,
                  last_seq: hub.lastSeq,
                  fanout: { ...(sumsByAccount.get(scope) ?? emptySums()) },
                };
          text = JSON.stringify({ type: 'tick', data, timestamp });
          if (scope === null) server = text;
          else byAccount.set(scope, text);
        }
        sendTo(w, text);
      }
    }
    lag.reset();
    Object.assign(sums, emptySums());
    sumsByAccount.clear();
  }, 1000);
  tick.unref();

  async function onMessage(w: Watcher, raw: RawData): Promise<void> {
    let m: MonitorClientMessage;
    try {
      m = JSON.parse(raw.toString()) as MonitorClientMessage;
    } catch {
      return void w.ws.send(frameText('error', { code: 'bad_request', message: 'Send JSON messages.' }));
    }
    if (m?.type === 'flow') {
      if (m.on && !w.flow) {
        w.flow = flowRecorder.acquire();
        // The other instances start recording at the next batch, not the next second.
        if (peers) outbound.push({ account: null, type: 'flow.wanted', data: {} });
      } else if (!m.on) {
        w.flow?.();
        w.flow = undefined;
      }
      return void w.ws.send(frameText('flow', { on: !!w.flow, max: MONITOR_FLOW_MAX }));
    }
    if (m?.type === 'uninspect') {
      for (const [id, sink] of [...w.inspecting]) {
        if (m.connection !== undefined && m.connection !== id) continue;
        inspector.uninspect(id, sink);
        peers?.uninspect(id, sink);
        w.inspecting.delete(id);
      }
      return;
    }
    if (m?.type !== 'inspect' || typeof m.connection !== 'string') {
      return void w.ws.send(
        frameText('error', {
          code: 'bad_request',
          message: "Send {type:'inspect', connection}, {type:'uninspect'} or {type:'flow', on}.",
        }),
      );
    }
    const id = m.connection;
    if (w.inspecting.has(id)) return;
    const sink: FrameSink = (f) => {
      if (!w.behind && !tooFar(w)) sendTo(w, frameText('frame', f));
    };
    const here = local.find(id, w.scope) ? inspector.inspect(id, sink) : undefined;
    const found = here ? { instance: instance.id, frames: here } : await peers?.inspect(id, w.scope, sink);
    if (!found) {
      return void w.ws.send(frameText('error', { code: 'not_found', message: `No connection '${id}'.` }));
    }
    w.inspecting.set(id, sink);
    w.ws.send(frameText('inspecting', { connection: id, ...found }));
  }

  const dialect: WsDialect = {
    name: 'monitor',
    paths: ['/api/v1/monitor'],
    unlimited: true,
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      // note: ws reports a protocol violation (an oversized frame, bad UTF-8) as 'error'; with no
      // listener that is an uncaught exception that would take the whole server down.
      ws.on('error', () => ws.terminate());
      const token = credentialOf(req, url);
      void (async () => {
        const v = token ? await verifyCredential(auth, token) : undefined;
        if (!v?.ok) return ws.close(4001, v ? v.reason : 'token required');
        if (!isAdmin(v.principal)) return ws.close(4003, 'admins only');
        // note: the feed shows every collection's events and connections; a scoped key sees none of that.
        if (v.principal.collections) return ws.close(4003, 'this API key is limited to collections');
        const w: Watcher = {
          ws,
          principal: v.principal,
          scope: accountScope(v.principal),
          behind: false,
          missedFrom: 0,
          missedTo: 0,
          missedCount: 0,
          resync: false,
          inspecting: new Map(),
        };
        // Events fanned out before the snapshot went out are in it as last_seq; later ones batch.
        flush();
        watchers.add(w);
        ws.on('close', () => {
          watchers.delete(w);
          w.flow?.();
          for (const [id, sink] of w.inspecting) {
            inspector.uninspect(id, sink);
            peers?.uninspect(id, sink);
          }
        });
        ws.on('message', (raw: RawData) => void onMessage(w, raw).catch(() => {}));
        await sendSnapshot(w);
      })().catch(() => ws.terminate());
    },
  };

  return {
    ...dialect,
    /** The REST operations on this instance's connections. */
    local,
    inspector,
    instance: () => instance,
    /** Who this instance is in a cluster (set when it joins, reset when it leaves). */
    setInstance(i: MonitorInstance) {
      instance = i;
    },
    /** Joins the other instances' monitors (or leaves them with undefined). */
    setPeers(p: MonitorPeers | undefined) {
      peers = p;
      outbound = [];
    },
    /** Frames from another instance, for the watchers that may see them. */
    fromPeer(frames: RelayedFrame[]) {
      for (const f of frames) {
        if (f.type === 'events') {
          const d = f.data as { events: MonitorEventSummary[]; flows?: (RecordedFlow | null)[] };
          d.events.forEach((summary, i) =>
            pending.push({ account: f.account, summary, flow: d.flows?.[i] ?? undefined }),
          );
        } else if (f.type === 'flow.wanted') {
          flowRecorder.holdFor(FLOW_HOLD_MS);
        } else if (f.type === 'connection.stats') {
          // Counters are not deltas a watcher must not miss: one that is behind gets the next change.
          const d = f.data as { instance: string; connections: MonitorConnectionCounters[] };
          if (f.account !== null) sendStats(new Map([[f.account, d.connections]]), d.instance);
        } else delta(f.account, f.type, f.data, false);
      }
    },
    stop() {
      clearInterval(tick);
      clearInterval(batchTimer);
      lag.disable();
      inspector.stop();
      flowRecorder.stopHold();
      for (const w of watchers) w.flow?.();
      for (const off of offs) off();
      for (const w of watchers) w.ws.close(1001, 'server shutting down');
    },
  };
}

export type MonitorFeed = ReturnType<typeof monitorFeed>;
