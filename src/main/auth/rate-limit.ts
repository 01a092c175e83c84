/**
 * Counts failures per key in a fixed window (login attempts). In memory: a restart
 * forgets, which is fine for throttling guessing on a LAN box.
 */
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const h = this.hits.get(key);
    if (!h || h.resetAt <= Date.now()) return 0;
    return h.count >= this.max ? Math.ceil((h.resetAt - Date.now()) / 1000) : 0;
  }

  fail(key: string): void {
    const now = Date.now();
    const h = this.hits.get(key);
    if (!h || h.resetAt <= now) this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
    else h.count++;
    // note: sweep old entries now and then so an address scan cannot grow the map without bound.
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
  }

  reset(key: string): void {
    this.hits.delete(key);
  }
}
