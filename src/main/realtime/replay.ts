import type { EventHistory, LiveEvent, Subscription } from './types';

// note: a replay reads the log in pages this size, yielding to the event loop in between.
export const REPLAY_PAGE = 500;

/** What a replay needs from the hub. */
export interface ReplayDeps {
  history: EventHistory;
  /** Sends `ev` to `sub` if it should see it (advances `sub.lastSeq`). */
  deliver(sub: Subscription, ev: LiveEvent): void;
  /** The highest seq fanned out live. */
  lastSeq(): number;
  onError(e: unknown): void;
  /** Ends the connection when the log cannot be read. */
  fail(sub: Subscription): void;
}

/**
 * Catches a subscription up from the log after `sub.lastSeq`, a page at a time, then sends
 * what fan-out queued meanwhile (`sub.pending`, in order) and goes live.
 */
export async function replay(sub: Subscription, deps: ReplayDeps): Promise<void> {
  try {
    for (;;) {
      const page = await deps.history.since(sub.lastSeq, REPLAY_PAGE);
      if (sub.conn.closed || sub.conn.subs.get(sub.key) !== sub) return;
      for (const ev of page) deps.deliver(sub, ev);
      if (page.length < REPLAY_PAGE) break;
      await new Promise((r) => setImmediate(r));
    }
    const queued = sub.pending ?? [];
    sub.pending = undefined;
    for (const ev of queued) deps.deliver(sub, ev);
    sub.onReplayed?.(Math.max(sub.lastSeq, deps.lastSeq()));
  } catch (e) {
    deps.onError(e);
    deps.fail(sub);
  }
}
