import { describe, expect, it } from 'vitest';
import type { MonitorConnection } from '../../../../shared/monitor';
import { matchingConnections } from './playground-model';

const conn = (id: string, over: Partial<MonitorConnection> = {}): MonitorConnection => ({
  id,
  instance: 'local',
  dialect: 'fastschema',
  remote: '127.0.0.1:5000',
  user_id: null,
  email: null,
  kind: null,
  account: 'default',
  connected_at: '2026-01-01T00:00:00Z',
  subscriptions: ['content'],
  subscription_details: [{ key: 'content', collection: 'posts', filtered: false }],
  messages_in: 0,
  messages_out: 0,
  ...over,
});

describe('matchingConnections (which connection is the playground client)', () => {
  const want = { dialect: 'fastschema' as const, collection: 'posts', userId: null, kind: null };

  it('is a new connection of the same dialect, caller and collection', () => {
    const all = [
      conn('old'),
      conn('mine'),
      conn('other-dialect', { dialect: 'native' }),
      conn('other-collection', { subscription_details: [{ key: 'x', collection: 'menu', filtered: false }] }),
      conn('signed-in', { kind: 'user', user_id: 'u1' }),
    ];
    expect(matchingConnections(all, new Set(['old']), want)).toEqual(['mine']);
  });

  it('tells a user by id and a key by kind', () => {
    const all = [conn('ann', { kind: 'user', user_id: 'u1' }), conn('bob', { kind: 'user', user_id: 'u2' })];
    expect(matchingConnections(all, new Set(), { ...want, kind: 'user', userId: 'u2' })).toEqual(['bob']);
    expect(
      matchingConnections([conn('k', { kind: 'key', user_id: 'key1' })], new Set(), { ...want, kind: 'key' }),
    ).toEqual(['k']);
  });

  it('lists every candidate when the match is not unique', () => {
    expect(matchingConnections([conn('a'), conn('b')], new Set(), want)).toEqual(['a', 'b']);
  });
});
