/**
 * What the monitor's screens ask for: pause and resume the stream, filter it, open an event (its record
 * from the event log and the explanation of its fan-out), inspect, disconnect and test a connection, and
 * replay a range of past events into the playground's client.
 */
import type { HubEvent } from '../../../../shared/events';
import type { MonitorExplain, MonitorSendResult } from '../../../../shared/monitor';
import { MONITOR_REPLAY_MAX, type MonitorReplayResult } from '../../../../shared/monitor-history';
import { call } from '../../sdk';
import { patch, useAppStore } from '../../store';
import { failed, idle, loading, ready } from '../../store/resource';
import { toast } from '../../store/toasts';
import { attempt, type Outcome } from '../../lib/outcome';
import { monitor } from './api';
import type { EventFilter } from './event-buffer';
import { sendFeed } from './feed';
import { loadOlder } from './history';
import { replaySummary } from './history-model';
import { live } from './live-data';
import { logPlayground, usePlayground } from './playground-session';
import type { MonitorState } from './slice';

const bumpEvents = () =>
  patch('monitor', (m): Partial<MonitorState> => ({
    eventsVersion: m.eventsVersion + 1,
    paused: live.events.paused,
    newCount: live.events.newCount,
  }));

/** Holds the list still; events keep arriving into a buffer ("N new"). */
export function pauseEvents(): void {
  live.events.pause();
  bumpEvents();
}

/** Shows everything that arrived while paused. */
export function resumeEvents(): void {
  live.events.resume();
  bumpEvents();
}

/** Narrows the event list (rebuilt from the ring at once). */
export function filterEvents(f: EventFilter): void {
  live.events.setFilter(f);
  bumpEvents();
}

/** Opens one event: its full record from the event log (the feed carries summaries only). */
export async function openEvent(seq: number | null): Promise<void> {
  patch('monitor', { explain: idle() });
  if (seq === null) {
    patch('monitor', { event: idle() });
    return;
  }
  patch('monitor', (m): Partial<MonitorState> => ({ event: loading<HubEvent>({ ...m.event, data: null }) }));
  try {
    const page = await call((sb) => sb.admin.events({ since: seq - 1, limit: 1 }));
    const ev = page.events.find((e) => e.seq === seq);
    if (!ev) throw new Error(`Event ${seq} is no longer in the event log.`);
    if (useAppStore.getState().route.query.seq === String(seq)) patch('monitor', { event: ready(ev) });
  } catch (e) {
    patch('monitor', (m): Partial<MonitorState> => ({ event: failed(m.event, e) }));
  }
}

/** Explains event `seq`'s fan-out, for every connection or one. */
export async function explainEvent(seq: number, connection?: string): Promise<void> {
  patch('monitor', (m): Partial<MonitorState> => ({
    explain: loading<MonitorExplain>({ ...m.explain, data: null }),
  }));
  try {
    const r = await call(() => monitor().explain(seq, connection || undefined));
    patch('monitor', { explain: ready(r) });
  } catch (e) {
    patch('monitor', (m): Partial<MonitorState> => ({ explain: failed(m.explain, e) }));
  }
}

/** Starts streaming one connection's frames (stops the previous one's); null stops. */
export function inspectConnection(id: string | null): void {
  const cur = useAppStore.getState().monitor.inspect.connection;
  if (cur === id) return;
  if (cur) sendFeed({ type: 'uninspect', connection: cur });
  live.frames.clear();
  if (!id) {
    patch('monitor', (m): Partial<MonitorState> => ({
      inspect: { connection: null, status: 'idle', error: null },
      framesVersion: m.framesVersion + 1,
    }));
    return;
  }
  const sent = sendFeed({ type: 'inspect', connection: id });
  patch('monitor', (m): Partial<MonitorState> => ({
    inspect: {
      connection: id,
      status: sent ? 'starting' : 'error',
      error: sent ? null : 'The monitor feed is not connected.',
    },
    framesVersion: m.framesVersion + 1,
  }));
}

/** Closes a connection; the client is told `disconnected by an admin: <reason>`. */
export async function disconnectConnection(id: string, reason: string): Promise<Outcome> {
  const r = await attempt(() => call(() => monitor().disconnect(id, reason)));
  if (r.ok) toast(`Connection ${id} disconnected.`);
  return r as Outcome;
}

/** Sends a test record to one connection's subscriptions. */
export async function sendTestFrame(
  id: string,
  data: Record<string, unknown>,
): Promise<Outcome<MonitorSendResult>> {
  const r = await attempt(() => call(() => monitor().send({ connection: id, data })));
  if (r.ok) toast(`Test frame sent (${r.value.sent} frame${r.value.sent === 1 ? '' : 's'}).`);
  return r;
}

/** Scrolls back past the ring into the event log (1,000 seqs at a time). */
export async function loadOlderEvents(): Promise<void> {
  await loadOlder();
}

/**
 * Replays seqs `from`..`to` from the event log into the playground's client, as the live fan-out would
 * (its dialect, filter and view rule); the frames arrive in its list, a note and a toast say what was sent
 * and skipped.
 */
export async function replayInPlayground(from: number, to: number): Promise<Outcome<MonitorReplayResult>> {
  const id = usePlayground.getState().connectionId;
  const r = await attempt(() => {
    if (!id) throw new Error('Connect a test client in the Playground first.');
    if (to - from + 1 > MONITOR_REPLAY_MAX)
      throw new Error(`Select at most ${MONITOR_REPLAY_MAX.toLocaleString()} seqs to replay.`);
    return call(() => monitor().replay({ connection: id, from_seq: from, to_seq: to }));
  });
  if (r.ok) {
    const line = `Replayed seqs ${from}–${to} (${r.value.events.toLocaleString()} events): ${replaySummary(r.value)}`;
    logPlayground('info', line);
    toast(line);
  } else toast(`Replay failed: ${r.error.message}`, 'error');
  return r;
}
