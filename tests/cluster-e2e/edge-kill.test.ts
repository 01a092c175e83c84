import { describe, expect, it } from 'vitest';
import { createCollection, eventLog, Follower, lastSeq, useCluster, writePaced } from '../helpers/cluster';
import { eventually } from '../helpers/ws';

const env = useCluster({ edges: 2 });

describe('an edge killed with SIGKILL while writes continue', () => {
  it('its clients resume on the other edge with since and end with every event exactly once', async () => {
    const name = await createCollection(env.c.admin, 'kill_edge');
    const [doomed, survivor] = env.c.edges;
    const before = await lastSeq(env.c.admin);
    const token = env.c.admin.token!;
    // Three clients on the edge that dies, one on the survivor that must not notice.
    const movers = [
      new Follower(name, token, before),
      new Follower(name, token, before),
      new Follower(name, token, before),
    ];
    const stayer = new Follower(name, token, before);
    for (const f of movers) await f.connect(doomed!.url);
    await stayer.connect(survivor!.url);

    // note: 2 writers x 150 creates, paced so the kill lands mid-stream; bounded in count.
    const WRITES = 300;
    let written = 0;
    const writers = writePaced(env.c, name, { writers: 2, each: WRITES / 2, onWrite: (n) => (written = n) });
    // Kill once a third is written and every mover has seen some of it.
    await eventually(
      async () => written,
      (w) => w >= WRITES / 3,
      15_000,
    );
    await eventually(
      async () => Math.min(...movers.map((f) => f.events.length)),
      (n) => n > 0,
    );
    doomed!.kill('SIGKILL');
    await doomed!.exited();
    const killedAt = written;

    // Each client notices its socket died and resumes on the survivor from the last seq it saw.
    await eventually(
      async () => movers.every((f) => f.drops.length === 1),
      (ok) => ok,
    );
    const resumedFrom = movers.map((f) => f.lastSeq);
    for (const f of movers) await f.moveTo(survivor!.url);
    await writers;
    expect(killedAt).toBeLessThan(WRITES);

    const log = await eventLog(env.c.admin, before, name);
    expect(log).toHaveLength(WRITES);
    const want = log.map((e) => e.seq as number);
    const last = want[want.length - 1]!;
    for (const f of [...movers, stayer]) {
      await f.reach(last);
      expect(f.seqs()).toEqual(want);
      expect(f.events.map((e) => e.record_id)).toEqual(log.map((e) => e.record_id));
    }
    // The movers really did resume (part of the log came over the second connection).
    for (const seq of resumedFrom) expect(seq).toBeLessThan(last);
    expect(stayer.drops).toEqual([]);
    expect(movers.map((f) => f.drops)).toEqual([[1006], [1006], [1006]]);
    for (const f of [...movers, stayer]) await f.close();
  }, 60_000);
});
