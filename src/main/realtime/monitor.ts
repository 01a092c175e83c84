import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Authenticator, Principal } from '../auth';
import { accountScope, isAdmin, PUBLIC_ACCOUNT } from '../auth/principal';
import type { Hub } from './hub';
import { tokenOf } from './dialects/native';
import { verifyCredential } from './spec';
import type { Connection, LiveEvent } from './types';
import type { WsDialect } from './ws-server';

// note: past 20 events in a second the feed stops sending one frame per event and sums them in the tick.
const PER_EVENT_FRAMES_PER_S = 20;
// note: a monitor more than 1 MiB behind misses frames rather than holding memory.
const MONITOR_MAX_BUFFER = 1024 * 1024;

type Agg = {
  events: number;
  matched: number;
  sent: number;
  dropped: number;
  max_micros: number;
  total_micros: number;
};
const emptyAgg = (): Agg => ({ events: 0, matched: 0, sent: 0, dropped: 0, max_micros: 0, total_micros: 0 });
function addTo(a: Agg, f: { matched: number; sent: number; dropped: number; micros: number }): void {
  a.events++;
  a.matched += f.matched;
  a.sent += f.sent;
  a.dropped += f.dropped;
  a.total_micros += f.micros;
  a.max_micros = Math.max(a.max_micros, f.micros);
}

interface Watcher {
  ws: WebSocket;
  principal: Principal;
}

/** What a connection looks like on the monitor. */
export function describeConnection(c: Connection) {
  return {
    id: c.id,
    dialect: c.transport.dialect,
    remote: c.transport.remote,
    user_id: c.principal?.id ?? null,
    email: c.principal?.email ?? null,
    kind: c.principal?.kind ?? null,
    account: c.principal?.account ?? PUBLIC_ACCOUNT,
    connected_at: new Date(c.connectedAt).toISOString(),
    subscriptions: [...c.subs.keys()],
    messages_in: c.messagesIn,
    messages_out: c.messagesOut,
  };
}

/**
 * The admin console's live feed at `/api/v1/monitor`: connections, subscriptions, presence,
 * each event's fan-out and a tick every second. Under load per-event frames turn into sums
 * in the tick, and a slow watcher misses frames instead of slowing anyone down.
 */
export function monitorFeed(hub: Hub, auth: Authenticator): WsDialect & { stop(): void } {
  const watchers = new Set<Watcher>();
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  let perEventThisSecond = 0;
  const agg = emptyAgg();
  // Each account's own fan-out sums: an account's admin sees its figures, never the server's.
  const aggByAccount = new Map<string, Agg>();

  const push = (account: string | null, type: string, data: unknown) => {
    if (watchers.size === 0) return;
    const text = JSON.stringify({ type, data, timestamp: new Date().toISOString() });
    for (const w of watchers) {
      const scope = accountScope(w.principal);
      if (account !== null && scope !== null && scope !== account) continue;
      if (w.ws.bufferedAmount > MONITOR_MAX_BUFFER) continue;
      w.ws.send(text);
    }
  };
  const accountOf = (c: Connection) => c.principal?.account ?? PUBLIC_ACCOUNT;
  const countConnections = (account: string) => {
    let n = 0;
    for (const c of hub.connections.values()) if (!c.authPending && accountOf(c) === account) n++;
    return n;
  };

  // Connections whose credential is still being checked: their account is not known yet, so
  // `connection.opened` waits until it is (authenticated) or never will be (closed).
  const held = new Set<string>();
  const opened = (c: Connection) => {
    if (held.delete(c.id)) push(accountOf(c), 'connection.opened', describeConnection(c));
  };

  const offs = [
    hub.hooks.on('on_realtime_connect', (c) => {
      if (c.authPending) held.add(c.id);
      else push(accountOf(c), 'connection.opened', describeConnection(c));
    }),
    hub.hooks.on('on_realtime_authenticate', (c) => {
      opened(c);
      push(accountOf(c), 'connection.authenticated', describeConnection(c));
    }),
    hub.hooks.on('on_realtime_disconnect', (c, code, reason) => {
      opened(c);
      push(accountOf(c), 'connection.closed', { id: c.id, dialect: c.transport.dialect, code, reason });
    }),
    hub.hooks.on('on_realtime_subscribe', (c, s) =>
      push(accountOf(c), 'subscription.added', {
        connection_id: c.id,
        key: s.key,
        collection: s.collection,
        filtered: !!s.filter,
        since: s.since ?? null,
      }),
    ),
    hub.hooks.on('on_realtime_unsubscribe', (c, key) =>
      push(accountOf(c), 'subscription.removed', { connection_id: c.id, key }),
    ),
  ];

  const onFanout = (ev: LiveEvent, f: { matched: number; sent: number; dropped: number; micros: number }) => {
    if (ev.type.startsWith('user.')) {
      push(ev.account, 'presence', { type: ev.type, ...ev.data });
      return;
    }
    addTo(agg, f);
    if (!ev.type.startsWith('collection.')) {
      let a = aggByAccount.get(ev.account);
      if (!a) aggByAccount.set(ev.account, (a = emptyAgg()));
      addTo(a, f);
    }
    if (++perEventThisSecond > PER_EVENT_FRAMES_PER_S) return;
    push(ev.type.startsWith('collection.') ? null : ev.account, 'event.fanout', {
      seq: ev.seq,
      type: ev.type,
      collection: ev.collection,
      record_id: ev.record_id,
      trace_id: ev.trace_id,
      ...f,
    });
  };

  const tick = setInterval(() => {
    if (watchers.size > 0) {
      const aggregated = perEventThisSecond > PER_EVENT_FRAMES_PER_S;
      const timestamp = new Date().toISOString();
      let server: string | undefined;
      const byAccount = new Map<string, string>();
      for (const w of watchers) {
        if (w.ws.bufferedAmount > MONITOR_MAX_BUFFER) continue;
        const scope = accountScope(w.principal);
        let text = scope === null ? server : byAccount.get(scope);
        if (text === undefined) {
          // The superuser sees the server's figures; an account's admin only its account's.
          const data =
            scope === null
              ? {
                  connections: hub.connections.size,
                  present_users: hub.presence.size,
                  ...hub.rates.current,
                  fanout: { ...agg, aggregated },
                  event_loop_lag_ms: Math.round((lag.mean / 1e6) * 100) / 100,
                  event_loop_lag_p99_ms: Math.round((lag.percentile(99) / 1e6) * 100) / 100,
                  rss_bytes: process.memoryUsage.rss(),
                }
              : {
                  account: scope,
                  connections: countConnections(scope),
                  present_users: hub.presence.list(w.principal).length,
                  fanout: { ...(aggByAccount.get(scope) ?? emptyAgg()), aggregated },
                };
          text = JSON.stringify({ type: 'tick', data, timestamp });
          if (scope === null) server = text;
          else byAccount.set(scope, text);
        }
        w.ws.send(text);
      }
    }
    lag.reset();
    perEventThisSecond = 0;
    Object.assign(agg, emptyAgg());
    aggByAccount.clear();
  }, 1000);
  tick.unref();

  return {
    name: 'monitor',
    paths: ['/api/v1/monitor'],
    unlimited: true,
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      // note: ws reports a protocol violation (an oversized frame, bad UTF-8) as 'error'; with no
      // listener that is an uncaught exception that would take the whole server down.
      ws.on('error', () => ws.terminate());
      const token = tokenOf(req, url);
      void (async () => {
        const v = token ? await verifyCredential(auth, token) : undefined;
        if (!v?.ok) return ws.close(4001, v ? v.reason : 'token required');
        if (!isAdmin(v.principal)) return ws.close(4003, 'admins only');
        // note: the feed shows every collection's events and connections; a scoped key sees none of that.
        if (v.principal.collections) return ws.close(4003, 'this API key is limited to collections');
        const w = { ws, principal: v.principal };
        if (watchers.size === 0) hub.fanoutListeners.add(onFanout);
        watchers.add(w);
        ws.on('close', () => {
          watchers.delete(w);
          if (watchers.size === 0) hub.fanoutListeners.delete(onFanout);
        });
        ws.on('message', () => {}); // the feed is one-way; inbound frames are ignored
        const scope = accountScope(v.principal);
        ws.send(
          JSON.stringify({
            type: 'snapshot',
            data: {
              connections: [...hub.connections.values()]
                .filter((c) => scope === null || (!c.authPending && accountOf(c) === scope))
                .map(describeConnection),
              presence: hub.presence.list(v.principal),
            },
            timestamp: new Date().toISOString(),
          }),
        );
      })().catch(() => ws.terminate());
    },
    stop() {
      clearInterval(tick);
      lag.disable();
      for (const off of offs) off();
      for (const w of watchers) w.ws.close(1001, 'server shutting down');
    },
  };
}
