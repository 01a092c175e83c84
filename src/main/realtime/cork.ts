import type { Transport } from './types';

// note: a transport holding more than this in one turn writes it out and corks again.
const CORK_FLUSH_BYTES = 256 * 1024;

/**
 * Flow control for one turn of the event loop: the first frame for a transport corks it, and
 * every corked transport is uncorked once, after the code that sent (a group commit's whole
 * fan-out, a replay page, a heartbeat round) — one write per connection, not one per frame.
 */
export class Corker {
  /** Transports holding this turn's frames, and how many bytes each holds. */
  private readonly corked = new Map<Transport, number>();

  constructor(private readonly onError: (e: unknown) => void) {}

  /** Bytes this turn queued on `t`: not a backlog (only what is left from earlier turns counts). */
  held(t: Transport): number {
    return this.corked.get(t) ?? 0;
  }

  /** Accounts for `bytes` about to be sent on `t`, corking it first if needed. */
  hold(t: Transport, bytes: number): void {
    if (!t.cork) return;
    const held = this.corked.get(t);
    if (held === undefined) {
      t.cork();
      if (this.corked.size === 0) queueMicrotask(this.uncorkAll);
      this.corked.set(t, bytes);
    } else if (held + bytes > CORK_FLUSH_BYTES) {
      // A big turn (a bulk write, a replay page) goes to the kernel in slices, not all at the end.
      t.uncork!();
      t.cork();
      this.corked.set(t, bytes);
    } else this.corked.set(t, held + bytes);
  }

  /** Lets every corked transport write. */
  private readonly uncorkAll = (): void => {
    const corked = [...this.corked.keys()];
    this.corked.clear();
    for (const t of corked) {
      try {
        t.uncork!();
      } catch (e) {
        this.onError(e);
      }
    }
  };
}
