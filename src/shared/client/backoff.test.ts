import { describe, expect, it } from 'vitest';
import { backoffDelay, resolveBackoff } from './backoff';

describe('backoffDelay', () => {
  const opts = { initialMs: 100, maxMs: 1000 };

  it('doubles the cap per attempt up to maxMs (full jitter: random times the cap)', () => {
    const caps = [0, 1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, opts, () => 0.99999));
    expect(caps).toEqual([99, 199, 399, 799, 999, 999, 999]);
  });

  it('can be zero (full jitter spreads down to 0)', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
  });

  it('stays within [0, cap) for random inputs', () => {
    for (let i = 0; i < 1000; i++) {
      const n = i % 12;
      const d = backoffDelay(n, opts);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** n));
    }
  });
});

describe('resolveBackoff', () => {
  it('fills defaults and rejects impossible values', () => {
    expect(resolveBackoff(undefined)).toEqual({ initialMs: 500, maxMs: 30_000 });
    expect(resolveBackoff({ initialMs: 10 })).toEqual({ initialMs: 10, maxMs: 30_000 });
    expect(() => resolveBackoff({ initialMs: 100, maxMs: 10 })).toThrow(
      'invalid backoff {initialMs: 100, maxMs: 10}: need 0 <= initialMs <= maxMs',
    );
    expect(() => resolveBackoff({ initialMs: Number.NaN })).toThrow('invalid backoff');
  });
});
