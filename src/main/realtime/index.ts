import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { RealtimeInfo } from '../api/routes/system';
import type { Authenticator } from '../auth';
import { accountScope, PUBLIC_ACCOUNT } from '../auth/principal';
import type { Collection } from '../../shared/schema';
import type { EventSource } from '../store/bus';
import type { ClusterMembership } from '../cluster/membership';
import { MonitorRelay } from '../cluster/monitor-relay';
import { clusterTotals } from '../cluster/registry';
import type { EventHistory } from './types';
import { AnonymousLimit } from './anonymous-limit';
import { fastschemaDialect } from './dialects/fastschema';
import { nativeDialect } from './dialects/native';
import { snackbaseSse } from './dialects/snackbase-sse';
import { snackbaseDialect } from './dialects/snackbase-ws';
import { topicsDialect } from './dialects/topics';
import { DEFAULT_HUB_OPTIONS, Hub, type HubOptions } from './hub';
import { DEFAULT_MONITOR_OPTIONS, monitorFeed } from './monitor';
import { MonitorService } from './monitor-service';
import { nativeSse } from './sse';
import { attachWebSockets, type UpgradeAccess } from './ws-server';

export { Hub } from './hub';

/** Realtime settings: the hub's limits and timers plus the message size cap. */
export interface RealtimeOptions extends HubOptions {
  /** note: 64 KiB default; a bigger frame closes the socket with 1009. */
  maxMessageBytes: number;
  pubsubBackend: 'memory' | 'redis';
  /** Connections without a user or key from one client address (see AnonymousLimit). */
  maxAnonymousPerAddress: number;
  /** A monitor watcher with more than this many bytes queued is skipped (default 1 MiB). */
  monitorMaxBufferBytes?: number;
}

export const DEFAULT_REALTIME_OPTIONS: RealtimeOptions = {
  ...DEFAULT_HUB_OPTIONS,
  maxMessageBytes: 64 * 1024,
  pubsubBackend: 'memory',
  // note: one device opens a few anonymous connections (a display, a tab or two); 200 leaves room
  // for a NAT'd display wall or a proxy not yet listed in trustedProxies, while one address
  // can take at most 1% of maxConnections (20,000). Kiosks beyond that use an API key.
  maxAnonymousPerAddress: 200,
};

/**
 * Where realtime gets its events, its past and its schemas: the store on a primary or a
 * single process, the Redis stream and the primary's schemas on an edge.
 */
export interface RealtimeData {
  source: EventSource;
  history: EventHistory;
  collection: (name: string) => Collection | undefined;
}

/** What the composition root checks before realtime sees a request. */
export interface RealtimeAccess {
  /** Host and Origin of WebSocket upgrades (HostPolicy.check with `upgrade`). */
  checkUpgrade?: UpgradeAccess['check'];
  /** The client's address (X-Forwarded-For from trusted proxies); the socket's peer by default. */
  clientAddress?: (req: IncomingMessage) => string;
}

/** HTTP routes the realtime side serves (SSE endpoints), keyed by path. */
export type HttpRealtimeRoute = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void>;

async function clusterFigures(c: ClusterMembership) {
  const instances = await c.registry.list();
  const totals = clusterTotals(instances);
  return {
    total_connections: totals.connections,
    unique_users: await c.presence.size(),
    instances,
    instance_id: c.registry.id,
  };
}

/** Builds the hub, its dialects and the monitor feed on an HTTP server. */
export function createRealtime(
  server: Server,
  data: RealtimeData,
  auth: Authenticator,
  opts: RealtimeOptions,
  log: (l: string) => void,
  access: RealtimeAccess = {},
) {
  const { collection } = data;
  const hub = new Hub(opts, {
    source: data.source,
    history: data.history,
    collection,
    onError: (e) => log(`realtime error: ${(e as Error).stack ?? e}`),
  });
  const monitor = monitorFeed(hub, auth, collection, {
    maxBufferBytes: opts.monitorMaxBufferBytes ?? DEFAULT_MONITOR_OPTIONS.maxBufferBytes,
  });
  const monitorService = new MonitorService(hub, monitor);
  const anonymous = new AnonymousLimit(
    hub,
    opts.maxAnonymousPerAddress ?? DEFAULT_REALTIME_OPTIONS.maxAnonymousPerAddress,
    access.clientAddress ?? ((req) => req.socket.remoteAddress ?? '?'),
  );
  const detach = attachWebSockets(
    server,
    hub,
    [
      nativeDialect(hub, auth, collection),
      fastschemaDialect(hub, auth, collection),
      snackbaseDialect(hub, auth, collection),
      topicsDialect(hub, auth, collection),
      monitor,
    ],
    opts.maxMessageBytes,
    { check: access.checkUpgrade, anonymous },
  );
  const routes = new Map<string, HttpRealtimeRoute>([
    ['/api/v1/sse/realtime', nativeSse(hub, auth, collection, anonymous)],
    ['/api/v1/realtime/subscribe', snackbaseSse(hub, auth, collection)],
  ]);

  let cluster: ClusterMembership | undefined;
  const info: RealtimeInfo & { monitor: MonitorService } = {
    monitor: monitorService,
    async stats(p) {
      // An account admin sees the figures of its own account; the superuser sees the server's.
      const scope = accountScope(p);
      const conns = [...hub.connections.values()].filter(
        (c) => scope === null || (c.principal?.account ?? PUBLIC_ACCOUNT) === scope,
      );
      const subscriptions: Record<string, string[]> = {};
      const byDialect: Record<string, number> = {};
      for (const c of conns) {
        byDialect[c.transport.dialect] = (byDialect[c.transport.dialect] ?? 0) + 1;
        if (c.subs.size) subscriptions[c.id] = [...c.subs.keys()];
      }
      const base = {
        total_connections: conns.length,
        authenticated_connections: conns.filter((c) => c.principal).length,
        unique_users: scope === null ? hub.presence.size : hub.presence.list(p).length,
        // note: a primary joins or leaves a cluster at runtime when the console's Redis setting changes.
        pubsub_backend: cluster ? 'redis' : opts.pubsubBackend,
        subscriptions,
        connections_by_dialect: byDialect,
      };
      if (scope !== null) {
        // An account's figures only: the server-wide counters and rates are the superuser's.
        const byCollection: Record<string, number> = {};
        let messagesIn = 0;
        let messagesOut = 0;
        for (const c of conns) {
          messagesIn += c.messagesIn;
          messagesOut += c.messagesOut;
          for (const s of c.subs.values()) byCollection[s.collection] = (byCollection[s.collection] ?? 0) + 1;
        }
        return {
          ...base,
          subscriptions_by_collection: byCollection,
          messages_in: messagesIn,
          messages_out: messagesOut,
        };
      }
      const k = hub.counters;
      return {
        ...base,
        subscriptions_by_collection: hub.subscriptionCounts(),
        ...hub.rates.current,
        events_total: k.events,
        messages_in: k.messagesIn,
        messages_out: k.messagesOut,
        bytes_in: k.bytesIn,
        bytes_out: k.bytesOut,
        dropped: k.dropped,
        slow_consumers_closed: k.slowConsumers,
        // In a cluster the superuser sees the whole cluster's connections and users; the
        // counters above stay this instance's own.
        ...(cluster && scope === null ? await clusterFigures(cluster) : {}),
      };
    },
    presence: async (p) => ({ users: cluster ? await cluster.presence.list(p) : hub.presence.list(p) }),
  };

  // The monitor across the cluster: every instance's connections and events, explain and
  // disconnect on the instance that holds the connection (cluster/monitor-relay.ts).
  let relay: MonitorRelay | undefined;
  function joinMonitors(c: ClusterMembership | undefined): void {
    if (relay) {
      void relay.stop();
      relay = undefined;
      monitorService.remote = undefined;
      monitor.setPeers(undefined);
      monitor.setInstance({ id: 'local', role: 'single' });
    }
    if (!c) return;
    monitor.setInstance({ id: c.registry.id, role: c.registry.id.startsWith('edge') ? 'edge' : 'primary' });
    const r = new MonitorRelay({ url: c.registry.url, registry: c.registry, hub, feed: monitor, log });
    relay = r;
    r.start().then(
      () => {
        if (relay !== r) return void r.stop();
        monitor.setPeers(r);
        monitorService.remote = r;
      },
      (e) => {
        log(`monitor relay: cannot join the cluster's monitors: ${(e as Error).message ?? e}`);
        if (relay === r) relay = undefined;
      },
    );
  }

  return {
    hub,
    info,
    routes,
    /** Switches stats and presence to the cluster's figures (the hub's presence relay is set by joinCluster). */
    setCluster(c: ClusterMembership | undefined) {
      cluster = c;
      joinMonitors(c);
    },
    stop() {
      void relay?.stop();
      relay = undefined;
      monitor.stop();
      anonymous.stop();
      hub.stop();
      detach();
    },
  };
}
