import { describe, expect, it } from 'vitest';
import { checkRedisUrl, RedisSettingError } from './scale-out';

describe('checkRedisUrl', () => {
  it('accepts redis:// and rediss:// URLs with a host, trimmed', () => {
    expect(checkRedisUrl(' redis://127.0.0.1:6379 ')).toBe('redis://127.0.0.1:6379');
    expect(checkRedisUrl('rediss://:pw@cache.example:6380/1')).toBe('rediss://:pw@cache.example:6380/1');
  });

  it.each([
    ['', /is not a URL/],
    ['127.0.0.1:6379', /must start with redis:\/\/ or rediss:\/\/ \(e.g. redis:\/\/127.0.0.1:6379\)/],
    ['https://cache.example', /must start with redis:\/\/ or rediss:\/\/ \(got https:\/\/\)/],
    ['redis://', /needs a host|is not a URL/],
  ])('rejects %j', (raw, reason) => {
    expect(() => checkRedisUrl(raw)).toThrow(RedisSettingError);
    expect(() => checkRedisUrl(raw)).toThrow(reason);
  });
});
