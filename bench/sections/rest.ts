/**
 * The REST foundation: durable write throughput and latency (1 and 16 clients), list latency
 * over 100,000 records, and what each phase cost the server process.
 *
 * The server runs as a child process (the built out/main/headless.js), so its CPU and RSS are read
 * from /proc/PID and are not mixed with the client's. The 100k records are seeded straight
 * into the data dir through the store module (src/main/store) before the server starts, one
 * transaction per 10,000 records, each record with its outbox event as the API would write it.
 *
 * Two in-process reference figures help read the REST ones: the store's own commit rate
 * (record + event in one transaction, synchronous=FULL and NORMAL) under the REST writes, and
 * the list SQL timed statement by statement (page vs count) with its query plan.
 */
import { planFor, type Section } from '../lib/section';
import { int } from '../lib/table';
import { lists } from './rest/lists';
import { FULL, QUICK, WARMUP_WRITES } from './rest/plan';
import { costTable, type CostRow } from './rest/report';
import { writes } from './rest/writes';

const rest: Section = {
  name: 'rest',
  summary: 'durable write throughput (1 and 16 clients), list latency at 100k records, server CPU and RSS',
  async run(ctx) {
    const plan = planFor(ctx, FULL, QUICK);
    const costs: CostRow[] = [];
    ctx.print(
      `bounds: writes ${int(plan.writes.count)} or ${plan.writes.ms / 1000} s per phase (after ${WARMUP_WRITES} warm-up); ` +
        `lists ${int(plan.list.count)} requests or ${plan.list.ms / 1000} s per query; server: child process, data on the disk below`,
    );
    ctx.print('');
    await writes(ctx, plan, costs);
    await lists(ctx, plan, costs);
    ctx.print('');
    ctx.print(
      'server process cost per phase (child process: /proc/PID/stat and /proc/PID/status; RSS peak sampled every 100 ms;',
    );
    ctx.print(
      'client = this bench process; others = the rest of the machine, from /proc/stat, as % of one core):',
    );
    ctx.print('');
    ctx.print(costTable(costs));
  },
};

export default rest;
