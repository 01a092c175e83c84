import { describe, expect, it } from 'vitest';
import { Client } from '../helpers/server';
import {
  clusterConnected,
  createCollection,
  eventLog,
  followOnEdges,
  pause,
  subscribeWhenKnown,
  useCluster,
} from '../helpers/cluster';
import { event, eventually, native } from '../helpers/ws';

const env = useCluster({ edges: 2 });

describe('the primary killed with SIGKILL mid-stream and restarted on its data dir', () => {
  it("every acknowledged write's event reaches the edges exactly once", async () => {
    const { name, before, followers } = await followOnEdges(env.c, 'primary_restart');

    // Writers keep going through the crash: a write is acknowledged when it answered 201;
    // one in flight at the kill may or may not have committed, and either is fine.
    const acked: string[] = [];
    let failed = 0;
    let phase: 'before' | 'down' | 'after' = 'before';
    let ackedAfter = 0;
    const deadline = Date.now() + 40_000;
    // note: 3 writers, bounded to 600 attempts in all and 40 s; they stop once 100 writes
    // were acknowledged after the restart.
    let attempts = 0;
    const writer = async (w: number) => {
      for (let i = 0; attempts < 600 && Date.now() < deadline && ackedAfter < 100; i++) {
        attempts++;
        try {
          const r = await env.c.admin.post(`/api/v1/collections/${name}/records`, { title: `w${w}`, n: i });
          if (r.status === 201) {
            acked.push(r.body.id as string);
            if (phase === 'after') ackedAfter++;
          } else failed++;
        } catch {
          failed++; // the primary is down: not acknowledged
          await pause(50);
        }
        if (i % 10 === 0) await pause(5);
      }
    };
    const writers = Promise.all([0, 1, 2].map(writer));
    await eventually(
      async () => acked.length,
      (n) => n >= 100,
      15_000,
    );
    phase = 'down';
    await env.c.killPrimary();
    const ackedBefore = acked.length;
    // Meanwhile REST through an edge says the primary is away, in the API's error envelope.
    const away = await new Client(env.c.edges[0]!.url).get('/api/v1/health');
    expect(away.status).toBe(502);
    expect(away.body.error.code).toBe('unavailable');
    // note: down for a moment while the writers keep trying; the edges keep their clients.
    await pause(500);
    await env.c.restartPrimary();
    phase = 'after';
    await writers;
    expect(ackedAfter, 'writes after the restart').toBeGreaterThanOrEqual(100);
    expect(ackedBefore).toBeGreaterThanOrEqual(100);
    expect(failed, 'writes refused while the primary was down').toBeGreaterThan(0);

    // The restarted primary's log is the truth: every acknowledged write is in it once.
    const log = await eventLog(env.c.admin, before, name);
    const logged = log.map((e) => e.record_id as string);
    expect(new Set(logged).size).toBe(logged.length);
    for (const id of acked) expect(logged, `acknowledged ${id} missing from the log`).toContain(id);
    const want = log.map((e) => e.seq as number);
    for (const f of followers) {
      await f.reach(want[want.length - 1]!, 20_000);
      expect(f.seqs()).toEqual(want);
      const got = new Set(f.events.map((e) => e.record_id as string));
      for (const id of acked) expect(got.has(id), `acknowledged ${id} not delivered`).toBe(true);
      // The edges kept their clients through the crash.
      expect(f.drops).toEqual([]);
    }
  }, 90_000);

  it('after the restart, edges verify tokens the restarted primary issues and follow its schema changes', async () => {
    await clusterConnected(env.c);
    // A fresh login on the restarted primary (same signing key from the data dir).
    const fresh = new Client(env.c.primary.url);
    await fresh.login();
    const name = await createCollection(env.c.admin, 'after_primary_restart');
    for (const e of env.c.edges) {
      const ws = await native(e.url, { token: fresh.token });
      await subscribeWhenKnown(ws, { collection: name });
      const r = await fresh.post(`/api/v1/collections/${name}/records`, { title: 'hello' });
      expect(r.status).toBe(201);
      expect((await ws.next(event('record.created', name))).data.record_id).toBe(r.body.id);
      // REST through the edge reaches the restarted primary.
      const viaEdge = await new Client(e.url, fresh.token).get(
        `/api/v1/collections/${name}/records/${r.body.id}`,
      );
      expect(viaEdge.status).toBe(200);
    }
  });
});
