import type { FanoutFigures } from '../../shared/monitor';
import type { LiveEvent, Connection, Subscription } from './types';

/** One event's fan-out on this instance, as counted in the hub's path (see outcomes.ts): the feed's figures. */
export type FanoutTally = FanoutFigures;

/** What one delivery came to (a number, so the hot path allocates nothing). */
export const DELIVERY = { sent: 0, dropped: 1, rule: 2, filter: 3, other: 4 } as const;
export type Delivery = (typeof DELIVERY)[keyof typeof DELIVERY];

/** Adds one subscription's delivery to an event's tally (`other` counts as a candidate only). */
export function tallyDelivery(t: FanoutTally, d: Delivery): void {
  switch (d) {
    case DELIVERY.sent:
      t.matched++;
      t.sent++;
      break;
    case DELIVERY.dropped:
      t.matched++;
      t.dropped++;
      break;
    case DELIVERY.rule:
      t.skipped_rule++;
      break;
    case DELIVERY.filter:
      t.skipped_filter++;
      break;
  }
}

/**
 * Everything that observes the hub, in one typed registry: the connection hooks (named as
 * SnackBase names them), each event's fan-out (the monitor feed, FastSchema's catch-up) and
 * the end of one source batch (FastSchema flushes its per-write message there).
 */
export interface RealtimeHooks {
  on_realtime_connect: (c: Connection) => void;
  on_realtime_authenticate: (c: Connection) => void;
  on_realtime_disconnect: (c: Connection, code: number, reason: string) => void;
  on_realtime_subscribe: (c: Connection, s: Subscription) => void;
  on_realtime_unsubscribe: (c: Connection, key: string) => void;
  on_realtime_message: (c: Connection, message: unknown) => void;
  /** After one event's fan-out; `f` is the hub's own tally, valid during the call only (copy what you keep). */
  on_fanout: (ev: LiveEvent, f: Readonly<FanoutTally>) => void;
  /**
   * Each subscription's delivery during a fan-out (the monitor's Flow view), before that event's
   * `on_fanout`. Costly per subscriber: the hub only calls it for events that began while someone
   * listened (see realtime/flow.ts, which listens only while a watcher wants the flow).
   */
  on_delivery: (c: Connection, d: Delivery) => void;
  /** After all events of one commit (one source batch, e.g. a bulk write) were fanned out. */
  on_batch_end: () => void;
}

type Listeners = { [K in keyof RealtimeHooks]: Set<RealtimeHooks[K]> };

/** A typed registry of observers; a listener that throws is reported, never propagated. */
export class Hooks {
  private readonly listeners: Listeners = {
    on_realtime_connect: new Set(),
    on_realtime_authenticate: new Set(),
    on_realtime_disconnect: new Set(),
    on_realtime_subscribe: new Set(),
    on_realtime_unsubscribe: new Set(),
    on_realtime_message: new Set(),
    on_fanout: new Set(),
    on_delivery: new Set(),
    on_batch_end: new Set(),
  };

  constructor(private readonly onError: (e: unknown) => void) {}

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof RealtimeHooks>(name: K, fn: RealtimeHooks[K]): () => void {
    (this.listeners[name] as Set<RealtimeHooks[K]>).add(fn);
    return () => (this.listeners[name] as Set<RealtimeHooks[K]>).delete(fn);
  }

  /** True when someone listens, so callers can skip building arguments. */
  has(name: keyof RealtimeHooks): boolean {
    return this.listeners[name].size > 0;
  }

  emit<K extends keyof RealtimeHooks>(name: K, ...args: Parameters<RealtimeHooks[K]>): void {
    const set = this.listeners[name] as Set<(...a: Parameters<RealtimeHooks[K]>) => void>;
    if (set.size === 0) return;
    for (const fn of set) {
      try {
        fn(...args);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
