import { describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/events';
import { EventBus } from '../store/bus';
import { DEFAULT_HUB_OPTIONS, Hub } from './hub';
import { posts, recordEvent, transport } from './test-kit';
import type { EventHistory } from './types';

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
      collection: (n) => (n === 'posts' ? posts() : undefined),
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
        log.push(recordEvent({ seq }));
        bus.publish([recordEvent({ seq })]);
      }
      await new Promise((r) => setImmediate(r));
      releaseLastSeq!();
      const r = await pending;
      expect(r.ok).toBe(true);
      log.push(recordEvent({ seq: 3 }));
      bus.publish([recordEvent({ seq: 3 })]);
      await new Promise((r) => setTimeout(r, 10));
      expect(t.sent).toEqual(['1', '2', '3']);
    } finally {
      hub.stop();
    }
  });
});
