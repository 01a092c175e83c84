import { describe, expect, it } from 'vitest';
import { Ring } from './ring';

describe('Ring', () => {
  it('keeps the newest items up to its capacity, oldest first', () => {
    const r = new Ring<number>(3);
    r.push(1, 2);
    expect(r.toArray()).toEqual([1, 2]);
    r.push(3, 4, 5);
    expect(r.toArray()).toEqual([3, 4, 5]);
    expect(r.size).toBe(3);
    expect(r.at(0)).toBe(3);
    expect(r.at(3)).toBeUndefined();
    expect(r.total).toBe(5);
    expect(r.dropped).toBe(2);
  });

  it('clears and refuses a capacity below one', () => {
    const r = new Ring<string>(2);
    r.push('a');
    r.clear();
    expect(r.toArray()).toEqual([]);
    expect(() => new Ring(0)).toThrow('ring capacity must be >= 1, got 0');
  });
});
