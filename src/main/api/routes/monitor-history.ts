import type { HubEvent } from '../../../shared/events';
import {
  MONITOR_REPLAY_MAX,
  type MonitorHistory,
  type MonitorReplayResult,
} from '../../../shared/monitor-history';
import { AppError } from '../../errors';
import type { MonitorService } from '../../realtime/monitor-service';
import type { Store } from '../../store';
import { objectBody } from '../guards';
import type { Ctx, Router } from '../router';

/** Whether an account's admin may know of a logged event (as for explain: its account, or schema). */
export function eventInScope(ev: HubEvent, scope: string | null): boolean {
  return scope === null || ev.account === scope || ev.type.startsWith('collection.');
}

function seqField(body: Record<string, unknown>, name: string): number {
  const v = body[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
    throw new AppError(
      400,
      'bad_request',
      `'${name}' must be a seq (an integer from 1), got ${JSON.stringify(v)}.`,
    );
  return v;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * The monitor's history operations (wire shapes in src/shared/monitor-history.ts): the event
 * log's retained range, and replaying a range of it into one connection. Registered by
 * monitorRoutes, with its service and caller checks.
 */
export function monitorHistoryRoutes(
  router: Router,
  store: Store,
  service: () => MonitorService,
  caller: (ctx: Ctx) => { scope: string | null },
): void {
  router.on('GET', '/api/v1/monitor/history', (ctx) => {
    caller(ctx);
    const oldest = store.events.oldestSeq();
    const last = store.events.lastSeq();
    const at = (seq: number) => (seq >= 1 ? (store.events.since(seq - 1, 1)[0]?.timestamp ?? null) : null);
    const empty = oldest > last;
    const answer: MonitorHistory = {
      oldest_seq: oldest,
      last_seq: last,
      oldest_at: empty ? null : at(oldest),
      last_at: empty ? null : at(last),
      trimmed: oldest > 1,
    };
    return { ...answer };
  });

  router.on('POST', '/api/v1/monitor/replay', async (ctx) => {
    const { scope } = caller(ctx);
    const body = await objectBody(ctx);
    const { connection } = body;
    if (typeof connection !== 'string' || !connection)
      throw new AppError(400, 'bad_request', "'connection' must be a connection id.");
    const from = seqField(body, 'from_seq');
    const to = seqField(body, 'to_seq');
    if (from > to) throw new AppError(400, 'bad_request', `'from_seq' (${from}) is after 'to_seq' (${to}).`);
    const size = to - from + 1;
    if (size > MONITOR_REPLAY_MAX)
      throw new AppError(
        400,
        'bad_request',
        `A replay reads at most ${count(MONITOR_REPLAY_MAX)} events; seqs ${from}–${to} are ${count(size)}. Replay it in parts.`,
        { max: MONITOR_REPLAY_MAX },
      );
    const last = store.events.lastSeq();
    const oldest = store.events.oldestSeq();
    if (to > last)
      throw new AppError(400, 'bad_request', `Seq ${to} is beyond the event log: the last seq is ${last}.`, {
        oldest_seq: oldest,
        last_seq: last,
      });
    if (from < oldest)
      throw new AppError(
        410,
        'resume_gap',
        `Seq ${from} is no longer retained: the event log holds seqs ${oldest}–${last}.`,
        { oldest_seq: oldest, last_seq: last },
      );
    const events = store.events.since(from - 1, size).filter((e) => e.seq <= to && eventInScope(e, scope));
    const r = await service().replay(connection, events, scope);
    if (!r) throw new AppError(404, 'not_found', `No connection '${connection}'.`);
    return { ...r, from_seq: from, to_seq: to } satisfies MonitorReplayResult;
  });
}
