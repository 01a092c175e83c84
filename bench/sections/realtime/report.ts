/** The realtime section's tables: idle connections, fan-out latency and cost, targets, profiles. */
import { summarizeProfile, type CpuProfile } from '../../lib/cpu-profile';
import { printTable, type BenchContext } from '../../lib/section';
import { fmt, int } from '../../lib/table';
import type { FanoutRow, IdleRow, Plan } from './plan';

const ms2 = (n: number) => fmt(n, 2);
const verdict = (ctx: BenchContext, ok: boolean) => (ctx.quick ? 'n/a (--quick)' : ok ? 'met' : 'MISSED');
const pct = (part: number, whole: number) => (whole ? (part / whole) * 100 : NaN);
const MB = (mib: number) => mib * 1.048576;

/** Prints every table of the section. */
export function printTables(
  ctx: BenchContext,
  plan: Plan,
  idleRows: IdleRow[],
  rows: FanoutRow[],
  profiles: { label: string; profile: CpuProfile }[],
): void {
  printTable(
    ctx,
    [
      'idle connections',
      'conns',
      'open s',
      'RSS before MiB',
      'RSS with conns MiB',
      'KiB per conn',
      'server HWM MiB',
      'bench RSS MiB',
      'server /stats',
      'one event to all',
    ],
    idleRows.map((r) => [
      r.target,
      int(r.connections),
      fmt(r.openS, 1),
      fmt(r.rssBeforeMiB, 0),
      fmt(r.rssMiB, 0),
      fmt(((r.rssMiB - r.rssBeforeMiB) * 1024) / r.connections, 1),
      fmt(r.hwmMiB, 0),
      fmt(r.clientRssMiB, 0),
      r.stats,
      r.oneEvent,
    ]),
  );
  printTable(
    ctx,
    [
      'server',
      'subs',
      'writes',
      'ok',
      'failed',
      'skipped',
      'writes/s',
      'kept up',
      'delivered',
      'expected',
      'delivered/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
      'samples',
      'server write p50',
      'server write p99',
    ],
    rows.map((r) => [
      r.target,
      int(r.subs),
      r.mode,
      int(r.writes.ok),
      int(r.writes.failed),
      int(r.skipped),
      int((r.writes.ok / r.writes.elapsedMs) * 1000),
      r.sustained === undefined ? '-' : r.sustained ? 'yes' : 'NO',
      int(r.delivered),
      int(r.expected),
      int(r.deliveredPerS),
      ms2(r.latency.p50),
      ms2(r.latency.p95),
      ms2(r.latency.p99),
      ms2(r.latency.max),
      int(r.latency.n) + (r.badFrames ? ` (${r.badFrames} bad)` : ''),
      r.serverWrite ? ms2(r.serverWrite.p50) : '-',
      r.serverWrite ? ms2(r.serverWrite.p99) : '-',
    ]),
  );
  printTable(
    ctx,
    [
      'server',
      'subs',
      'writes',
      'wall s',
      'server CPU % (usr+sys)',
      'server CPU ms/write',
      'server CPU µs/delivered',
      'RSS end MiB',
      'RSS peak MiB',
      'client CPU %',
      'client CPU µs/delivered',
      'client loop delay p99 ms (worst round)',
      'others CPU %',
      'closed',
    ],
    rows.map((r) => {
      const cpu = r.cost.serverUserMs + r.cost.serverSysMs;
      return [
        r.target,
        int(r.subs),
        r.mode,
        fmt(r.cost.wallMs / 1000, 1),
        `${fmt(r.cost.serverCpuPct, 0)} (${fmt(pct(r.cost.serverUserMs, r.cost.wallMs), 0)}+${fmt(pct(r.cost.serverSysMs, r.cost.wallMs), 0)})`,
        r.writes.ok ? ms2(cpu / r.writes.ok) : '-',
        r.delivered ? ms2((cpu * 1000) / r.delivered) : '-',
        fmt(r.cost.serverRssEndMiB, 0),
        fmt(r.cost.serverRssPeakMiB, 0),
        fmt(pct(r.cost.clientCpuMs, r.cost.wallMs), 0),
        r.delivered ? ms2((r.cost.clientCpuMs * 1000) / r.delivered) : '-',
        ms2(r.clientLoopP99Ms),
        fmt(r.cost.otherCpuPct, 0),
        int(r.closes),
      ];
    }),
  );

  // Targets.
  const maxSubs = Math.max(...plan.subscribers);
  const at = (target: string, subs: number, rate: number | 'max') =>
    rows.find(
      (r) =>
        r.target === target && r.subs === subs && (rate === 'max' ? r.rate === undefined : r.rate === rate),
    );
  const latencyRows: [string, string, string][] = [];
  let bestSustained: number | undefined;
  for (const rate of plan.fixedRates(maxSubs)) {
    const sbr = at('Switchboard', maxSubs, rate);
    const rawr = at('raw ws', maxSubs, rate);
    if (!sbr || !rawr) continue;
    const ratio = sbr.latency.p99 / rawr.latency.p99;
    const both = !!sbr.sustained && !!rawr.sustained;
    if (both && (bestSustained === undefined || rate > bestSustained)) bestSustained = rate;
    const kept = both
      ? 'both kept up'
      : `not kept up by ${[sbr, rawr]
          .filter((r) => !r.sustained)
          .map((r) => r.target)
          .join(' and ')}`;
    latencyRows.push([
      `p99 at ${int(maxSubs)} subscribers within 2x of raw ws, fixed ${rate}/s`,
      `${ms2(sbr.latency.p99)} vs ${ms2(rawr.latency.p99)} ms: ${fmt(ratio, 2)}x (${kept})`,
      both ? verdict(ctx, ratio <= 2) : 'not comparable: over capacity',
    ]);
  }
  const sbMax100 = at('Switchboard', 100, 'max') ?? at('Switchboard', maxSubs, 'max');
  const sbIdle = idleRows.find((r) => r.target === 'Switchboard');
  const writesPerS = sbMax100 ? (sbMax100.writes.ok / sbMax100.writes.elapsedMs) * 1000 : NaN;
  printTable(
    ctx,
    ['target', 'measured', 'verdict'],
    [
      ...latencyRows,
      [
        `>= 2,000 durable writes/s fanned out to ${int(sbMax100?.subs ?? 0)} subscribers`,
        `${int(writesPerS)} writes/s (${int(sbMax100?.deliveredPerS ?? NaN)} delivered/s, ${plan.maxWriters} writers)`,
        verdict(ctx, writesPerS >= 2000),
      ],
      [
        `${int(plan.idle)} idle connections under 300 MB RSS`,
        sbIdle
          ? `${fmt(MB(sbIdle.rssMiB), 0)} MB (${fmt(sbIdle.rssMiB, 0)} MiB) with ${int(sbIdle.connections)}`
          : '-',
        verdict(ctx, !!sbIdle && sbIdle.connections === plan.idle && MB(sbIdle.rssMiB) < 300),
      ],
    ],
  );
  if (bestSustained === undefined)
    ctx.print(
      `(no fixed rate at ${int(maxSubs)} subscribers was kept up by both servers: no latency verdict)`,
    );

  for (const { label, profile } of profiles) {
    // The server runs the built bundle (out/main), where function names survive.
    const ours = (f: { url: string }) => f.url.includes('/out/main/') || f.url.includes('/src/main/');
    const fn = (name: string) => (f: { functionName: string; url: string }) =>
      f.functionName === name && ours(f);
    const s = summarizeProfile(profile, {
      'Store.flush (group commit: the transaction, then the fan-out after commit)': fn('flush'),
      'Hub.fanout (match + encode + queue, all subscribers)': fn('fanout'),
      'Hub.deliver (per subscriber: match, frame, queue)': fn('deliver'),
      'matchEvent (per subscriber: view rule, filter)': fn('matchEvent'),
      'Hub.uncorkAll (the socket writes: one per connection per turn)': fn('uncorkAll'),
      'Auth.authenticate (API key lookup)': fn('authenticate'),
      'console.log (the per-request log line)': (f) => f.functionName === 'consoleCall',
    });
    ctx.print('');
    ctx.print(
      `CPU profile of the Switchboard main thread, ${label}: ${fmt(s.wallMs / 1000, 1)} s window, ` +
        `${fmt(s.busyMs / 1000, 2)} s busy (${fmt(pct(s.busyMs, s.wallMs), 0)}% of the window; busy includes time blocked in fsync)`,
    );
    printTable(
      ctx,
      ['self time by part', 'ms', '% of busy'],
      s.categories.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
    );
    printTable(
      ctx,
      ['inclusive time', 'ms', '% of busy'],
      s.inclusive.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
    );
    printTable(
      ctx,
      ['top self time', 'ms', '% of busy'],
      s.topSelf.map(([c, v]) => [c, fmt(v, 0), fmt(pct(v, s.busyMs), 1)]),
    );
  }
}
