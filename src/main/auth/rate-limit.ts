/**
 * Counts failures per key in a fixed window. In memory: a restart forgets, which is fine for
 * throttling guessing on a LAN box.
 */
export class RateLimiter {
  private hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may now. */
  retryAfter(key: string): number {
    const h = this.hits.get(key);
    const now = this.now();
    if (!h || h.resetAt <= now) return 0;
    return h.count >= this.max ? Math.ceil((h.resetAt - now) / 1000) : 0;
  }

  fail(key: string): void {
    const now = this.now();
    const h = this.hits.get(key);
    if (!h || h.resetAt <= now) this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
    else h.count++;
    // note: sweep old entries now and then so an address scan cannot grow the map without bound.
    if (this.hits.size > 10_000) for (const [k, v] of this.hits) if (v.resetAt <= now) this.hits.delete(k);
  }

  /** Takes back one failure counted for `key` (an attempt counted up front that succeeded). */
  forgive(key: string): void {
    const h = this.hits.get(key);
    if (h && h.count > 0) h.count--;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }
}

/** The login throttle's settings; the defaults are LOGIN_LIMITS. */
export interface LoginLimits {
  /** Failed logins one address may make, over all emails, per window. */
  addressMaxFailures: number;
  addressWindowMs: number;
  /** Failures on one email (from anywhere) before each further attempt must wait. */
  accountFreeFailures: number;
  /** The first wait after the free failures; it doubles per further failure. */
  accountBaseDelayMs: number;
  /** The longest wait. */
  accountMaxDelayMs: number;
  /** An email's failures are forgotten this long after its last one. */
  accountMemoryMs: number;
}

export const LOGIN_LIMITS: LoginLimits = {
  // note: 30 failures in 15 min from one address: more than any person mistyping, few for a guesser.
  addressMaxFailures: 30,
  addressWindowMs: 15 * 60_000,
  // note: 5 free failures per email, then 5 s, 10 s, 20 s… capped at 15 min, forgotten 1 h after the last:
  // a guesser gets about a dozen tries in the first half hour and 4 an hour after that.
  accountFreeFailures: 5,
  accountBaseDelayMs: 5000,
  accountMaxDelayMs: 15 * 60_000,
  accountMemoryMs: 60 * 60_000,
};

// note: how many addresses an email remembers as having failed on it; beyond, the oldest go.
const MAX_FAILED_FROM = 1000;
// note: past this many remembered emails, forgotten ones are swept so a spray cannot grow memory.
const SWEEP_AT = 10_000;

interface AccountRecord {
  failures: number;
  lastFailureAt: number;
  /** Addresses that failed on this email since it was last forgotten. */
  failedFrom: Set<string>;
}

/** Why an attempt may not be checked now. */
export interface Throttled {
  scope: 'address' | 'account';
  retryAfterS: number;
}

/**
 * The login throttle: a budget per client address and a backoff per email.
 *
 * - Address budget (all emails): an address with too many failures in the window is refused for
 *   every email until the window ends. It stops one address from trying many emails (each costs
 *   one scrypt). A success does not refill it, or a guesser could reset its budget by signing in
 *   to an account of its own between guesses.
 * - Account backoff (per email, from any address): after a few failures each further attempt
 *   must wait 5 s, 10 s, 20 s… (capped) after the last failure; attempts during the wait are
 *   refused without checking the password, so guesses spread over many addresses still slow
 *   down. After the wait, a correct password works from any address that is within its budget.
 * - So that a guesser cannot keep the real user out by failing again each time the wait ends,
 *   an address that has not failed on this email since its failures were last forgotten may
 *   try once during the wait (the user at their own machine). A guesser gains one attempt per
 *   fresh address it controls, each paid from that address's budget; when the owner mistypes,
 *   their address waits like anyone else. Behind a proxy whose X-Forwarded-For is not trusted
 *   every client is one address, and this exemption and the budget are shared.
 *
 * Unknown emails are throttled the same way, so the answers say nothing about which exist.
 */
export class LoginThrottle {
  private readonly addresses: RateLimiter;
  private readonly accounts = new Map<string, AccountRecord>();

  constructor(
    private readonly limits: LoginLimits = LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.addresses = new RateLimiter(limits.addressMaxFailures, limits.addressWindowMs, now);
  }

  /**
   * Whether `address` may have a password checked for `email` now. When it may, the attempt is
   * counted as a failure at once (so a burst of parallel attempts is throttled before their
   * passwords are checked) and `succeeded` takes it back.
   */
  attempt(address: string, email: string): Throttled | undefined {
    const throttled = this.check(address, email);
    if (!throttled) this.fail(address, email);
    return throttled;
  }

  /** A correct password: the attempt's charge is taken back and the email's backoff ends. */
  succeeded(address: string, email: string): void {
    this.addresses.forgive(address);
    this.accounts.delete(email.toLowerCase());
  }

  private check(address: string, email: string): Throttled | undefined {
    const byAddress = this.addresses.retryAfter(address);
    if (byAddress > 0) return { scope: 'address', retryAfterS: byAddress };
    const rec = this.account(email);
    if (!rec || rec.failures < this.limits.accountFreeFailures) return undefined;
    const wait = rec.lastFailureAt + this.delayMs(rec.failures) - this.now();
    if (wait <= 0 || !rec.failedFrom.has(address)) return undefined;
    return { scope: 'account', retryAfterS: Math.ceil(wait / 1000) };
  }

  private fail(address: string, email: string): void {
    this.addresses.fail(address);
    const now = this.now();
    const key = email.toLowerCase();
    const rec = this.account(email) ?? { failures: 0, lastFailureAt: now, failedFrom: new Set<string>() };
    rec.failures++;
    rec.lastFailureAt = now;
    rec.failedFrom.delete(address);
    rec.failedFrom.add(address);
    if (rec.failedFrom.size > MAX_FAILED_FROM) rec.failedFrom.delete(rec.failedFrom.values().next().value!);
    this.accounts.set(key, rec);
    if (this.accounts.size > SWEEP_AT) {
      for (const [k, r] of this.accounts)
        if (now - r.lastFailureAt > this.limits.accountMemoryMs) this.accounts.delete(k);
    }
  }

  private account(email: string): AccountRecord | undefined {
    const key = email.toLowerCase();
    const rec = this.accounts.get(key);
    if (rec && this.now() - rec.lastFailureAt > this.limits.accountMemoryMs) {
      this.accounts.delete(key);
      return undefined;
    }
    return rec;
  }

  private delayMs(failures: number): number {
    const steps = failures - this.limits.accountFreeFailures;
    return Math.min(this.limits.accountBaseDelayMs * 2 ** Math.min(steps, 30), this.limits.accountMaxDelayMs);
  }
}
