import type { BenchContext } from '../../lib/section';
import { waitUntil } from '../../lib/fanout';
import { readProc } from '../../lib/proc';
import { fmt, int } from '../../lib/table';
import { sleep } from '../../lib/timing';
import { openMany, Tally, type WsClient } from '../../lib/ws-clients';
import type { IdleRow, Plan, Target } from './plan';

const ms2 = (n: number) => fmt(n, 2);

/** Opens `plan.idle` subscribed connections, reads the server's RSS, sends one event to all, closes them. */
export async function idle(
  ctx: BenchContext,
  t: Target,
  plan: Plan,
  openOne: (t: Target, i: number, tally: Tally) => Promise<WsClient>,
): Promise<IdleRow> {
  await sleep(plan.settleMs * 2);
  const before = readProc(t.pid);
  const tally = new Tally();
  const pool: WsClient[] = [];
  try {
    const t0 = performance.now();
    await openMany(plan.idle, plan.openConcurrency, plan.openDeadlineMs, (i) => openOne(t, i, tally), pool);
    const openS = (performance.now() - t0) / 1000;
    await sleep(plan.settleMs * 4);
    const after = readProc(t.pid);
    const clientRssMiB = process.memoryUsage().rss / 2 ** 20;
    let stats = '-';
    if (t.connections) {
      const s = await t.connections();
      stats = `${int(s.total_connections as number)} total, ${int(s.authenticated_connections as number)} authenticated, ${int(s.unique_users as number)} users`;
    }
    // One event to every idle subscriber: how long until the last one has it.
    const w = t.writer(1);
    const got = tally.events;
    const w0 = performance.now();
    await w.expect(t.writeStatus, 'POST', t.writePath, t.body(0));
    const ack = performance.now() - w0;
    await waitUntil(() => tally.events - got >= pool.length, 20_000, 5);
    w.close();
    const oneEvent = `${int(tally.events - got)}/${int(pool.length)} in ${ms2(tally.lastArrival - w0)} ms (write acknowledged after ${ms2(ack)} ms)`;
    ctx.print(
      `${t.label}: ${int(pool.length)} idle connections opened in ${fmt(openS, 1)} s; RSS ${fmt(before.rssMiB, 0)} -> ${fmt(after.rssMiB, 0)} MiB`,
    );
    return {
      target: t.label,
      connections: pool.length,
      openS,
      rssBeforeMiB: before.rssMiB,
      rssMiB: after.rssMiB,
      hwmMiB: after.hwmMiB,
      clientRssMiB,
      stats,
      oneEvent,
    };
  } finally {
    for (const c of pool) c.terminate();
    // The fan-out phases reuse the keys: wait until the server has let these go.
    if (t.connections) {
      const ok = await waitUntil(
        async () => ((await t.connections!()).total_connections as number) === 0,
        30_000,
        200,
      );
      if (!ok) ctx.print(`${t.label}: connections still open 30 s after closing the idle ones`);
    } else await sleep(plan.settleMs * 2);
  }
}
