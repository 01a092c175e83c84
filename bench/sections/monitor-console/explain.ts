/**
 * "Explain answers within 200 ms": `GET /api/v1/monitor/explain?seq=N` (every connection's
 * outcome for event N, computed when asked by the hub's matcher) as the admin, called one after
 * another; round trip in the bench and the server's own time from its request log.
 */
import type { ChildServer } from '../../lib/server';
import type { HttpClient } from '../../lib/http';
import { summarize, type Summary } from '../../lib/stats';
import { runBounded } from '../../lib/timing';
import { adminGet } from './admin';
import type { ExplainPlan } from './plan';

// note: the server's request log names the path without its query.
const ROUTE = 'GET /api/v1/monitor/explain';

export interface ExplainResult {
  seq: number;
  /** Round trip in the bench, ms. */
  roundTrip: Summary;
  /** The server's own time (handler start to response finish), ms. */
  server: Summary;
  /** Connections in the (last) answer, and how many of them got the event. */
  connections: number;
  delivered: number;
  bytes: number;
  failed: number;
}

/** Explains event `seq` `plan.calls` times (bounded in time too), one call at a time. */
export async function runExplain(
  server: ChildServer,
  admin: HttpClient,
  seq: number,
  plan: ExplainPlan,
): Promise<ExplainResult> {
  await server.takeRequestTimes(ROUTE);
  let last: { connections: { delivered: boolean }[] } | undefined;
  let bytes = 0;
  const r = await runBounded({ count: plan.calls, ms: plan.ms }, 1, async () => {
    const res = await adminGet(admin, `/api/v1/monitor/explain?seq=${seq}`);
    last = res.body;
    bytes = res.bytes;
  });
  const connections = last?.connections ?? [];
  return {
    seq,
    roundTrip: summarize(r.latencies),
    server: summarize(await server.takeRequestTimes(ROUTE)),
    connections: connections.length,
    delivered: connections.filter((c) => c.delivered).length,
    bytes,
    failed: r.failed,
  };
}
