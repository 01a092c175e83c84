/** An admin watcher on the monitor feed, and what it saw over a block. */
import { WebSocket, type RawData } from 'ws';
import { waitUntil } from '../../lib/fanout';
import { withTimeout } from '../../lib/timing';

// note: the watcher's snapshot must arrive within this long.
const HANDSHAKE_MS = 15_000;
// note: the monitor's tick is once a second; waiting this long after a block catches the one that sums its tail.
const TICK_WAIT_MS = 1500;
const CLOSE_MS = 5000;

/** What a watcher saw over its block (and the tick after it). */
export interface WatcherCount {
  frames: Map<string, number>;
  /** Sum of `tick.data.fanout.events`: every event the feed saw, per-event frame or not. */
  tickEvents: number;
  ticks: number;
  /** `events` batches, the event summaries in them, and events a `missed` notice owned up to. */
  batches: number;
  summaries: number;
  missed: number;
  /** The largest `event_loop_lag_p99_ms` any tick reported (the server's own loop delay). */
  lagP99Ms: number;
  /** Frames that arrived after a paused watcher was resumed. */
  afterResume: number;
}

/** Nothing seen yet. */
export const emptyCount = (): WatcherCount => ({
  frames: new Map(),
  tickEvents: 0,
  ticks: 0,
  batches: 0,
  summaries: 0,
  missed: 0,
  lagP99Ms: 0,
  afterResume: 0,
});

/** Adds what `b` saw to `a` (the lag is the larger of the two). */
export function addCount(a: WatcherCount, b: WatcherCount): void {
  for (const [t, n] of b.frames) a.frames.set(t, (a.frames.get(t) ?? 0) + n);
  a.tickEvents += b.tickEvents;
  a.ticks += b.ticks;
  a.batches += b.batches;
  a.summaries += b.summaries;
  a.missed += b.missed;
  a.lagP99Ms = Math.max(a.lagP99Ms, b.lagP99Ms);
  a.afterResume += b.afterResume;
}

/** One admin watcher on the monitor feed (the `ws` client: it is one socket, and it parses every frame). */
export class Watcher {
  readonly count = emptyCount();
  private resumed = false;
  /** Date.now() of the last tick's own timestamp. */
  private lastTickAt = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (d: RawData) => this.onFrame(d));
  }

  /** Connects and resolves once the snapshot arrived (the server has registered it by then). */
  static async open(url: string, paused: boolean): Promise<Watcher> {
    const ws = new WebSocket(url);
    const snapshot = new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
      ws.once('close', (code, reason) => reject(new Error(`monitor closed: ${code} ${reason.toString()}`)));
    });
    try {
      await withTimeout(snapshot, HANDSHAKE_MS, 'monitor snapshot');
    } catch (e) {
      ws.terminate();
      throw e;
    }
    ws.removeAllListeners('error');
    ws.removeAllListeners('close');
    ws.on('error', () => ws.terminate());
    const w = new Watcher(ws);
    if (paused) ws.pause();
    return w;
  }

  private onFrame(d: RawData): void {
    if (this.resumed) this.count.afterResume++;
    let m: {
      type?: string;
      timestamp?: string;
      data?: {
        fanout?: { events?: number };
        event_loop_lag_p99_ms?: number;
        events?: unknown[];
        count?: number;
      };
    };
    try {
      m = JSON.parse(d.toString()) as typeof m;
    } catch {
      m = { type: 'unparseable' };
    }
    const type = m.type ?? 'untyped';
    this.count.frames.set(type, (this.count.frames.get(type) ?? 0) + 1);
    if (type === 'events') {
      this.count.batches++;
      this.count.summaries += m.data?.events?.length ?? 0;
    }
    if (type === 'missed') this.count.missed += m.data?.count ?? 0;
    if (type === 'tick') {
      this.lastTickAt = Date.parse(m.timestamp ?? '') || 0;
      this.count.ticks++;
      this.count.tickEvents += m.data?.fanout?.events ?? 0;
      this.count.lagP99Ms = Math.max(this.count.lagP99Ms, m.data?.event_loop_lag_p99_ms ?? 0);
    }
  }

  /**
   * Resumes reading (if paused), waits for a tick stamped after now (the one that sums the
   * block's tail; a paused watcher's buffered ticks are older), then closes.
   */
  async finish(): Promise<void> {
    const since = Date.now();
    if (this.ws.isPaused) {
      this.resumed = true;
      this.ws.resume();
    }
    await waitUntil(() => this.lastTickAt >= since, TICK_WAIT_MS, 20);
    const closed = new Promise<void>((r) => this.ws.once('close', () => r()));
    this.ws.close(1000, 'bench block over');
    try {
      await withTimeout(closed, CLOSE_MS, 'monitor close');
    } catch {
      this.ws.terminate();
    }
  }

  /** Drops the socket at once (a block that failed). */
  terminate(): void {
    this.ws.terminate();
  }
}
