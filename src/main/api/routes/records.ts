import type { FilterNode } from '../../../shared/filter';
import { checkRecord } from '../../../shared/record-validation';
import type { Collection } from '../../../shared/schema';
import { PUBLIC_ACCOUNT } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { fieldTypes } from '../../store/collections';
import type { RecordQuery } from '../../store/records';
import { denied, objectBody } from '../guards';
import { filterParam, parseListParams, project } from '../list-query';
import { reply, type Ctx, type Router } from '../router';
import { batchRoutes } from './records-batch';
import { exportRoutes } from './records-export';
import {
  access,
  etagHeader,
  ifMatchOf,
  loadRecord,
  passes,
  recordQuery,
  targetAccount,
  writeContext,
} from './record-helpers';

/** Record routes: list, view, create, update, delete, bulk update/delete by filter, batch create and export. */
export function recordRoutes(router: Router, store: Store): void {
  const base = '/api/v1/collections/:name/records';
  // Fixed paths first: `records/batch` and `records/export` must not be read as record ids.
  batchRoutes(router, store);
  exportRoutes(router, store);

  router.on('GET', base, (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'list');
    const q = parseListParams(ctx.url.searchParams, fieldTypes(c));
    const { items, total } = store.records.list(c, {
      ...recordQuery(ctx.principal, [rule, q.filter]),
      sort: q.sort,
      limit: q.perPage,
      offset: (q.page - 1) * q.perPage,
    });
    return {
      items: items.map((r) => project(r, q.select)),
      page: q.page,
      per_page: q.perPage,
      total_items: total,
      total_pages: Math.ceil(total / q.perPage),
      // The seq this page reflects (read in the same synchronous turn), so a live list can drop
      // the events it already holds and apply only later ones.
      last_seq: store.events.lastSeq(),
    };
  });

  router.on('GET', `${base}/:id`, (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'view');
    const { record } = loadRecord(store, ctx, c);
    if (!passes(rule, record, ctx.principal)) throw notFound(`Record '${ctx.params.id}'`);
    const select = ctx.url.searchParams.get('select');
    const body = project(
      record,
      select ? parseListParams(new URLSearchParams({ select }), fieldTypes(c)).select : undefined,
    );
    return reply(200, body, etagHeader(record));
  });

  router.on('POST', base, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'create');
    const { value, errors } = checkRecord(c.fields, await objectBody(ctx), 'create');
    if (Object.keys(errors).length) throw validationError(errors);
    const p = ctx.principal;
    if (!passes(rule, value, p))
      throw denied(ctx, `The create rule of '${c.name}' does not allow this record.`);
    const record = await store.records.insert(c, value, {
      account: p?.account ?? PUBLIC_ACCOUNT,
      ...writeContext(ctx),
    });
    return reply(201, record, etagHeader(record));
  });

  router.on('PATCH', `${base}/:id`, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'update');
    const body = await objectBody(ctx);
    const { value, errors } = checkRecord(c.fields, body, 'update');
    if (body.id !== undefined && body.id !== ctx.params.id) errors.id = 'cannot change a record id';
    if (Object.keys(errors).length) throw validationError(errors);
    const updated = await store.records.update(c, ctx.params.id!, value, {
      account: targetAccount(ctx),
      ifMatch: ifMatchOf(ctx),
      ...writeContext(ctx),
      check(before, after) {
        if (!passes(rule, before, ctx.principal) || !passes(rule, after, ctx.principal))
          throw denied(ctx, `The update rule of '${c.name}' does not allow this change.`);
      },
    });
    return reply(200, updated, etagHeader(updated));
  });

  router.on('DELETE', `${base}/:id`, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'delete');
    await store.records.delete(c, ctx.params.id!, {
      account: targetAccount(ctx),
      ifMatch: ifMatchOf(ctx),
      ...writeContext(ctx),
      check(record) {
        if (!passes(rule, record, ctx.principal))
          throw denied(ctx, `The delete rule of '${c.name}' does not allow this.`);
      },
    });
    return reply(204);
  });

  /** Bulk writes name their records with a filter; `filter={}` must be explicit to touch everything. */
  function bulkQuery(ctx: Ctx, c: Collection, rule: FilterNode | undefined): RecordQuery {
    const raw = ctx.url.searchParams.get('filter');
    if (raw === null)
      throw new AppError(400, 'bad_request', "Bulk writes need a 'filter' (use filter={} for all records).");
    return recordQuery(ctx.principal, [rule, filterParam(raw, fieldTypes(c))]);
  }

  router.on('PATCH', base, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'update');
    const body = await objectBody(ctx);
    const { value, errors } = checkRecord(c.fields, body, 'update');
    if (body.id !== undefined) errors.id = 'cannot set ids in a bulk update';
    if (Object.keys(errors).length) throw validationError(errors);
    const updated = await store.records.updateWhere(c, bulkQuery(ctx, c, rule), value, {
      ...writeContext(ctx),
      check(before, after) {
        if (!passes(rule, after, ctx.principal))
          throw denied(ctx, `The update rule of '${c.name}' does not allow the change to '${before.id}'.`);
      },
    });
    return { updated };
  });

  router.on('DELETE', base, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const q = bulkQuery(ctx, c, access(ctx, c, 'delete'));
    return { deleted: await store.records.deleteWhere(c, q, writeContext(ctx)) };
  });
}
