import { describe, expect, it } from 'vitest';
import type { LoginLimits } from '../auth/rate-limit';
import type { RealtimeOptions } from '../realtime';
import { checkRealtime, resolveConfig, type ServerConfig } from './config';

const base: ServerConfig = { dataDir: '/tmp/switchboard-config-test', log: () => {}, env: {} };
const resolve = (over: Partial<ServerConfig>) => () => resolveConfig({ ...base, ...over });
const realtime = (rt: Partial<RealtimeOptions>) => resolve({ realtime: rt });
const login = (l: Partial<LoginLimits>) => resolve({ loginLimits: l });

describe('resolveConfig', () => {
  it('fills defaults and accepts the short settings tests use', () => {
    const r = resolveConfig(base);
    expect(r).toMatchObject({ port: 8000, host: '127.0.0.1', bodyLimit: 1024 * 1024, accessTtlS: 3600 });
    expect(
      resolve({
        accessTtlS: 2,
        retainEvents: 2,
        realtime: {
          pingEveryMs: 200,
          deadAfterMs: 600,
          sweepEveryMs: 200,
          maxMessageBytes: 1024,
          maxBufferedBytes: 100,
        },
        loginLimits: { addressMaxFailures: 3, accountFreeFailures: 0, accountBaseDelayMs: 3000 },
      }),
    ).not.toThrow();
  });

  it('requires a data dir and a port in range', () => {
    expect(resolve({ dataDir: '' })).toThrow('a data directory is required (--data-dir)');
    expect(resolve({ port: 70000 })).toThrow('invalid port 70000: use 0-65535');
    expect(resolve({ port: 1.5 })).toThrow('invalid port 1.5: use 0-65535');
  });

  it.each(['bodyLimit', 'retainEvents', 'retainMs', 'accessTtlS'] as const)(
    'refuses a non-positive %s',
    (k) => {
      expect(resolve({ [k]: 0 })).toThrow(`invalid ${k} 0: must be a positive integer`);
      expect(resolve({ [k]: -1 })).toThrow(`invalid ${k} -1: must be a positive integer`);
      expect(resolve({ [k]: 1.5 })).toThrow(`invalid ${k} 1.5: must be a positive integer`);
      expect(resolve({ [k]: NaN })).toThrow(`invalid ${k} NaN: must be a positive integer`);
    },
  );

  it.each([
    'pingEveryMs',
    'deadAfterMs',
    'sweepEveryMs',
    'maxMessageBytes',
    'maxSubscriptions',
    'maxConnections',
    'maxConnectionsPerUser',
    'maxAnonymousPerAddress',
    'maxBufferedBytes',
    'monitorMaxBufferBytes',
  ] as const)('refuses a non-positive realtime.%s', (k) => {
    expect(realtime({ [k]: 0 })).toThrow(`invalid realtime.${k} 0: must be a positive integer`);
    expect(realtime({ [k]: -5 })).toThrow(`invalid realtime.${k} -5: must be a positive integer`);
    expect(realtime({ [k]: 2.5 })).toThrow(`invalid realtime.${k} 2.5: must be a positive integer`);
    expect(realtime({ [k]: Infinity })).toThrow(`invalid realtime.${k} Infinity: must be a positive integer`);
  });

  it.each(['pingEveryMs', 'sweepEveryMs'] as const)(
    'refuses realtime.%s beyond what a timer can wait',
    (k) => {
      const v = 2 ** 31;
      const rt = k === 'pingEveryMs' ? { pingEveryMs: v, deadAfterMs: v + 1 } : { sweepEveryMs: v };
      expect(realtime(rt)).toThrow(`invalid realtime.${k} ${v}: must be at most 2147483647 ms`);
    },
  );

  it('refuses realtime.deadAfterMs that does not exceed realtime.pingEveryMs', () => {
    const msg =
      'invalid realtime.deadAfterMs 200: must exceed realtime.pingEveryMs (200), or every connection dies between pings';
    expect(realtime({ pingEveryMs: 200, deadAfterMs: 200 })).toThrow(msg);
    // Against the default deadAfterMs (90 s) too.
    expect(realtime({ pingEveryMs: 120_000 })).toThrow('invalid realtime.deadAfterMs 90000: must exceed');
  });

  it('refuses a realtime.maxMessageBytes no protocol frame fits in', () => {
    expect(realtime({ maxMessageBytes: 100 })).toThrow(
      'invalid realtime.maxMessageBytes 100: must be at least 1024, or no subscribe frame fits',
    );
  });

  it('refuses an unknown realtime.pubsubBackend', () => {
    expect(realtime({ pubsubBackend: 'kafka' as 'redis' })).toThrow(
      'invalid realtime.pubsubBackend kafka: use memory or redis',
    );
  });

  it.each([
    'addressMaxFailures',
    'addressWindowMs',
    'accountBaseDelayMs',
    'accountMaxDelayMs',
    'accountMemoryMs',
  ] as const)('refuses a non-positive loginLimits.%s', (k) => {
    expect(login({ [k]: 0 })).toThrow(`invalid loginLimits.${k} 0: must be a positive integer`);
  });

  it('refuses a negative loginLimits.accountFreeFailures and a max delay below the base delay', () => {
    expect(login({ accountFreeFailures: -1 })).toThrow(
      'invalid loginLimits.accountFreeFailures -1: must be 0 or more',
    );
    expect(login({ accountBaseDelayMs: 10_000, accountMaxDelayMs: 5000 })).toThrow(
      'invalid loginLimits.accountMaxDelayMs 5000: must be at least loginLimits.accountBaseDelayMs (10000)',
    );
  });
});

describe('checkRealtime (also used by the edge)', () => {
  it('passes the defaults and refuses the first impossible setting', () => {
    expect(() => checkRealtime(undefined)).not.toThrow();
    expect(() => checkRealtime({ maxConnections: 0 })).toThrow(
      'invalid realtime.maxConnections 0: must be a positive integer',
    );
  });
});
