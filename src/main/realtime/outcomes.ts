import type { FanoutFigures } from '../../shared/monitor';
import type { FanoutTally } from './hooks';

// note: 50,000 events is minutes of a busy venue; 8 numbers each is ~1.6 MB, allocated once.
export const OUTCOMES_KEPT = 50_000;
// note: slow-consumer drops are rare (each closes a connection); the last 1,000 are plenty to explain.
const DROPS_KEPT = 1000;

/**
 * Each event's fan-out figures on this instance, by seq, in a fixed ring of typed arrays: the
 * hub writes one slot per event and allocates nothing. Older seqs are overwritten.
 */
export class OutcomeRing {
  private readonly seqs: Float64Array;
  private readonly counts: Uint32Array;
  private readonly micros: Float64Array;
  /** Connections closed as slow consumers, with the seq whose fan-out closed them. */
  private readonly drops: { seq: number; connection: string }[] = [];
  private oldest = 0;

  constructor(readonly capacity = OUTCOMES_KEPT) {
    this.seqs = new Float64Array(capacity);
    this.counts = new Uint32Array(capacity * 6);
    this.micros = new Float64Array(capacity);
  }

  record(seq: number, t: FanoutTally): void {
    const i = seq % this.capacity;
    if (this.seqs[i] !== 0 && this.seqs[i]! < seq) this.oldest = Math.max(this.oldest, this.seqs[i]! + 1);
    if (this.oldest === 0) this.oldest = seq;
    this.seqs[i] = seq;
    const o = i * 6;
    const c = this.counts;
    c[o] = t.candidates;
    c[o + 1] = t.matched;
    c[o + 2] = t.sent;
    c[o + 3] = t.skipped_rule;
    c[o + 4] = t.skipped_filter;
    c[o + 5] = t.dropped;
    this.micros[i] = t.micros;
  }

  /** A connection closed as a slow consumer while `seq` fanned out. */
  dropped(seq: number, connection: string): void {
    this.drops.push({ seq, connection });
    if (this.drops.length > DROPS_KEPT) this.drops.splice(0, this.drops.length - DROPS_KEPT);
  }

  droppedAt(seq: number): string[] {
    return this.drops.filter((d) => d.seq === seq).map((d) => d.connection);
  }

  /** The recorded figures of `seq`, or undefined when never recorded here or already overwritten. */
  get(seq: number): FanoutFigures | undefined {
    const i = seq % this.capacity;
    if (this.seqs[i] !== seq) return undefined;
    const o = i * 6;
    const c = this.counts;
    return {
      candidates: c[o]!,
      matched: c[o + 1]!,
      sent: c[o + 2]!,
      skipped_rule: c[o + 3]!,
      skipped_filter: c[o + 4]!,
      dropped: c[o + 5]!,
      micros: Math.round(this.micros[i]!),
    };
  }

  /** The oldest seq still kept (0 when none). */
  oldestSeq(): number {
    return this.oldest;
  }

  /** Recorded figures for seqs in (since, until], at most `limit`, in seq order. */
  range(since: number, until: number, limit: number): ({ seq: number } & FanoutFigures)[] {
    const out: ({ seq: number } & FanoutFigures)[] = [];
    // Only the last `capacity` seqs can be here: never walk further back than that.
    const from = Math.max(since + 1, this.oldest, until - this.capacity + 1);
    for (let s = from; s <= until && out.length < limit; s++) {
      const f = this.get(s);
      if (f) out.push({ seq: s, ...f });
    }
    return out;
  }
}
