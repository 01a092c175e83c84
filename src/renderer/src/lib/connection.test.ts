import { describe, expect, it } from 'vitest';
import { resolveConnection } from './connection';

describe('resolveConnection', () => {
  const http = { protocol: 'http:', origin: 'http://192.168.1.5:8000' };

  it('prefers the Electron bridge', () => {
    const bridge = { serverUrl: 'http://127.0.0.1:8000', adminToken: 'jwt' };
    expect(resolveConnection(bridge, { protocol: 'file:', origin: 'null' })).toEqual({
      serverUrl: 'http://127.0.0.1:8000',
      adminToken: 'jwt',
    });
  });

  it('uses the origin it was served from in a browser', () => {
    expect(resolveConnection(undefined, http)).toEqual({ serverUrl: http.origin, adminToken: null });
  });

  it('has no server when opened from disk without the bridge', () => {
    expect(resolveConnection(undefined, { protocol: 'file:', origin: 'null' })).toEqual({
      serverUrl: null,
      adminToken: null,
    });
  });
});
