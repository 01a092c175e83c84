import type { HubEvent } from '../../../shared/events';
import { accountScope, inScope, isAdmin, type Principal } from '../../auth/principal';
import { canView } from '../../auth/rules';
import { AppError } from '../../errors';
import type { Store } from '../../store';
import { requireAuth } from '../guards';
import type { Router } from '../router';

/** What the realtime side reports; a stand-in reports no connections until the hub exists. */
export interface RealtimeInfo {
  stats(p: Principal | null): Promise<Record<string, unknown>>;
  presence(p: Principal | null): Promise<Record<string, unknown>>;
}

/** Server facts for /health and /stats. */
export interface SystemInfo {
  version: string;
  startedAt: Date;
  realtime: RealtimeInfo;
}

// note: one page of the event log; a client polls again from `next_since`.
const MAX_EVENTS_PAGE = 1000;

/** Whether a caller may see an event: same account, and the collection's view rule allows the record. */
export function canSee(store: Store, p: Principal | null, e: HubEvent): boolean {
  if (e.type.startsWith('collection.')) return isAdmin(p) && inScope(p, e.collection!);
  if (!e.collection) return accountScope(p) === null || accountScope(p) === e.account;
  return canView(p, store.collections.get(e.collection), e.account, e.data);
}

/**
 * `since_time`: the page starts at the first event committed at or after that time (the seq
 * before it is the `since`). When the log has been trimmed past that time, events of it may be
 * gone: 410 `resume_gap`, as for a `since` seq that is no longer retained.
 */
function seqAtTime(store: Store, raw: string, withSince: boolean): number {
  if (withSince) throw new AppError(400, 'bad_request', "Give 'since' or 'since_time', not both.");
  const t = Date.parse(raw);
  if (!/^\d{4}-\d\d-\d\d/.test(raw) || Number.isNaN(t))
    throw new AppError(
      400,
      'bad_request',
      `'since_time' must be an ISO 8601 time (2024-05-01T14:30:00Z), got '${raw.slice(0, 40)}'.`,
    );
  const iso = new Date(t).toISOString();
  const first = store.events.firstAtOrAfter(iso);
  if (first === undefined) return store.events.lastSeq();
  const oldest = store.events.oldestSeq();
  if (first === oldest && oldest > 1) {
    const at = store.events.since(oldest - 1, 1)[0]?.timestamp;
    throw new AppError(
      410,
      'resume_gap',
      `Events since ${iso} are no longer all retained; the oldest kept is seq ${oldest}${at ? ` (${at})` : ''}.`,
      { oldest_seq: oldest, oldest_at: at ?? null, last_seq: store.events.lastSeq() },
    );
  }
  return first - 1;
}

/** Health, stats, presence and the event log. */
export function systemRoutes(router: Router, store: Store, info: SystemInfo): void {
  router.on('GET', '/api/v1/health', () => ({
    status: 'ok',
    version: info.version,
    uptime_s: Math.round((Date.now() - info.startedAt.getTime()) / 1000),
    started_at: info.startedAt.toISOString(),
  }));

  router.on('GET', '/api/v1/stats', async (ctx) => {
    return {
      ...(await info.realtime.stats(requireAuth(ctx))),
      collections: store.collections.list().length,
      last_seq: store.events.lastSeq(),
      uptime_s: Math.round((Date.now() - info.startedAt.getTime()) / 1000),
    };
  });

  router.on('GET', '/api/v1/presence', (ctx) => info.realtime.presence(ctx.principal));

  router.on('GET', '/api/v1/events', (ctx) => {
    const q = ctx.url.searchParams;
    const rawTime = q.get('since_time');
    const rawSince = q.get('since') ?? '0';
    const since = rawTime === null ? Number(rawSince) : seqAtTime(store, rawTime, q.has('since'));
    if (!Number.isInteger(since) || since < 0) {
      throw new AppError(
        400,
        'bad_request',
        `'since' must be a non-negative integer seq, got '${rawSince}'.`,
      );
    }
    const rawLimit = q.get('limit') ?? '100';
    const limit = Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENTS_PAGE) {
      throw new AppError(
        400,
        'bad_request',
        `'limit' must be an integer from 1 to ${MAX_EVENTS_PAGE}, got '${rawLimit}'.`,
      );
    }
    const collection = q.get('collection');
    if (since > 0 && store.events.hasGapAfter(since)) {
      throw new AppError(
        410,
        'resume_gap',
        `Events after ${since} are no longer retained; reload and start from last_seq.`,
        {
          oldest_seq: store.events.oldestSeq(),
          last_seq: store.events.lastSeq(),
        },
      );
    }
    const scanned = store.events.since(since, limit);
    const events = scanned.filter(
      (e) => (!collection || e.collection === collection) && canSee(store, ctx.principal, e),
    );
    return {
      events,
      next_since: scanned.at(-1)?.seq ?? since,
      last_seq: store.events.lastSeq(),
    };
  });
}
