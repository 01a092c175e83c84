import { noFanout } from '../../shared/monitor';
import type { Collection } from '../../shared/schema';
import { DELIVERY, tallyDelivery, type Delivery, type FanoutTally, type Hooks } from './hooks';
import { matchEvent, MISS, newViewCache, type ViewCache } from './match';
import type { OutcomeRing } from './outcomes';
import type { Counters } from './stats';
import type { Connection, FrameGroup, LiveEvent, Subscription } from './types';

/**
 * An encoded frame as every socket of its shape is sent it: its bytes, and its group when the
 * encoder gave one (FastSchema's updates and deletes; one object per shape and event for them only).
 */
type SharedFrame = Buffer | { readonly bytes: Buffer; readonly group: FrameGroup };

/** Per event: frames by shape, view-rule decisions by caller, and the event's collection. */
interface FanoutScope {
  frames: Map<string, SharedFrame | null>;
  views: ViewCache;
  collection: Collection | undefined;
}

const { sent: SENT, dropped: DROPPED, other: SKIP_OTHER } = DELIVERY;
const skipOf = (miss: number): Delivery =>
  miss === MISS.rule ? DELIVERY.rule : miss === MISS.filter ? DELIVERY.filter : SKIP_OTHER;

/** What fan-out needs from the hub. */
export interface FanoutDeps {
  /** The hub's subscriptions by collection (`*` for all, `presence` for user events). */
  index: ReadonlyMap<string, Set<Subscription>>;
  hooks: Hooks;
  counters: Counters;
  outcomes: OutcomeRing;
  collection: (name: string) => Collection | undefined;
  /** Sends a frame (with its group, if any), or closes a slow consumer instead (false). */
  send(conn: Connection, frame: Buffer, group?: FrameGroup): boolean;
}

/**
 * The hub's fan-out: matches one event against the subscription index, sends each subscriber
 * its frame (encoded once per shape), and counts the outcomes (into the outcome ring by seq,
 * and for the `on_fanout` observers). Split from the hub, which owns the connections and the
 * index; this is the hot path.
 */
export class Fanout {
  /** The highest seq fanned out: every live subscription has been sent what it should see up to here. */
  lastSeq = 0;
  /** The seq being fanned out now (a slow consumer closed meanwhile is recorded against it). */
  seq: number | undefined;
  /** The event being fanned out now (its tally is reused: nothing allocated per event). */
  private readonly tally: FanoutTally = noFanout();
  /** Events raised during a fan-out (a slow consumer's user leaving): fanned out right after it. */
  private later: LiveEvent[] | undefined;

  constructor(private readonly deps: FanoutDeps) {}

  /**
   * Fans out one event. An event raised meanwhile (closing a slow consumer can end its user's
   * presence) waits for this one to finish.
   */
  run(ev: LiveEvent): void {
    // Never re-entered: the tally (and the delivery observers' list) belong to one event at a time.
    if (this.later) return void this.later.push(ev);
    this.later = [ev];
    try {
      for (let i = 0; i < this.later.length; i++) this.one(this.later[i]!);
    } finally {
      this.later = undefined;
    }
  }

  /** Sends `ev` to `sub` if it should see it, outside a fan-out (a replay). */
  deliverOne(sub: Subscription, ev: LiveEvent): void {
    this.deliver(sub, ev, this.scope(ev));
  }

  private one(ev: LiveEvent): void {
    const started = performance.now();
    if (ev.seq !== undefined) {
      this.deps.counters.events++;
      if (ev.seq > this.lastSeq) this.lastSeq = ev.seq;
    }
    const t = this.tally;
    t.candidates = t.matched = t.sent = t.skipped_rule = t.skipped_filter = t.dropped = 0;
    this.seq = ev.seq;
    const scope = this.scope(ev);
    const { hooks, index } = this.deps;
    // Whether anyone observes single deliveries is decided once per event: two loops, so the
    // unobserved one (the usual case) does nothing more per subscriber than count.
    const observe = hooks.has('on_delivery');
    const visit = (set: Set<Subscription> | undefined) => {
      if (!set) return;
      t.candidates += set.size;
      if (!observe) {
        for (const sub of set) {
          if (!sub.pending) tallyDelivery(t, this.deliver(sub, ev, scope));
          else if (ev.seq !== undefined) sub.pending.push(ev);
        }
        return;
      }
      for (const sub of set) {
        if (sub.pending) {
          if (ev.seq !== undefined) sub.pending.push(ev);
          continue;
        }
        const d = this.deliver(sub, ev, scope);
        tallyDelivery(t, d);
        hooks.emit('on_delivery', sub.conn, d);
      }
    };
    if (ev.type.startsWith('user.')) visit(index.get('presence'));
    else if (ev.collection) visit(index.get(ev.collection));
    visit(index.get('*'));
    this.seq = undefined;
    t.micros = Math.round((performance.now() - started) * 1000);
    if (ev.seq !== undefined) this.deps.outcomes.record(ev.seq, t);
    hooks.emit('on_fanout', ev, t);
  }

  /** What one event's fan-out computes once and shares across subscribers. */
  private scope(ev: LiveEvent): FanoutScope {
    return {
      frames: new Map(),
      views: newViewCache(),
      collection: ev.collection ? this.deps.collection(ev.collection) : undefined,
    };
  }

  /** Decides whether `ev` reaches `sub`, encodes (once per shape) and sends. */
  private deliver(sub: Subscription, ev: LiveEvent, scope: FanoutScope): Delivery {
    const { frames } = scope;
    if (ev.seq !== undefined) {
      if (ev.seq <= sub.lastSeq) return SKIP_OTHER;
      sub.lastSeq = ev.seq;
    }
    const match = matchEvent(sub, ev, scope.collection, scope.views);
    if (match === null) return skipOf(scope.views.miss);
    const key = `${sub.shape}|${match ?? ''}`;
    let frame = frames.get(key);
    if (frame === undefined) {
      // Encoded and turned into bytes once per shape; every matching socket gets the same buffer.
      const e = sub.encode(ev, match);
      frame =
        e === null ? null : typeof e === 'string' ? Buffer.from(e) : { bytes: Buffer.from(e.text), group: e };
      frames.set(key, frame);
    }
    if (frame === null) return SKIP_OTHER;
    const sent = Buffer.isBuffer(frame)
      ? this.deps.send(sub.conn, frame)
      : this.deps.send(sub.conn, frame.bytes, frame.group);
    return sent ? SENT : DROPPED;
  }
}
