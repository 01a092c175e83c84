import {
  eventHeader,
  type MonitorDisconnectResult,
  type MonitorExplain,
  type MonitorFrames,
  type MonitorSendResult,
} from '../../../shared/monitor';
import { accountScope, type Principal } from '../../auth/principal';
import { AppError } from '../../errors';
import type { MonitorService } from '../../realtime/monitor-service';
import type { Store } from '../../store';
import { objectBody, requireAccountAdmin } from '../guards';
import type { Ctx, Router } from '../router';
import { monitorHistoryRoutes } from './monitor-history';
import type { SystemInfo } from './system';

// note: one page of recorded outcomes; the ring holds 50,000.
const MAX_OUTCOMES_PAGE = 5000;

const SUBSCRIPTIONS_NOTE =
  'Computed now by the hub matcher on the logged event against each connection as it is now: ' +
  'subscriptions made or dropped since the event was fanned out are judged as they are now.';

function intParam(ctx: Ctx, name: string, fallback?: number): number {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null) {
    if (fallback !== undefined) return fallback;
    throw new AppError(400, 'bad_request', `'${name}' is required.`);
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0)
    throw new AppError(400, 'bad_request', `'${name}' must be a non-negative integer, got '${raw}'.`);
  return n;
}

const noConnection = (id: string) => new AppError(404, 'not_found', `No connection '${id}'.`);

/**
 * The live monitor's admin operations (wire shapes in src/shared/monitor.ts): connections,
 * recorded fan-out outcomes, explain, an inspected connection's frames, disconnect and test
 * sends; and the history ones (the log's range, replay: monitor-history.ts). An account's admin
 * acts on its own account only; collection-scoped keys are refused.
 */
export function monitorRoutes(router: Router, store: Store, info: SystemInfo): void {
  const service = () => {
    const m = (info.realtime as { monitor?: MonitorService }).monitor;
    if (!m) throw new AppError(503, 'unavailable', 'Realtime is not running yet.');
    return m;
  };
  const caller = (ctx: Ctx): { p: Principal; scope: string | null } => {
    const p = requireAccountAdmin(ctx);
    return { p, scope: accountScope(p) };
  };

  monitorHistoryRoutes(router, store, service, caller);

  router.on('GET', '/api/v1/monitor/connections', async (ctx) => {
    const { scope } = caller(ctx);
    return { ...(await service().connections(scope)) };
  });

  router.on('GET', '/api/v1/monitor/outcomes', (ctx) => {
    caller(ctx);
    const since = intParam(ctx, 'since', 0);
    const until = intParam(ctx, 'until', store.events.lastSeq());
    const limit = Math.min(intParam(ctx, 'limit', 1000), MAX_OUTCOMES_PAGE);
    return { ...service().outcomes(since, until, limit) };
  });

  router.on('GET', '/api/v1/monitor/explain', async (ctx) => {
    const { scope } = caller(ctx);
    const seq = intParam(ctx, 'seq');
    const connection = ctx.url.searchParams.get('connection') ?? undefined;
    const ev = seq > 0 ? store.events.since(seq - 1, 1)[0] : undefined;
    // An event of another account does not exist for an account's admin.
    if (
      !ev ||
      ev.seq !== seq ||
      (scope !== null && ev.account !== scope && !ev.type.startsWith('collection.'))
    )
      throw new AppError(404, 'not_found', `Event ${seq} is not in the event log.`);
    const r = await service().explain(ev, scope, connection);
    if (connection !== undefined && r.connections.length === 0) throw noConnection(connection);
    const answer: MonitorExplain = {
      seq,
      event: eventHeader(ev),
      subscriptions_as_of: new Date().toISOString(),
      note: SUBSCRIPTIONS_NOTE,
      recorded: r.recorded,
      dropped_connections: r.dropped,
      connections: r.connections,
    };
    return { ...answer };
  });

  router.on('GET', '/api/v1/monitor/connections/:id/frames', async (ctx) => {
    const { scope } = caller(ctx);
    const r: MonitorFrames | undefined = await service().frames(ctx.params.id!, scope);
    if (!r) throw noConnection(ctx.params.id!);
    return { ...r };
  });

  router.on('POST', '/api/v1/monitor/connections/:id/disconnect', async (ctx) => {
    const { scope } = caller(ctx);
    const body = (await ctx.body()) ?? {};
    if (typeof body !== 'object' || Array.isArray(body))
      throw new AppError(400, 'bad_request', 'Send a JSON object as the body.');
    const reason = (body as { reason?: unknown }).reason ?? '';
    if (typeof reason !== 'string') throw new AppError(400, 'bad_request', "'reason' must be a string.");
    const r: MonitorDisconnectResult | undefined = await service().disconnect(
      ctx.params.id!,
      scope,
      reason.trim(),
    );
    if (!r) throw noConnection(ctx.params.id!);
    return { ...r };
  });

  router.on('POST', '/api/v1/monitor/send', async (ctx) => {
    const { p, scope } = caller(ctx);
    const body = await objectBody(ctx);
    const { connection, collection, data } = body;
    if (connection !== undefined && typeof connection !== 'string')
      throw new AppError(400, 'bad_request', "'connection' must be a connection id.");
    if (collection !== undefined && typeof collection !== 'string')
      throw new AppError(400, 'bad_request', "'collection' must be a collection name.");
    if (connection === undefined && collection === undefined)
      throw new AppError(400, 'bad_request', "Name a 'connection' or a 'collection' to send to.");
    if (typeof data !== 'object' || data === null || Array.isArray(data))
      throw new AppError(400, 'bad_request', "'data' must be a JSON object (the test record's fields).");
    if (collection !== undefined && !store.collections.get(collection))
      throw new AppError(404, 'not_found', `Collection '${collection}' not found.`);
    const r: MonitorSendResult = await service().send(
      { connection, collection, data: data as Record<string, unknown> },
      scope,
      p,
    );
    if (connection !== undefined && r.sent === 0) {
      throw new AppError(
        404,
        'not_found',
        `No connection '${connection}' with a subscription${collection ? ` to '${collection}'` : ''} to send to.`,
      );
    }
    return { ...r };
  });
}
