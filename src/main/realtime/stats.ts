/** Counters of the realtime side; rates come from the difference between one-second samples. */
export class Counters {
  events = 0;
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  dropped = 0;
  slowConsumers = 0;
}

/** One second's worth of counter deltas. */
export interface Rates {
  events_per_s: number;
  messages_in_per_s: number;
  messages_out_per_s: number;
  bytes_in_per_s: number;
  bytes_out_per_s: number;
}

/** Keeps the last sample so each tick can report per-second rates. */
export class RateMeter {
  private last: Counters = new Counters();
  private lastAt = Date.now();
  current: Rates = {
    events_per_s: 0,
    messages_in_per_s: 0,
    messages_out_per_s: 0,
    bytes_in_per_s: 0,
    bytes_out_per_s: 0,
  };

  sample(c: Counters): Rates {
    const now = Date.now();
    const dt = Math.max(0.001, (now - this.lastAt) / 1000);
    const r = (k: keyof Counters) => Math.round((c[k] - this.last[k]) / dt);
    this.current = {
      events_per_s: r('events'),
      messages_in_per_s: r('messagesIn'),
      messages_out_per_s: r('messagesOut'),
      bytes_in_per_s: r('bytesIn'),
      bytes_out_per_s: r('bytesOut'),
    };
    this.last = Object.assign(new Counters(), c);
    this.lastAt = now;
    return this.current;
  }
}
