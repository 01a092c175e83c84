import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, eventually, is, within } from '../helpers/ws';
import { lastSeq, useServer } from '../api/support';
import { fill, openCollection, seqsOf, touchAll, watcher } from './support';

// note: a tiny cap, so a paused watcher is skipped after a few hundred events, not megabytes.
const env = useServer({ realtime: { monitorMaxBufferBytes: 16 * 1024 } });
afterEach(closeAll);

describe('monitor feed: every event, in batches', () => {
  it('5,000 events at a sustained rate: each one summarised exactly once, in order, batches of at most 1,000', async () => {
    const name = await openCollection(env.admin);
    await fill(env.admin, name, 250);
    const m = await watcher(env.s.url, env.admin.token!);
    const since = await lastSeq(env.admin);
    const started = Date.now();
    let total = 0;
    // 20 bulk writes of 250 events, back to back (bounded: 20 requests, 30 s).
    for (let i = 0; i < 20 && Date.now() - started < 30_000; i++) total += await touchAll(env.admin, name, i);
    expect(total).toBe(5000);
    const until = await lastSeq(env.admin);
    await eventually(
      async () => seqsOf(m.frames, name).length,
      (n) => n >= 5000,
      15_000,
    );
    const seqs = seqsOf(m.frames, name);
    expect(seqs).toHaveLength(5000);
    expect(new Set(seqs).size).toBe(5000);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs[0]).toBe(since + 1);
    expect(seqs.at(-1)).toBe(until);
    const batches = m.frames.filter((f) => f.type === 'events');
    expect(Math.max(...batches.map((b) => b.data.events.length))).toBeLessThanOrEqual(1000);
    expect(batches.length).toBeLessThan(5000 / 10);
    expect(m.frames.filter((f) => f.type === 'missed')).toEqual([]);
    const one = batches[0]!.data.events[0];
    expect(one.fanout).toEqual({
      candidates: 0,
      matched: 0,
      sent: 0,
      skipped_rule: 0,
      skipped_filter: 0,
      dropped: 0,
      micros: expect.any(Number),
    });
  }, 60_000);

  it('a paused watcher is skipped, then told which seqs it missed; the rest still arrive', async () => {
    const name = await openCollection(env.admin);
    await fill(env.admin, name, 1000, 16);
    const m = await watcher(env.s.url, env.admin.token!);
    const reader = await watcher(env.s.url, env.admin.token!);
    const since = await lastSeq(env.admin);
    m.ws.pause();
    let total = 0;
    // Enough feed (~5 MB) to fill the loopback's kernel buffers, then the 16 KiB cap (bounded: 16 writes, 40 s).
    const started = Date.now();
    for (let i = 0; i < 16 && Date.now() - started < 40_000; i++) total += await touchAll(env.admin, name, i);
    const until = await lastSeq(env.admin);
    // The other watcher was never slowed down: it has every event.
    await eventually(
      async () => seqsOf(reader.frames, name).length,
      (n) => n >= total,
      15_000,
    );
    m.ws.resume();
    const missed = await m.next(is('missed'), 10_000);
    expect(missed.data).toMatchObject({ count: expect.any(Number), resync: expect.any(Boolean) });
    expect(missed.data.count).toBeGreaterThan(0);
    expect(missed.data.from_seq).toBeGreaterThan(since);
    expect(missed.data.to_seq).toBeLessThanOrEqual(until);
    // Nothing lost: what came in batches plus the missed range is every event, once.
    await within(
      (async () => {
        while (seqsOf(m.frames, name).length + missed.data.count < total)
          await new Promise((r) => setTimeout(r, 50));
      })(),
      10_000,
      'the batches after the catch-up',
    );
    const got = seqsOf(m.frames, name);
    const inRange = got.filter((s) => s >= missed.data.from_seq && s <= missed.data.to_seq);
    expect(inRange).toEqual([]);
    expect(got.length + missed.data.count).toBe(total);
    // The missed events can be paged from the event log.
    const page = await env.admin.get(`/api/v1/events?since=${missed.data.from_seq - 1}&limit=1000`);
    expect(page.body.events[0].seq).toBe(missed.data.from_seq);
    // And their fan-out figures from the outcome ring.
    const outcomes = await env.admin.get(
      `/api/v1/monitor/outcomes?since=${missed.data.from_seq - 1}&until=${missed.data.to_seq}&limit=5000`,
    );
    expect(outcomes.status).toBe(200);
    expect(outcomes.body.outcomes).toHaveLength(missed.data.count);
    expect(outcomes.body.outcomes[0]).toMatchObject({ seq: missed.data.from_seq, candidates: 0 });
  }, 90_000);
});
