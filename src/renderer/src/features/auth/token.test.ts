import { describe, expect, it } from 'vitest';
import { renewDelay, tokenExpiry } from './token';

const b64url = (o: unknown) =>
  btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

describe('tokens', () => {
  it('reads the expiry of a JWT and nothing from an API key', () => {
    expect(tokenExpiry(`${b64url({ alg: 'HS256' })}.${b64url({ sub: 'u', exp: 1_700_000_000 })}.sig`)).toBe(
      1_700_000_000_000,
    );
    expect(tokenExpiry('sbk_abcdef')).toBeNull();
    expect(tokenExpiry('a.%%%.c')).toBeNull();
  });

  it('renews a minute early, or at four fifths of a short life', () => {
    expect(renewDelay(3_600_000)).toBe(3_540_000);
    expect(renewDelay(100_000)).toBe(80_000);
    expect(renewDelay(500)).toBe(1000);
  });
});
