/** Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
import type { BackoffOptions } from './types';

/** note: short enough that a restarted server is found quickly, long enough not to hammer a dead one. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

/**
 * The delay before retry number `attempt` (0-based): uniform in [0, min(maxMs, initialMs·2^attempt)].
 * Full jitter spreads the reconnects of many clients that lost the same server at the same moment.
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions,
  random: () => number = Math.random,
): number {
  const cap = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * cap);
}

/** Fills defaults and rejects impossible values, so a bad option fails at `createClient`, not at the first retry. */
export function resolveBackoff(opts: Partial<BackoffOptions> | undefined): BackoffOptions {
  const r = { ...DEFAULT_BACKOFF, ...opts };
  if (!(r.initialMs >= 0) || !(r.maxMs >= r.initialMs)) {
    throw new Error(
      `invalid backoff {initialMs: ${r.initialMs}, maxMs: ${r.maxMs}}: need 0 <= initialMs <= maxMs`,
    );
  }
  return r;
}
