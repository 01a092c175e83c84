import { describe, expect, it } from 'vitest';
import { checkRedisUrl, maskRedisUrl, RedisSettingError } from './scale-out';

describe('maskRedisUrl', () => {
  it('hides a password, or a lone user name, and leaves the rest', () => {
    expect(maskRedisUrl('redis://:s3cret@10.0.0.5:6379/2')).toBe('redis://:***@10.0.0.5:6379/2');
    expect(maskRedisUrl('rediss://app:s3cret@cache.local')).toBe('rediss://app:***@cache.local');
    expect(maskRedisUrl('redis://token@cache.local:6380')).toBe('redis://***@cache.local:6380');
    expect(maskRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(maskRedisUrl('::nonsense')).toBe('(invalid URL)');
  });
});

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
