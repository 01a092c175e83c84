import type { WebSocket } from 'ws';
import type { MonitorFeedFrame } from '../../shared/monitor';
import type { Principal } from '../auth';
import { accountScope } from '../auth/principal';
import type { FrameSink } from './monitor-inspect';

/** One admin socket on the feed: what it may see, and how far behind it is. */
export interface Watcher {
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

/** A watcher that has just been let in (not behind, inspecting nothing). */
export function newWatcher(ws: WebSocket, principal: Principal): Watcher {
  return {
    ws,
    principal,
    scope: accountScope(principal),
    behind: false,
    missedFrom: 0,
    missedTo: 0,
    missedCount: 0,
    resync: false,
    inspecting: new Map(),
  };
}

/** Now, in ISO 8601 (UTC), as every feed frame's timestamp. */
export const stamp = () => new Date().toISOString();

/** One feed frame's text, stamped now. */
export const frameText = (type: MonitorFeedFrame['type'], data: unknown) =>
  JSON.stringify({ type, data, timestamp: stamp() });

/** Whether a watcher may see what belongs to `account` (null: every watcher). */
export const sees = (w: Watcher, account: string | null) =>
  account === null || w.scope === null || w.scope === account;

/** Sends to a watcher, or holds the frame while its snapshot is being put together. */
export function sendTo(w: Watcher, text: string): void {
  if (w.queue) w.queue.push(text);
  else w.ws.send(text);
}

/**
 * The feed's watchers. One whose socket has more than `maxBufferBytes` queued is skipped, never
 * waited for; it is told what it missed (and resnapshotted if it missed deltas) once its
 * socket has drained to a quarter of that.
 */
export class Watchers {
  private readonly all = new Set<Watcher>();

  constructor(
    private readonly maxBufferBytes: number,
    /** Sends a watcher a fresh snapshot (after it missed connection or presence deltas). */
    private readonly resnapshot: (w: Watcher) => void,
  ) {}

  get size(): number {
    return this.all.size;
  }

  [Symbol.iterator](): Iterator<Watcher> {
    return this.all[Symbol.iterator]();
  }

  add(w: Watcher): void {
    this.all.add(w);
  }

  delete(w: Watcher): void {
    this.all.delete(w);
  }

  /** Whether some watcher here wants each event's per-connection outcomes. */
  wantFlow(): boolean {
    return [...this.all].some((w) => w.flow);
  }

  /** Whether a watcher's socket is too far behind to be sent more now. */
  tooFar(w: Watcher): boolean {
    return w.ws.bufferedAmount > (w.behind ? this.maxBufferBytes / 4 : this.maxBufferBytes);
  }

  /** Sends a delta now to every watcher that may see it; one that is behind will get a snapshot instead. */
  delta(account: string | null, type: MonitorFeedFrame['type'], data: unknown): void {
    if (this.all.size === 0) return;
    let text: string | undefined;
    for (const w of this.all) {
      if (!sees(w, account)) continue;
      if (w.behind || this.tooFar(w)) {
        w.behind = true;
        w.resync = true;
        continue;
      }
      sendTo(w, (text ??= frameText(type, data)));
    }
  }

  /** Notes the events a watcher too far behind is skipping (the ones it may see). */
  missed(w: Watcher, batch: readonly { account: string | null; summary: { seq: number } }[]): void {
    w.behind = true;
    for (const p of batch) {
      if (!sees(w, p.account)) continue;
      const s = p.summary.seq;
      if (w.missedCount === 0 || s < w.missedFrom) w.missedFrom = s;
      if (s > w.missedTo) w.missedTo = s;
      w.missedCount++;
    }
  }

  /** A watcher that was skipped has room again: tell it what it missed (and resync it). */
  caughtUp(w: Watcher): void {
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
      this.resnapshot(w);
    }
  }
}
