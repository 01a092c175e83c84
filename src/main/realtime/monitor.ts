import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import {
  MONITOR_BATCH_MAX,
  MONITOR_BATCH_MS,
  type MonitorConnectionCounters,
  type MonitorEventSummary,
  type MonitorInstance,
} from '../../shared/monitor';
import type { Authenticator } from '../auth';
import { isAdmin } from '../auth/principal';
import type { Hub } from './hub';
import type { FanoutTally } from './hooks';
import { credentialOf } from '../auth/credential';
import { LocalMonitor } from './monitor-control';
import { accountOf, describeConnection, figures, summarize } from './monitor-describe';
import { FlowRecorder, type RecordedFlow } from './flow';
import { EventBatcher } from './monitor-batch';
import { FrameInspector } from './monitor-inspect';
import { PeerLink, type MonitorPeers, type RelayedFrame } from './monitor-peers';
import { ConnectionStats } from './monitor-stats';
import { MonitorTicker } from './monitor-tick';
import { WatcherRequests } from './monitor-requests';
import { frameText, newWatcher, Watchers, type Watcher } from './monitor-watchers';
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

// note: 'flow.wanted' comes every second; past 3 s without one, the other instances' watchers are gone.
const FLOW_HOLD_MS = 3000;

/**
 * The admin console's live feed at `/api/v1/monitor` (wire shapes in src/shared/monitor.ts):
 * a snapshot, connection and presence deltas, every event's summary in a batch every 100 ms
 * (monitor-batch.ts), `connection.stats` and a tick every second (monitor-stats.ts,
 * monitor-tick.ts). A watcher too far behind is skipped, never waited for, and told what it
 * missed once it has caught up (monitor-watchers.ts). It also hosts inspection (frames) and
 * the local side of the REST operations (`local`). This module wires those parts to the hub's
 * hooks and to the admin sockets.
 */
export function monitorFeed(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
  options: Partial<MonitorFeedOptions> = {},
) {
  const opts = { ...DEFAULT_MONITOR_OPTIONS, ...options };
  const link = new PeerLink();
  const watchers = new Watchers(opts.maxBufferBytes, (w) => void sendSnapshot(w));
  const inspector = new FrameInspector(hub);
  const flowRecorder = new FlowRecorder(hub.hooks);
  const local = new LocalMonitor(hub, inspector, collection, () => link.instance.id);
  const batcher = new EventBatcher(watchers, link, opts.batchMax);
  const stats = new ConnectionStats(hub, watchers, link);
  const ticker = new MonitorTicker(hub, local, link);

  /** Sends a delta now to every watcher that may see it, and (unless it came from one) to the other instances. */
  const delta = (
    account: string | null,
    type: Exclude<RelayedFrame['type'], 'flow.wanted'>,
    data: unknown,
    relay = true,
  ) => {
    if (relay) link.queue({ account, type, data });
    watchers.delta(account, type, data);
  };

  const held = new Set<string>();
  const opened = (c: Connection) => {
    if (held.delete(c.id)) delta(accountOf(c), 'connection.opened', describeConnection(c, link.instance.id));
  };
  const updated = (c: Connection, change: 'authenticated' | 'subscribed' | 'unsubscribed', key?: string) => {
    if (c.authPending) return;
    delta(accountOf(c), 'connection.updated', {
      ...describeConnection(c, link.instance.id),
      change,
      ...(key ? { key } : {}),
    });
  };

  const offs = [
    hub.hooks.on('on_realtime_connect', (c) => {
      if (c.authPending) held.add(c.id);
      else delta(accountOf(c), 'connection.opened', describeConnection(c, link.instance.id));
    }),
    hub.hooks.on('on_realtime_authenticate', (c) => {
      opened(c);
      updated(c, 'authenticated');
    }),
    hub.hooks.on('on_realtime_disconnect', (c, code, reason) => {
      opened(c);
      stats.forget(c.id);
      inspector.forget(c.id);
      delta(accountOf(c), 'connection.closed', {
        id: c.id,
        instance: link.instance.id,
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
    const instance = link.instance.id;
    if (ev.type.startsWith('user.')) {
      // In a cluster every instance fans out the same cluster-wide presence event: not relayed.
      const data = { event: ev.type, account: ev.account, instance, data: ev.data ?? {} };
      delta(ev.account, 'presence', data, false);
      return;
    }
    if (ev.seq === undefined) return;
    const schema = ev.type.startsWith('collection.');
    ticker.count(schema ? null : ev.account, f);
    if (watchers.size === 0 && !link.peers) return;
    batcher.add({
      account: schema ? null : ev.account,
      summary: summarize(ev as LiveEvent & { seq: number }, figures(f), instance),
      flow,
    });
  }

  async function sendSnapshot(w: Watcher): Promise<void> {
    // Deltas and batches that come while the other instances answer follow the snapshot.
    w.queue ??= [];
    const connections = local.connections(w.scope);
    let instances: MonitorInstance[] = [{ ...link.instance, connections: connections.length }];
    if (link.peers) {
      const [remote, all] = await Promise.all([link.peers.connections(w.scope), link.peers.instances()]);
      connections.push(...remote);
      if (all.length) instances = all;
    }
    w.ws.send(
      frameText('snapshot', {
        instance: link.instance.id,
        instances,
        connections,
        presence: hub.presence.list(w.principal),
        last_seq: hub.lastSeq,
      }),
    );
    const queued = w.queue;
    w.queue = undefined;
    for (const text of queued) w.ws.send(text);
  }

  const batchTimer = setInterval(() => batcher.flush(), opts.batchMs);
  batchTimer.unref();

  const tick = setInterval(() => {
    stats.publish();
    if (watchers.wantFlow()) link.queue({ account: null, type: 'flow.wanted', data: {} });
    if (watchers.size > 0) {
      batcher.flush();
      ticker.send(watchers);
    }
    ticker.reset();
  }, 1000);
  tick.unref();

  const requests = new WatcherRequests(watchers, link, inspector, local, flowRecorder);

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
        const w = newWatcher(ws, v.principal);
        // Events fanned out before the snapshot went out are in it as last_seq; later ones batch.
        batcher.flush();
        watchers.add(w);
        ws.on('close', () => {
          watchers.delete(w);
          requests.release(w);
        });
        ws.on('message', (raw: RawData) => void requests.handle(w, raw).catch(() => {}));
        await sendSnapshot(w);
      })().catch(() => ws.terminate());
    },
  };

  return {
    ...dialect,
    /** The REST operations on this instance's connections. */
    local,
    inspector,
    instance: () => link.instance,
    /** Who this instance is in a cluster (set when it joins, reset when it leaves). */
    setInstance(i: MonitorInstance) {
      link.instance = i;
    },
    /** Joins the other instances' monitors (or leaves them with undefined). */
    setPeers(p: MonitorPeers | undefined) {
      link.join(p);
    },
    /** Frames from another instance, for the watchers that may see them. */
    fromPeer(frames: RelayedFrame[]) {
      for (const f of frames) {
        if (f.type === 'events') {
          batcher.fromPeer(
            f.account,
            f.data as { events: MonitorEventSummary[]; flows?: (RecordedFlow | null)[] },
          );
        } else if (f.type === 'flow.wanted') {
          flowRecorder.holdFor(FLOW_HOLD_MS);
        } else if (f.type === 'connection.stats') {
          // Counters are not deltas a watcher must not miss: one that is behind gets the next change.
          const d = f.data as { instance: string; connections: MonitorConnectionCounters[] };
          if (f.account !== null) stats.send(new Map([[f.account, d.connections]]), d.instance);
        } else delta(f.account, f.type, f.data, false);
      }
    },
    stop() {
      clearInterval(tick);
      clearInterval(batchTimer);
      ticker.stop();
      inspector.stop();
      flowRecorder.stopHold();
      for (const w of watchers) w.flow?.();
      for (const off of offs) off();
      for (const w of watchers) w.ws.close(1001, 'server shutting down');
    },
  };
}

export type MonitorFeed = ReturnType<typeof monitorFeed>;
