/**
 * The monitor feed: one WebSocket to `/api/v1/monitor`, reconnecting with backoff. Frames are queued as
 * they come and applied once per animation frame (one store `set` per frame, however busy the server). A
 * `missed` frame, or a reconnect after a gap, pages the missing seqs from the event log so the stream
 * never has holes; batches that arrive meanwhile wait behind them, so the order holds. While the Flow tab
 * is open (`watchFlow`), the feed asks the server for each event's per-connection outcomes and feeds them
 * to the flow window (flow-model.ts).
 */
import { monitorFeedUrl } from '../../../../shared/client';
import type { MonitorClientMessage, MonitorEventSummary, MonitorFeedFrame } from '../../../../shared/monitor';
import { call, connection, sdk } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { flow } from './flow-model';
import { fetchRange } from './log-pages';
import { addTick, applyStats, clearLive, live, noteFanout } from './live-data';
import { initialMonitor, type MonitorState } from './slice';

let ws: WebSocket | null = null;
let inbox: MonitorFeedFrame[] = [];
let scheduled = false;
let retry = 0;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let wanted = false;
/** Batches held back while a gap is paged in. */
let held: MonitorEventSummary[][] | null = null;
let connectedOnce = false;
let offAuth: (() => void) | undefined;
/** Views that want the flow (the Flow tab); the server is asked while there is one. */
let flowViews = 0;

/** Opens the feed (once; later calls do nothing while it is wanted). */
export function startFeed(): void {
  if (wanted) return;
  wanted = true;
  // Signing out ends the feed and forgets what it showed.
  offAuth ??= useAppStore.subscribe((s, p) => {
    if (s.auth.status !== p.auth.status && s.auth.status !== 'signed-in') stopFeed();
  });
  open();
}

/** Closes the feed and forgets what it showed (sign-out). */
export function stopFeed(): void {
  wanted = false;
  clearTimeout(retryTimer);
  ws?.close(1000, 'console left');
  ws = null;
  inbox = [];
  held = null;
  connectedOnce = false;
  clearLive();
  flow.clear();
  patch('monitor', initialMonitor);
}

/**
 * Asks the server for each event's per-connection outcomes until the returned function is called
 * (the server records them only while some console wants them). Asked again after a reconnect.
 */
export function watchFlow(): () => void {
  if (flowViews++ === 0 && useAppStore.getState().monitor.feed.status === 'live')
    sendFeed({ type: 'flow', on: true });
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--flowViews > 0) return;
    sendFeed({ type: 'flow', on: false });
    flow.clear();
    patch('monitor', { flowOn: false });
  };
}

/** Sends a message on the feed (inspect/uninspect/flow); false when it is not open. */
export function sendFeed(m: MonitorClientMessage): boolean {
  if (ws?.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(m));
  return true;
}

function open(): void {
  const token = sdk.token;
  if (!connection.serverUrl || !token) {
    patch('monitor', (m): Partial<MonitorState> => ({
      feed: { ...m.feed, status: 'error', error: 'Not signed in to a server.' },
    }));
    return;
  }
  patch('monitor', (m): Partial<MonitorState> => ({
    feed: { ...m.feed, status: connectedOnce ? 'reconnecting' : 'connecting', error: null },
  }));
  const socket = new WebSocket(monitorFeedUrl(connection.serverUrl, token));
  ws = socket;
  socket.onmessage = (e) => {
    try {
      inbox.push(JSON.parse(String(e.data)) as MonitorFeedFrame);
    } catch {
      return;
    }
    schedule();
  };
  socket.onclose = (e) => {
    if (ws !== socket) return;
    ws = null;
    if (!wanted) return;
    if (e.code === 4003) {
      patch('monitor', (m): Partial<MonitorState> => ({
        feed: {
          ...m.feed,
          status: 'error',
          error: `The server refused the monitor: ${e.reason || 'admins only'}.`,
        },
      }));
      return;
    }
    const renew = e.code === 4001 ? call((sb) => sb.auth.me()).catch(() => undefined) : Promise.resolve();
    // note: 0.5 s doubling up to 10 s: a restarted server is back in a few seconds.
    const delay = Math.min(10_000, 500 * 2 ** retry++);
    patch('monitor', (m): Partial<MonitorState> => ({
      feed: { ...m.feed, status: 'reconnecting', error: e.reason || 'The connection to the server dropped.' },
    }));
    retryTimer = setTimeout(() => void renew.then(() => wanted && !ws && open()), delay);
  };
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const run = () => {
    if (!scheduled) return;
    scheduled = false;
    flush();
  };
  requestAnimationFrame(run);
  // note: a hidden tab gets no animation frames; the buffers still fill, a little less often.
  setTimeout(run, 250);
}

/** Applies every queued frame, then tells the store once. */
export function flush(): void {
  const frames = inbox;
  inbox = [];
  const bump = { events: false, connections: false, presenceLog: false, ticks: false, frames: false };
  const next: Partial<typeof initialMonitor> = {};
  const m = useAppStore.getState().monitor;
  let presence = m.presence;
  for (const f of frames) {
    switch (f.type) {
      case 'snapshot': {
        retry = 0;
        live.connections.clear();
        for (const c of f.data.connections) live.connections.set(c.id, c);
        presence = f.data.presence;
        const gapFrom = live.events.lastSeq;
        if (connectedOnce && gapFrom > 0 && f.data.last_seq > gapFrom)
          void catchUp(gapFrom + 1, f.data.last_seq);
        else if (!connectedOnce || live.events.lastSeq === 0) live.events.lastSeq = f.data.last_seq;
        connectedOnce = true;
        // A new socket starts without the flow: ask again.
        if (flowViews > 0) sendFeed({ type: 'flow', on: true });
        next.flowOn = false;
        next.feed = { status: 'live', error: null, instance: f.data.instance, instances: f.data.instances };
        bump.connections = true;
        break;
      }
      case 'events':
        noteFanout(f.data.events);
        if (flowViews > 0) flow.ingest(f.data.events, performance.now());
        if (held) held.push(f.data.events);
        else live.events.add(f.data.events);
        bump.events = true;
        break;
      case 'connection.opened':
      case 'connection.updated':
        live.connections.set(f.data.id, f.data);
        bump.connections = true;
        break;
      case 'connection.closed':
        live.connections.delete(f.data.id);
        bump.connections = true;
        break;
      case 'connection.stats':
        if (applyStats(live.connections, f.data.connections)) bump.connections = true;
        break;
      case 'presence':
        presence = applyPresence(presence, f.data.event, f.data.account, f.data.data);
        live.presenceLog.push({
          at: Date.parse(f.timestamp) || Date.now(),
          event: f.data.event,
          account: f.data.account,
          who: String(f.data.data.email ?? f.data.data.user_id ?? 'someone'),
          state: f.data.data.state as Record<string, unknown> | undefined,
        });
        bump.presenceLog = true;
        break;
      case 'tick':
        addTick(f.data, Date.parse(f.timestamp) || Date.now());
        if (f.data.instances) next.feed = { ...(next.feed ?? m.feed), instances: f.data.instances };
        bump.ticks = true;
        break;
      case 'missed':
        if (f.data.count > 0) void catchUp(f.data.from_seq, f.data.to_seq);
        break;
      case 'inspecting':
        if (f.data.connection === m.inspect.connection) {
          live.frames.clear();
          for (const fr of f.data.frames) live.frames.push(fr);
          next.inspect = { connection: f.data.connection, status: 'on', error: null };
          bump.frames = true;
        }
        break;
      case 'frame':
        if (f.data.connection === m.inspect.connection) {
          live.frames.push(f.data);
          bump.frames = true;
        }
        break;
      case 'flow':
        next.flowOn = f.data.on && flowViews > 0;
        break;
      case 'error':
        if (m.inspect.status === 'starting')
          next.inspect = { ...m.inspect, status: 'error', error: f.data.message };
        break;
    }
  }
  if (presence !== m.presence) next.presence = presence;
  patch('monitor', (cur): Partial<MonitorState> => ({
    ...next,
    ...(bump.events ? { eventsVersion: cur.eventsVersion + 1, newCount: live.events.newCount } : {}),
    ...(bump.connections ? { connectionsVersion: cur.connectionsVersion + 1 } : {}),
    ...(bump.presenceLog ? { presenceLogVersion: cur.presenceLogVersion + 1 } : {}),
    ...(bump.ticks ? { ticksVersion: cur.ticksVersion + 1 } : {}),
    ...(bump.frames ? { framesVersion: cur.framesVersion + 1 } : {}),
  }));
}

/** The presence list after one presence event. */
export function applyPresence<T extends { user_id: string; account: string }>(
  list: T[],
  event: string,
  account: string,
  data: Record<string, unknown>,
): T[] {
  const id = String(data.user_id ?? '');
  const rest = list.filter((u) => !(u.user_id === id && u.account === account));
  if (event === 'user.left') return rest;
  const before = list.find((u) => u.user_id === id && u.account === account);
  const user = { ...before, ...data, user_id: id, account } as unknown as T;
  if (!before && !('since' in data)) (user as { since?: string }).since = new Date().toISOString();
  return [...rest, user];
}

/** Pages seqs `from`..`to` into the stream, in order (batches arriving meanwhile wait behind them). */
async function catchUp(from: number, to: number): Promise<void> {
  held ??= [];
  patch('monitor', (m): Partial<MonitorState> => ({ catchingUp: m.catchingUp + (to - from + 1) }));
  let got: MonitorEventSummary[] = [];
  try {
    got = await fetchRange(from, to);
  } catch {
    // note: what could not be paged is left out; the next gap check starts after the newest seq shown.
  } finally {
    const later = held ?? [];
    held = null;
    live.events.add(got.filter((e) => !live.events.find(e.seq)));
    for (const b of later) live.events.add(b);
    patch('monitor', (m): Partial<MonitorState> => ({
      catchingUp: Math.max(0, m.catchingUp - (to - from + 1)),
      eventsVersion: m.eventsVersion + 1,
      newCount: live.events.newCount,
    }));
  }
}
