import { describe, expect, it } from 'vitest';
import { fieldPattern, MAX_FIELD_PATTERN, testFieldPattern } from './field-pattern';

describe('field patterns (RE2)', () => {
  it('tests like RegExp.prototype.test for the patterns fields use', () => {
    for (const [p, v] of [
      ['^[a-z0-9-]+$', 'my-slug-1'],
      ['^\\d{3}-\\d{4}$', '555-1234'],
      ['[\\w.-]+@[\\w-]+\\.\\w+', 'x a.b@c.io'],
      ['^(?<year>\\d{4})$', '2024'],
      ['^é+$', 'éé'],
    ] as const) {
      expect([p, testFieldPattern(p, v)]).toEqual([p, new RegExp(p).test(v)]);
      expect([p, testFieldPattern(p, `${v}!`)]).toEqual([p, new RegExp(p).test(`${v}!`)]);
    }
  });

  it('refuses backreferences, lookaround and overlong patterns with a clear error', () => {
    for (const p of ['(a)\\1', '(?=a)', '(?!a)', '(?<=a)b', '(?<!a)b', '\\k<n>', '[']) {
      const r = fieldPattern(p);
      expect(r.ok, p).toBe(false);
      if (!r.ok) expect(r.error).toMatch(/^invalid regular expression: .*\(patterns use RE2 syntax/);
    }
    expect(fieldPattern('a'.repeat(MAX_FIELD_PATTERN + 1))).toEqual({
      ok: false,
      error: `must be at most ${MAX_FIELD_PATTERN} characters`,
    });
    expect(testFieldPattern('(a)\\1', 'aa')).toBeUndefined();
  });

  it('runs ^(a+)+$ in linear time', () => {
    const started = performance.now();
    expect(testFieldPattern('^(a+)+$', `${'a'.repeat(100_000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
