import { describe, expect, it } from 'vitest';
import { formatSetting, settingLabel, splitAge } from './setting-format';

describe('setting format', () => {
  it('formats by unit suffix', () => {
    expect(formatSetting('ping_every_ms', 25_000)).toBe('25 s');
    expect(formatSetting('max_age_ms', 7 * 86_400_000)).toBe('7 days');
    expect(formatSetting('access_token_ttl_s', 900)).toBe('15 min');
    expect(formatSetting('body_bytes', 1024 * 1024)).toBe('1 MiB');
    expect(formatSetting('max_connections', 20000)).toBe((20000).toLocaleString());
  });
  it('labels keys', () => {
    expect(settingLabel('dead_after_ms')).toBe('Dead after');
    expect(settingLabel('some_new_limit')).toBe('Some new limit');
  });
  it('splits an age into its largest whole unit', () => {
    expect(splitAge(3 * 86_400_000)).toEqual({ amount: '3', unit: '86400000' });
    expect(splitAge(90 * 60_000)).toEqual({ amount: '90', unit: '60000' });
  });
});
