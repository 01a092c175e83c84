/**
 * The monitor's big live buffers, kept outside the store so a frame's worth of feed traffic costs one
 * `set` (of version counters) instead of thousands: the event stream, the connections by id, the ticks of
 * the last 15 minutes, the presence log and the inspected connection's frames.
 */
import type {
  MonitorConnection,
  MonitorConnectionCounters,
  MonitorEventSummary,
  MonitorFrame,
  MonitorTick,
} from '../../../../shared/monitor';
import { Ring } from '../../store/ring';
import { EventBuffer } from './event-buffer';

/** A tick as kept for the charts: its time and the fan-out percentiles of that second's events. */
export interface TickPoint {
  /** Epoch seconds (uPlot's x). */
  t: number;
  tick: MonitorTick;
  p50_us: number | null;
  p99_us: number | null;
}

/** A join, leave or state change as the presence tab lists it. */
export interface PresenceLogEntry {
  at: number;
  event: 'user.joined' | 'user.left' | 'user.state';
  account: string;
  who: string;
  state?: Record<string, unknown>;
}

// note: one tick a second for 15 minutes.
export const TICKS_KEPT = 900;
export const PRESENCE_LOG_KEPT = 500;
// note: the server keeps 300 per inspected connection; the console keeps a little more across restarts.
export const FRAMES_KEPT = 1000;

export const live = {
  events: new EventBuffer(),
  connections: new Map<string, MonitorConnection>(),
  ticks: new Ring<TickPoint>(TICKS_KEPT),
  presenceLog: new Ring<PresenceLogEntry>(PRESENCE_LOG_KEPT),
  frames: new Ring<MonitorFrame>(FRAMES_KEPT),
  /** Fan-out times (µs) of the events since the last tick, for its percentiles. */
  secondMicros: [] as number[],
};

/** The p-th percentile (0-100) of `values` (sorted in place); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const i = Math.min(values.length - 1, Math.max(0, Math.ceil((p / 100) * values.length) - 1));
  return values[i]!;
}

/** Records a tick with the percentiles of the second's events. */
export function addTick(tick: MonitorTick, at: number): void {
  const micros = live.secondMicros;
  live.secondMicros = [];
  const p50 = percentile(micros, 50);
  const p99 = percentile(micros, 99);
  live.ticks.push({ t: at / 1000, tick, p50_us: p50, p99_us: p99 });
}

/** Notes event summaries for the next tick's percentiles. */
export function noteFanout(events: readonly MonitorEventSummary[]): void {
  for (const e of events) live.secondMicros.push(e.fanout.micros);
}

/**
 * Patches the connections' counters from a `connection.stats` delta (a new object per changed
 * connection, so only its row re-renders); true when any connection shown was patched.
 */
export function applyStats(
  connections: Map<string, MonitorConnection>,
  stats: readonly MonitorConnectionCounters[],
): boolean {
  let changed = false;
  for (const s of stats) {
    const c = connections.get(s.id);
    // note: a connection not (yet) shown is left out; its `connection.opened` carries its counters.
    if (!c) continue;
    connections.set(s.id, {
      ...c,
      messages_in: s.messages_in,
      messages_out: s.messages_out,
      bytes_in: s.bytes_in,
      bytes_out: s.bytes_out,
      buffered: s.buffered,
      last_seen: s.last_seen,
    });
    changed = true;
  }
  return changed;
}

/** Forgets everything (sign-out). */
export function clearLive(): void {
  live.events.clear();
  live.connections.clear();
  live.ticks.clear();
  live.presenceLog.clear();
  live.frames.clear();
  live.secondMicros = [];
}
