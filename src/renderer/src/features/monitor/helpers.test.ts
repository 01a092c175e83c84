import { describe, expect, it } from 'vitest';
import type { MonitorConnection } from '../../../../shared/monitor';
import { instanceLabels, sortedConnections } from './connection-table';
import { deltaRows } from '../../ui/diff-view';
import { applyStats, percentile } from './live-data';
import { playgroundUrl, subscribeMessage } from './playground-model';

const conn = (id: string, over: Partial<MonitorConnection> = {}): MonitorConnection => ({
  id,
  instance: 'local',
  dialect: 'native',
  remote: '127.0.0.1',
  user_id: null,
  email: null,
  kind: null,
  account: 'default',
  connected_at: '2026-01-01T00:00:00Z',
  subscriptions: [],
  subscription_details: [],
  messages_in: 0,
  messages_out: 0,
  ...over,
});

describe('monitor helpers', () => {
  it('applies a connection.stats delta to the connections shown, as new objects', () => {
    const a = conn('a');
    const b = conn('b');
    const map = new Map([
      ['a', a],
      ['b', b],
    ]);
    const s = { messages_in: 2, messages_out: 3, bytes_in: 40, bytes_out: 900, buffered: 7, last_seen: 5 };
    expect(
      applyStats(map, [
        { id: 'a', ...s },
        { id: 'gone', ...s },
      ]),
    ).toBe(true);
    expect(map.get('a')).toEqual({ ...a, ...s });
    expect(map.get('a')).not.toBe(a);
    expect(map.get('b')).toBe(b);
    expect(map.has('gone')).toBe(false);
    expect(applyStats(map, [{ id: 'gone', ...s }])).toBe(false);
    expect(sortedConnections(map.values(), '-bytes_out', '').map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('sorts and searches connections', () => {
    const all = [
      conn('a', { messages_out: 5 }),
      conn('b', { email: 'ann@x.test', messages_out: 9 }),
      conn('c'),
    ];
    expect(sortedConnections(all, '-out', '').map((c) => c.id)).toEqual(['b', 'a', 'c']);
    expect(sortedConnections(all, 'id', 'ann').map((c) => c.id)).toEqual(['b']);
  });

  it('names instances by what tells them apart: the port on one host, the host on one port', () => {
    const oneHost = ['primary@127.0.0.1:8000', 'edge@127.0.0.1:8001', 'edge@127.0.0.1:8002'];
    expect([...instanceLabels(oneHost).values()]).toEqual(['primary', 'edge:8001', 'edge:8002']);
    const onePort = ['primary@10.0.0.1:8000', 'edge@10.0.0.2:8000', 'edge@[fe80::1]:8000'];
    expect([...instanceLabels(onePort).values()]).toEqual(['primary', 'edge@10.0.0.2', 'edge@[fe80::1]']);
    const mixed = ['edge@10.0.0.2:8001', 'edge@10.0.0.3:8002', 'local'];
    expect([...instanceLabels(mixed).values()]).toEqual(mixed);
  });

  it('flattens a jsondiffpatch delta into rows', () => {
    const rows = deltaRows({ title: ['a', 'b'], tags: [['x']], gone: [1, 0, 0] }, {}, {});
    expect(rows).toEqual([
      { path: 'title', kind: 'changed', before: 'a', after: 'b' },
      { path: 'tags', kind: 'added', after: ['x'] },
      { path: 'gone', kind: 'removed', before: 1 },
    ]);
  });

  it('computes percentiles', () => {
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBeNull();
  });

  it('builds each dialect’s URL and subscribe message', () => {
    const t = { collection: 'posts', filter: '{"a":1}', token: 'T' };
    expect(playgroundUrl('http://h:1', { ...t, dialect: 'native' })).toBe(
      'ws://h:1/api/v1/ws/realtime?token=T',
    );
    expect(playgroundUrl('https://h', { ...t, dialect: 'fastschema' })).toBe(
      'wss://h/api/realtime/content?schema=posts&filter=%7B%22a%22%3A1%7D&token=T',
    );
    expect(playgroundUrl('http://h', { ...t, dialect: 'sse' })).toMatch(
      /^http:\/\/h\/api\/v1\/sse\/realtime\?collection=posts/,
    );
    expect(subscribeMessage({ ...t, dialect: 'native' })).toEqual({
      action: 'subscribe',
      collection: 'posts',
      filter: { a: 1 },
    });
    expect(subscribeMessage({ ...t, dialect: 'topics' })).toEqual({ type: 'subscribe', topics: ['posts'] });
    expect(subscribeMessage({ ...t, dialect: 'snackbase' })).toEqual({
      action: 'subscribe',
      collection: 'posts',
    });
    expect(subscribeMessage({ ...t, dialect: 'fastschema' })).toBeNull();
  });
});

describe('applyPresence', () => {
  it('adds a joined user, updates its state and removes it when it leaves', async () => {
    const { applyPresence } = await import('./feed');
    let list: { user_id: string; account: string; state?: unknown }[] = [];
    list = applyPresence(list, 'user.joined', 'default', { user_id: 'u1', email: 'a@x.test' });
    list = applyPresence(list, 'user.state', 'default', { user_id: 'u1', state: { typing: true } });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ user_id: 'u1', email: 'a@x.test', state: { typing: true } });
    expect(applyPresence(list, 'user.left', 'default', { user_id: 'u1' })).toEqual([]);
  });
});
