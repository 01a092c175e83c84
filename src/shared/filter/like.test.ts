import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { likeMatch } from './like';

const db = new Database(':memory:');
const builtin = db.prepare('SELECT ? LIKE ? AS m');
afterAll(() => db.close());

const unit = fc.constantFrom('a', 'A', 'b', '%', '_', 'é', '😀', '\uD800', '\u0000');

describe('likeMatch', () => {
  it("agrees with SQLite's LIKE on long patterns with many segments", () => {
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 80 }),
        fc.string({ unit, maxLength: 40 }),
        (value, pattern) => {
          const sql = (builtin.get(value, pattern) as { m: number }).m === 1;
          expect(likeMatch(value, pattern)).toBe(sql);
        },
      ),
      { numRuns: 3000, seed: 42 },
    );
  });

  it('takes linear time where backtracking takes value × pattern', () => {
    const value = 'a'.repeat(256 * 1024);
    const started = performance.now();
    expect(likeMatch(value, `%${'a'.repeat(4000)} b`)).toBe(false);
    expect(likeMatch(value, `%${'a_'.repeat(100)}%${'a'.repeat(60)}b%`)).toBe(false);
    expect(likeMatch(`${value}b`, `%${'a'.repeat(4000)}b`)).toBe(true);
    // the old greedy matcher took seconds here; a linear pass takes milliseconds
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
