import { describe, expect, it } from 'vitest';
import { asciiLower, compareText, containsText, likeMatch } from './sqlite-text';

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const sign = (n: number): number => Math.sign(n);

describe('compareText', () => {
  it('orders like the UTF-8 bytes of well-formed strings', () => {
    const words = ['', 'a', 'A', 'ab', 'b', 'é', '\uE000', '\uFFFD', '😀', '😀a', 'a😀', '\uFFFF', '𝔸'];
    for (const a of words) {
      for (const b of words) {
        const [x, y] = [utf8(a), utf8(b)];
        let byBytes = 0;
        for (let i = 0; i < Math.min(x.length, y.length) && byBytes === 0; i++) byBytes = x[i]! - y[i]!;
        if (byBytes === 0) byBytes = x.length - y.length;
        expect(sign(compareText(a, b)), `${a} vs ${b}`).toBe(sign(byBytes));
      }
    }
  });

  it('orders a lone surrogate by its own value', () => {
    expect(compareText('\uDC00', '\uE000')).toBeLessThan(0);
    expect(compareText('\uD83D', '😀')).toBeLessThan(0);
    expect(compareText('\uD83Da', '\uD83D\uDE00')).toBeLessThan(0);
    expect(compareText('\uD83D\uDE00', '\uD83D\uE000')).toBeGreaterThan(0);
  });
});

describe('likeMatch', () => {
  it.each([
    ['abc', 'abc', true],
    ['ABC', 'abc', true],
    ['abc', 'a%', true],
    ['abc', '%c', true],
    ['abc', '%b%', true],
    ['abc', 'a_c', true],
    ['abc', 'a_', false],
    ['', '%', true],
    ['', '_', false],
    ['a%c', 'a\\%c', false],
    ['aXbXc', '%b%c', true],
    ['mississippi', '%iss%ppi', true],
    ['mississippi', 'm%s_s%x', false],
    ['É', 'é', false],
    ['😀', '_', true],
    ['a\u0000b', 'a', true],
    ['\uFFFF', '\uFFFD', true],
    ['\uD800', '\uDC00', true],
  ])('%j LIKE %j is %s', (value, pattern, expected) => {
    expect(likeMatch(value, pattern)).toBe(expected);
  });
});

describe('containsText and asciiLower', () => {
  it('finds substrings that do not split a surrogate pair', () => {
    expect(containsText('abc', 'b')).toBe(true);
    expect(containsText('abc', '')).toBe(true);
    expect(containsText('😀', '\uD83D')).toBe(false);
    expect(containsText('😀', '\uDE00')).toBe(false);
    expect(containsText('\uDE00😀\uDE00', '\uDE00')).toBe(true);
    expect(containsText('x\uD83D', '\uD83D')).toBe(true);
  });

  it('lowers ASCII letters only', () => {
    expect(asciiLower('ÀBC-ÉcOLE-İ')).toBe('Àbc-École-İ');
  });
});
