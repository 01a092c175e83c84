import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/events';
import type { Collection } from '../../shared/schema';
import { EventBus } from '../store/bus';
import { DEFAULT_HUB_OPTIONS, Hub } from './hub';
import type { EventHistory, Transport } from './types';

const posts: Collection = {
  name: 'posts',
  fields: [{ name: 'title', type: 'text' }],
  rules: { list: 'public', view: 'public', create: 'admin', update: 'admin', delete: 'admin' },
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-01T00:00:00.000Z',
};

const created = (seq: number): HubEvent => ({
  seq,
  type: 'record.created',
  collection: 'posts',
  record_id: `r${seq}`,
  data: { id: `r${seq}`, title: 't' },
  account: 'default',
  timestamp: '2024-01-01T00:00:00.000Z',
});

/** A transport that keeps what it is sent. */
function transport(): Transport & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    dialect: 'test',
    remote: '127.0.0.1',
    passive: false,
    send: (f) => void sent.push(f.toString()),
    bufferedAmount: () => 0,
    close: () => {},
    heartbeat: () => {},
  };
}

describe('Hub.subscribe while the history answers slowly (an edge asks Redis)', () => {
  it('replays the events fanned out before the subscription was registered', async () => {
    const log: HubEvent[] = [];
    let releaseLastSeq: (() => void) | undefined;
    const history: EventHistory = {
      since: (seq, limit) => log.filter((e) => e.seq > seq).slice(0, limit),
      hasGapAfter: () => false,
      oldestSeq: () => 1,
      lastSeq: () => {
        const at = log.length;
        // the stream's last id is read now, the answer arrives after more events went by
        return new Promise<number>((r) => (releaseLastSeq = () => r(at)));
      },
    };
    const bus = new EventBus();
    const hub = new Hub(DEFAULT_HUB_OPTIONS, {
      source: bus,
      history,
      collection: (n) => (n === 'posts' ? posts : undefined),
      onError: (e) => {
        throw e;
      },
    });
    try {
      const t = transport();
      const conn = hub.attach(t);
      const pending = hub.subscribe(conn, {
        key: 'posts',
        collection: 'posts',
        leaves: false,
        presence: false,
        shape: 'test',
        encode: (ev) => String(ev.seq),
      });
      for (const seq of [1, 2]) {
        log.push(created(seq));
        bus.publish([created(seq)]);
      }
      await new Promise((r) => setImmediate(r));
      releaseLastSeq!();
      const r = await pending;
      expect(r.ok).toBe(true);
      log.push(created(3));
      bus.publish([created(3)]);
      await new Promise((r) => setTimeout(r, 10));
      expect(t.sent).toEqual(['1', '2', '3']);
    } finally {
      hub.stop();
    }
  });
});
