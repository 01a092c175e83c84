/**
 * The Flow tab under the responsive part's load: the same connections and rate of events (batches
 * of created records, open loop) with the page on the Flow tab, which asks the server for each
 * event's per-connection outcomes (`{type:'flow', on:true}`) and draws every event as it fans
 * out. Measured: the page's animation frames, long tasks and long animation frames, the
 * browser's CPU, and the server's CPU per event with the flow on (set against the Events tab's).
 */
import { openLoop } from '../../lib/fanout';
import { HttpClient } from '../../lib/http';
import { readProc } from '../../lib/proc';
import type { BenchContext } from '../../lib/section';
import { fmt, int, renderTable } from '../../lib/table';
import { sleep } from '../../lib/timing';
import { lastSeq } from './admin';
import type { FlowPlan } from './plan';
import { postBatch, type ResponsiveSetup } from './responsive';

export interface FlowResult {
  eventsPerS: number;
  fps: number;
  longest: number;
  over100: number;
  longFrames: number;
  serverUsPerEvent: number;
}

export async function runFlow(ctx: BenchContext, plan: FlowPlan, s: ResponsiveSetup): Promise<FlowResult> {
  await s.page.show('flow', 30_000);
  await sleep(1000);
  await s.page.take();
  const first = (await lastSeq(s.admin)) + 1;
  const w = new HttpClient(s.server.url, 8, s.editorKey);
  const server0 = readProc(s.server.pid);
  const browser = s.browserCpu.start();
  const t0 = performance.now();
  const batches = Math.round((plan.rate * plan.ms) / 1000 / plan.batch);
  const load = await openLoop(
    plan.rate / plan.batch,
    { count: batches, ms: plan.ms },
    plan.maxInFlight,
    (i) => postBatch(w, s.collection, i, plan.batch),
  ).finally(() => w.close());
  const wallMs = performance.now() - t0;
  const browserMs = browser();
  const server1 = readProc(s.server.pid);
  const probe = await s.page.take();
  const events = (await lastSeq(s.admin)) - first + 1;
  const serverMs = server1.userMs + server1.sysMs - server0.userMs - server0.sysMs;
  const longest = probe.long.reduce((a, b) => Math.max(a, b), 0);
  const r: FlowResult = {
    eventsPerS: (load.ok * plan.batch * 1000) / load.elapsedMs,
    fps: probe.ms ? ((probe.frames ?? 0) * 1000) / probe.ms : 0,
    longest,
    over100: probe.long.filter((d) => d > 100).length,
    longFrames: probe.longFrames,
    serverUsPerEvent: events ? (serverMs * 1000) / events : NaN,
  };
  ctx.print('');
  ctx.print(
    renderTable(
      ['monitor page (Flow tab)', 'measured'],
      [
        [
          'events written',
          `${int(events)}, ${int(r.eventsPerS)}/s for ${fmt(plan.ms / 1000, 0)} s (batches of ${plan.batch}); ${int(load.failed)} batches failed`,
        ],
        ['animation frames', `${fmt(r.fps, 0)}/s`],
        ['long animation frames (50 ms or more)', int(r.longFrames)],
        [
          'longest task',
          `${fmt(longest, 0)} ms; ${int(r.over100)} over 100 ms, ${int(probe.long.length)} over 50 ms`,
        ],
        [
          'CPU over the load (% of one core)',
          `server ${fmt((serverMs / wallMs) * 100, 0)}, browser ${fmt((browserMs / wallMs) * 100, 0)}`,
        ],
        ['server CPU per event, the flow on', `${fmt(r.serverUsPerEvent, 0)} µs`],
      ],
    ),
  );
  if (load.failed) ctx.print(`failures: ${load.failures.join(' | ')}`);
  return r;
}
