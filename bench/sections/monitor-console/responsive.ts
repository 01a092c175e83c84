/**
 * "The monitor page stays responsive": with many connections open, events written at a fixed
 * rate (batches of created records, open loop) while the monitor is open on its Events tab.
 * Inside the page: long tasks, and at every animation frame the newest row on screen; each
 * event's "on screen" time is the first frame whose newest row is that event or a later one,
 * set against the event's timestamp in the event log (the server's clock when it wrote it), and
 * against the times its write was sent and acknowledged (all `Date.now()` on this one machine:
 * the page's, the server's and the bench's clocks are the same clock). Afterwards every event of the run is
 * looked for among the stream's rows (stream-check.ts).
 */
import { openLoop, waitUntil } from '../../lib/fanout';
import { FEED_BODY } from '../../lib/feed';
import { HttpClient } from '../../lib/http';
import { readProc, readSystemCpu } from '../../lib/proc';
import type { TreeCpu } from '../../lib/process-tree';
import type { BenchContext } from '../../lib/section';
import type { ChildServer } from '../../lib/server';
import { summarize, type Summary } from '../../lib/stats';
import { fmt, int, renderTable } from '../../lib/table';
import { sleep } from '../../lib/timing';
import type { Tally } from '../../lib/ws-clients';
import { adminGet, lastSeq } from './admin';
import type { MonitorPage } from './page';
import type { ResponsivePlan } from './plan';
import { checkStream, type StreamCheck } from './stream-check';

// note: the targets of issue 14 (Numbers).
const LONG_TASK_TARGET_MS = 100;
const ON_SCREEN_TARGET_MS = 1000;
const EVENTS_PAGE = 1000;
// note: the server's request log names the path without its query.
const BATCH_ROUTE = (c: string) => `POST /api/v1/collections/${c}/records/batch`;

export interface ResponsiveSetup {
  server: ChildServer;
  collection: string;
  editorKey: string;
  admin: HttpClient;
  /** Open connections, of which `witnesses` subscribe to `collection`. */
  conns: number;
  witnesses: number;
  tally: Tally;
  page: MonitorPage;
  browserCpu: TreeCpu;
}

export interface ResponsiveResult {
  events: number;
  eventsPerS: number;
  /** From the event's own timestamp (the server's clock when it wrote it). */
  onScreen: Summary;
  onScreenFromSend: Summary;
  overTarget: number;
  neverShown: number;
  longest: number;
  over100: number;
  stream: StreamCheck;
  /** The last seq of the run (explain asks about it). */
  lastSeq: number;
}

/** Writes batch `i` of `batch` created records (`n` numbers them across the run): one event each. */
export async function postBatch(w: HttpClient, collection: string, i: number, batch: number): Promise<void> {
  const records = Array.from({ length: batch }, (_, j) => ({
    title: 'bench',
    n: i * batch + j,
    body: FEED_BODY,
  }));
  await w.expect(201, 'POST', `/api/v1/collections/${collection}/records/batch`, { records });
}

/** `n` and the timestamp (epoch ms) of every event in (from, to], by seq, from the event log. */
async function logged(
  admin: HttpClient,
  from: number,
  to: number,
): Promise<Map<number, { n: number; at: number }>> {
  const out = new Map<number, { n: number; at: number }>();
  let since = from;
  // note: bounded: one page per 1,000 events, plus a few for events of other kinds.
  for (let pages = 0; since < to && pages < (to - from) / EVENTS_PAGE + 10; pages++) {
    const r = await adminGet(admin, `/api/v1/events?since=${since}&limit=${EVENTS_PAGE}`);
    for (const e of r.body.events as { seq: number; timestamp: string; data?: { n?: number } }[])
      if (e.seq <= to && typeof e.data?.n === 'number')
        out.set(e.seq, { n: e.data.n, at: Date.parse(e.timestamp) });
    if (r.body.next_since <= since) break;
    since = r.body.next_since as number;
  }
  return out;
}

/** Runs the load with the page open and prints what the page did. */
export async function runResponsive(
  ctx: BenchContext,
  plan: ResponsivePlan,
  s: ResponsiveSetup,
): Promise<ResponsiveResult> {
  await s.page.show('events', 30_000);
  await sleep(1000);
  await s.page.take();
  const first = (await lastSeq(s.admin)) + 1;
  const witnessed0 = s.tally.events;

  // --- the load: `rate` events/s as batches of `batch` records, open loop, bounded in count and time.
  const batches = Math.round((plan.rate * plan.ms) / 1000 / plan.batch);
  const sentAt: number[] = [];
  const ackAt: number[] = [];
  const w = new HttpClient(s.server.url, 8, s.editorKey);
  await s.server.takeRequestTimes(BATCH_ROUTE(s.collection));
  const server0 = readProc(s.server.pid);
  const sys0 = readSystemCpu();
  const client0 = process.cpuUsage();
  const browser = s.browserCpu.start();
  const t0 = performance.now();
  const load = await openLoop(
    plan.rate / plan.batch,
    { count: batches, ms: plan.ms },
    plan.maxInFlight,
    async (i) => {
      sentAt[i] = Date.now();
      await postBatch(w, s.collection, i, plan.batch);
      ackAt[i] = Date.now();
    },
  ).finally(() => w.close());
  const wallMs = performance.now() - t0;
  const browserMs = browser();
  const server1 = readProc(s.server.pid);
  const sys1 = readSystemCpu();
  const client = process.cpuUsage(client0);
  const last = await lastSeq(s.admin);
  const events = last - first + 1;

  // --- afterwards: the page catches up, the witnesses get every event.
  const caught = await s.page.waitForTop(last, plan.catchUpMs);
  const probe = await s.page.take();
  const expectWitnessed = load.ok * plan.batch * s.witnesses;
  await waitUntil(() => s.tally.events - witnessed0 >= expectWitnessed, 10_000, 20);

  // --- each event's time to screen, from the frames where the newest row changed.
  const log = await logged(s.admin, first - 1, last);
  const batchServerMs = summarize(await s.server.takeRequestTimes(BATCH_ROUTE(s.collection)));
  const fromCommit: number[] = [];
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let neverShown = 0;
  let k = 0;
  for (let seq = first; seq <= last; seq++) {
    while (k < probe.top.length && probe.top[k]![1] < seq) k++;
    const e = log.get(seq);
    const batch = e === undefined ? undefined : Math.floor(e.n / plan.batch);
    if (k >= probe.top.length || batch === undefined || ackAt[batch] === undefined) {
      neverShown++;
      continue;
    }
    const shown = probe.top[k]![0];
    fromCommit.push(shown - e!.at);
    fromAck.push(shown - ackAt[batch]!);
    fromSend.push(shown - sentAt[batch]!);
  }
  const overTarget = fromCommit.filter((d) => d > ON_SCREEN_TARGET_MS).length;

  // --- every event of the run among the stream's rows.
  const stream = await checkStream(s.page, first, last, plan.scanMs);

  const serverCpu = server1.userMs + server1.sysMs - server0.userMs - server0.sysMs;
  const clientCpu = (client.user + client.system) / 1000;
  const others = Math.max(0, sys1.busyMs - sys0.busyMs - serverCpu - clientCpu - browserMs);
  const pct = (ms: number) => fmt((ms / wallMs) * 100, 0);
  const lag = summarize(fromCommit);
  const lagSend = summarize(fromSend);
  const lagAck = summarize(fromAck);
  const long = probe.long;
  const longest = long.reduce((a, b) => Math.max(a, b), 0);
  const over100 = long.filter((d) => d > LONG_TASK_TARGET_MS).length;
  const writeLat = summarize(load.latencies);
  const fps = probe.ms ? ((probe.frames ?? 0) * 1000) / probe.ms : 0;
  const eventsPerS = (load.ok * plan.batch * 1000) / load.elapsedMs;

  ctx.print('');
  ctx.print(
    renderTable(
      ['load', 'measured'],
      [
        ['connections open', int(s.conns)],
        ['events asked', `${int(plan.rate)}/s for ${fmt(plan.ms / 1000, 0)} s (batches of ${plan.batch})`],
        [
          'events written',
          `${int(events)} (seq ${first}-${last}), ${int(eventsPerS)}/s; ${int(load.failed)} batches failed, ` +
            `${int(load.skipped)} skipped (${plan.maxInFlight} outstanding)`,
        ],
        [
          "batch write: round trip / the server's own time",
          `p50 ${fmt(writeLat.p50, 1)} / ${fmt(batchServerMs.p50, 1)} ms, ` +
            `p99 ${fmt(writeLat.p99, 1)} / ${fmt(batchServerMs.p99, 1)} ms`,
        ],
        [
          'CPU over the load (% of one core)',
          `server ${pct(serverCpu)}, browser ${pct(browserMs)}, bench ${pct(clientCpu)}, others ${pct(others)}`,
        ],
        ['server CPU per event', `${fmt(events ? (serverCpu * 1000) / events : NaN, 0)} µs`],
        [
          'witnesses (subscribers of the written collection)',
          `${int(s.tally.events - witnessed0)} of ${int(expectWitnessed)} events delivered`,
        ],
      ],
    ),
  );
  if (load.failed) ctx.print(`failures: ${load.failures.join(' | ')}`);
  ctx.print('');
  ctx.print(
    renderTable(
      ['monitor page (Events tab)', 'measured', 'target'],
      [
        [
          'longest task',
          `${fmt(longest, 0)} ms; ${int(over100)} over ${LONG_TASK_TARGET_MS} ms, ${int(long.length)} over 50 ms`,
          `none over ${LONG_TASK_TARGET_MS} ms`,
        ],
        ['animation frames', `${fmt(fps, 0)}/s`, '-'],
        [
          "newest event on screen, from the event's timestamp (written)",
          `p50 ${fmt(lag.p50, 0)} ms, p99 ${fmt(lag.p99, 0)} ms, max ${fmt(lag.max, 0)} ms; ` +
            `${int(overTarget)} events over ${ON_SCREEN_TARGET_MS} ms`,
          `< ${ON_SCREEN_TARGET_MS} ms`,
        ],
        [
          'the same, from the write acknowledged / sent',
          `p50 ${fmt(lagAck.p50, 0)} / ${fmt(lagSend.p50, 0)} ms, p99 ${fmt(lagAck.p99, 0)} / ${fmt(lagSend.p99, 0)} ms, ` +
            `max ${fmt(lagAck.max, 0)} / ${fmt(lagSend.max, 0)} ms`,
          '-',
        ],
        [
          'events the newest row on screen never reached',
          `${int(neverShown)} (the page showed the last event: ${caught ? 'yes' : 'NO'})`,
          '0',
        ],
        ...stream.rows,
      ],
    ),
  );
  return {
    events,
    eventsPerS,
    onScreen: lag,
    onScreenFromSend: lagSend,
    overTarget,
    neverShown,
    longest,
    over100,
    stream,
    lastSeq: last,
  };
}
