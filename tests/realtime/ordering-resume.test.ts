import { afterEach, describe, expect, it } from 'vitest';
import { adminClient, startServer, type Client } from '../helpers/server';
import { closeAll, event, is, native, subscribe, subscribed, type Frame, type WsClient } from '../helpers/ws';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer } from '../api/support';

const env = useServer();
afterEach(closeAll);

const recs = (name: string) => `/api/v1/collections/${name}/records`;

async function collection(admin: Client = env.admin): Promise<string> {
  const name = uniq('o');
  await createCollection(admin, {
    name,
    fields: [
      { name: 'w', type: 'number' },
      { name: 'i', type: 'number' },
    ],
    rules: { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' },
  });
  return name;
}

/** `writers` concurrent loops of `each` creates; `onWrite` sees the running total. */
async function write(
  name: string,
  writers: number,
  each: number,
  onWrite: (done: number) => void = () => {},
) {
  let done = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < each; i++) {
        const r = await env.admin.post(recs(name), { w, i });
        expect(r.status).toBe(201);
        onWrite(++done);
      }
    }),
  );
}

/** Asserts seqs are strictly increasing and exactly `expected`. */
function expectSeqs(frames: Frame[], expected: number[]): void {
  const seqs = frames.map((f) => f.data.seq as number);
  for (let i = 1; i < seqs.length; i++)
    if (seqs[i]! <= seqs[i - 1]!) throw new Error(`seq ${seqs[i]} after ${seqs[i - 1]} at ${i}`);
  expect(seqs).toEqual(expected);
}

describe('ordering', () => {
  it('4 writers x 100 writes: every subscriber gets every seq once, strictly increasing', async () => {
    const name = await collection();
    const subs: WsClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await native(env.s.url, i === 2 ? { token: env.admin.token } : {});
      await subscribed(c, {
        collection: i === 2 ? '*' : name,
        ...(i === 1 ? { filter: { w: { $gte: 0 } } } : {}),
      });
      subs.push(c);
    }
    const before = await lastSeq(env.admin);
    await write(name, 4, 100);
    const logged = (await eventsSince(env.admin, before, name)).map((e) => e.seq as number);
    expect(logged).toHaveLength(400);
    for (const c of subs) {
      const got = await c.take(400, event('record.created', name), 15_000);
      expectSeqs(got, logged);
      // Per writer, the records arrive in the order that writer wrote them.
      for (let w = 0; w < 4; w++) {
        expect(got.filter((f) => f.data.data.w === w).map((f) => f.data.data.i)).toEqual([
          ...Array(100).keys(),
        ]);
      }
    }
  }, 30_000);
});

describe('resume with since', () => {
  it('replays 1,000 events while writes continue: ack first, no gap, no duplicate, in order', async () => {
    const name = await collection();
    const before = await lastSeq(env.admin);
    let resolveHalf!: () => void;
    const half = new Promise<void>((r) => (resolveHalf = r));
    const writing = write(name, 8, 125, (done) => done === 600 && resolveHalf());
    await half;
    const c = await native(env.s.url);
    c.send({ action: 'subscribe', collection: name, since: before });
    await writing;
    const all = await c.take(1000, event('record.created', name), 20_000);
    // The acknowledgement came before any replayed event.
    const firstEvent = c.frames.findIndex(event());
    const ack = c.frames.findIndex(is('subscribed'));
    expect(ack).toBeGreaterThan(-1);
    expect(ack).toBeLessThan(firstEvent);
    expect(c.frames[ack]!.data.last_seq).toBeGreaterThanOrEqual(before + 600);
    expectSeqs(
      all,
      [...Array(1000).keys()].map((i) => before + 1 + i),
    );
    const marker = await createRecord(env.admin, name, { w: 9, i: 9 });
    expect((await c.next(event())).data.record_id).toBe(marker.id);
  }, 30_000);

  it('since = the last seen seq delivers only what came after; a second subscribe replaces the first', async () => {
    const name = await collection();
    const a = await createRecord(env.admin, name, { w: 1, i: 1 });
    const seen = await lastSeq(env.admin);
    const b = await createRecord(env.admin, name, { w: 1, i: 2 });
    const c = await native(env.s.url);
    const ack = await subscribe(c, { collection: name, since: seen });
    expect(ack).toEqual({ type: 'subscribed', data: { collection: name, filter: null, last_seq: seen + 1 } });
    expect((await c.next(event())).data).toMatchObject({ record_id: b.id, seq: seen + 1 });
    // After the replay, `resumed` says up to where this subscription is complete.
    expect(await c.next()).toEqual({ type: 'resumed', data: { collection: name, last_seq: seen + 1 } });
    await subscribed(c, { collection: name, since: seen - 1 });
    const again = await c.take(2, event());
    expect(again.map((f) => f.data.record_id)).toEqual([a.id, b.id]);
    const d = await createRecord(env.admin, name, { w: 1, i: 3 });
    expect((await c.next(event())).data.record_id).toBe(d.id);
    expect(c.pending(event())).toEqual([]);
  });

  it('since older than the retained log -> error resume_gap (after a restart trims to retainEvents)', async () => {
    const first = await startServer();
    const admin1 = await adminClient(first);
    const name = await collection(admin1);
    for (let i = 0; i < 30; i++) await createRecord(admin1, name, { w: 0, i });
    const last = await lastSeq(admin1);
    await first.stop({ keepData: true });

    const s = await startServer({ dataDir: first.dataDir, retainEvents: 10 });
    try {
      const admin = await adminClient(s);
      expect(await lastSeq(admin)).toBe(last);
      const c = await native(s.url);
      expect(await subscribe(c, { collection: name, since: 1 })).toEqual({
        type: 'error',
        data: {
          message: 'Events after 1 are no longer retained; reload, then subscribe without since.',
          code: 'resume_gap',
          collection: name,
          oldest_seq: last - 9,
          last_seq: last,
        },
      });
      expect((await subscribe(c, { collection: name, since: last - 11 })).data.code).toBe('resume_gap');
      // The socket is still usable, and a resume from inside the retained log works.
      await subscribed(c, { collection: name, since: last - 10 });
      expectSeqs(
        await c.take(10, event()),
        [...Array(10).keys()].map((i) => last - 9 + i),
      );
      await closeAll();
    } finally {
      await s.stop();
    }
  });
});
