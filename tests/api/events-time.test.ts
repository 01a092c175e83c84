import { describe, expect, it } from 'vitest';
import { adminClient, startServer } from '../helpers/server';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from './support';

const env = useServer();
const EVENTS = '/api/v1/events';
type Ev = { seq: number; timestamp: string };

describe('the event log by time: since_time', () => {
  it('starts at the first event committed at or after the time; the page is the usual one', async () => {
    const name = uniq('evt');
    await createCollection(env.admin, { name, fields: [{ name: 'title', type: 'text' }] });
    const since = await lastSeq(env.admin);
    for (const t of ['one', 'two', 'three', 'four']) await createRecord(env.admin, name, { title: t });
    const log: Ev[] = await eventsSince(env.admin, since);
    expect(log).toHaveLength(4);
    // The oracle: the first event of the log at or after the time.
    for (const at of [log[1]!.timestamp, new Date(Date.parse(log[2]!.timestamp) - 1).toISOString()]) {
      const first = log.find((e) => e.timestamp >= at)!;
      const r = await env.admin.get(`${EVENTS}?since_time=${encodeURIComponent(at)}&limit=2`);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(Object.keys(r.body).sort()).toEqual(['events', 'last_seq', 'next_since']);
      expect(r.body.events[0].seq).toBe(first.seq);
      expect(r.body.events.length).toBe(Math.min(2, log.length - log.indexOf(first)));
      expect(r.body.next_since).toBe(r.body.events.at(-1).seq);
    }
    // A time zone other than Z names the same instant.
    const t = new Date(Date.parse(log[0]!.timestamp));
    const local = `${new Date(t.getTime() + 2 * 3600_000).toISOString().slice(0, 23)}+02:00`;
    const z = await env.admin.get(`${EVENTS}?since_time=${encodeURIComponent(local)}&limit=1`);
    expect(z.body.events[0].seq).toBe(log.find((e) => e.timestamp >= log[0]!.timestamp)!.seq);
    // After the newest event: an empty page whose cursor is the last seq, to poll on from.
    const later = await env.admin.get(`${EVENTS}?since_time=2999-01-01T00:00:00Z`);
    const last = await lastSeq(env.admin);
    expect(later.body).toEqual({ events: [], next_since: last, last_seq: last });
  });

  it.each([
    [
      'since_time=yesterday',
      "'since_time' must be an ISO 8601 time (2024-05-01T14:30:00Z), got 'yesterday'.",
    ],
    [
      'since_time=2024-13-45T00:00:00Z',
      "'since_time' must be an ISO 8601 time (2024-05-01T14:30:00Z), got '2024-13-45T00:00:00Z'.",
    ],
    ['since_time=2024-05-01T00:00:00Z&since=3', "Give 'since' or 'since_time', not both."],
  ])('refuses %s with 400', async (q, message) => {
    const r = await env.admin.get(`${EVENTS}?${q}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'bad_request', message });
  });

  it('answers 410 resume_gap for a time before the oldest event a trimmed log keeps', async () => {
    const s = await startServer();
    const admin = await adminClient(s);
    const name = uniq('evtgap');
    await createCollection(admin, { name, fields: [{ name: 't', type: 'text' }] });
    for (let i = 0; i < 5; i++) await createRecord(admin, name, { t: String(i) });
    // An untrimmed log starts at seq 1: a time before it is simply the whole log.
    const all = await admin.get(`${EVENTS}?since_time=2000-01-01T00:00:00Z`);
    expect(all.body.events.map((e: Ev) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    await s.stop({ keepData: true });
    const again = await startServer({ dataDir: s.dataDir, retainEvents: 2 });
    try {
      const c = await adminClient(again);
      const kept: Ev[] = (await c.get(`${EVENTS}?since=0`)).body.events;
      expect(kept.map((e) => e.seq)).toEqual([5, 6]);
      const r = await c.get(`${EVENTS}?since_time=2000-01-01T00:00:00Z`);
      expect(r.status).toBe(410);
      expect(r.body.error).toEqual({
        code: 'resume_gap',
        message: `Events since 2000-01-01T00:00:00.000Z are no longer all retained; the oldest kept is seq 5 (${kept[0]!.timestamp}).`,
        details: { oldest_seq: 5, oldest_at: kept[0]!.timestamp, last_seq: 6 },
      });
      // At or after the oldest kept event's own time (and later than seq 5's if they differ): served.
      const after = new Date(Date.parse(kept[0]!.timestamp) + 1).toISOString();
      if (after <= kept[1]!.timestamp) {
        const ok = await c.get(`${EVENTS}?since_time=${encodeURIComponent(after)}`);
        expect(ok.status).toBe(200);
        expect(ok.body.events.map((e: Ev) => e.seq)).toEqual([6]);
      }
    } finally {
      await again.stop();
    }
  });
});
