import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/client';
import { idle, ready, toResourceError, track, type Resource } from './resource';

describe('Resource', () => {
  it('tracks a load: loading keeps the old data, then ready', async () => {
    let r: Resource<number[]> = ready([1]);
    const seen: Resource<number[]>['status'][] = [];
    const data = await track(
      () => r,
      (next) => {
        r = next;
        seen.push(next.status);
      },
      async () => {
        expect(r).toEqual({ status: 'loading', data: [1], error: null });
        return [1, 2];
      },
    );
    expect(data).toEqual([1, 2]);
    expect(seen).toEqual(['loading', 'ready']);
  });

  it('keeps the data and the server’s field messages when a load fails', async () => {
    let r: Resource<string> = { ...idle<string>(), data: 'old' };
    const err = new ApiError(400, 'validation_failed', 'Invalid input.', {
      email: 'must be an email address',
    });
    expect(
      await track(
        () => r,
        (n) => (r = n),
        () => Promise.reject(err),
      ),
    ).toBeNull();
    expect(r).toEqual({
      status: 'error',
      data: 'old',
      error: {
        message: 'Invalid input.',
        code: 'validation_failed',
        status: 400,
        fields: { email: 'must be an email address' },
      },
    });
  });

  it('words a network failure and keeps the wait of a 429', () => {
    expect(toResourceError(new ApiError(0, 'network', 'GET /x failed')).message).toBe(
      'Cannot reach the server. Check that it is running.',
    );
    expect(toResourceError(new ApiError(429, 'rate_limited', 'Slow down', undefined, 30))).toMatchObject({
      retryAfterS: 30,
    });
  });
});
