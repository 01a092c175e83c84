import { checkRecord } from '../../../shared/record-validation';
import type { Collection } from '../../../shared/schema';
import { PUBLIC_ACCOUNT } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { fieldTypes } from '../../store/collections';
import type { Where } from '../../store/records';
import { denied, objectBody } from '../guards';
import { filterParam, parseListParams, project } from '../list-query';
import { reply, type Ctx, type Router } from '../router';
import { batchRoutes } from './records-batch';
import { exportRoutes } from './records-export';
import {
  access,
  buildWhere,
  checkIfMatch,
  etagHeader,
  loadRecord,
  passes,
  recordEvent as event,
  relationErrors,
} from './record-helpers';
import type { FilterNode } from '../../../shared/filter';

/** Record routes: list, view, create, update, delete, bulk update/delete by filter, batch create and export. */
export function recordRoutes(router: Router, store: Store): void {
  const base = '/api/v1/collections/:name/records';
  // Fixed paths first: `records/batch` and `records/export` must not be read as record ids.
  batchRoutes(router, store);
  exportRoutes(router, store);

  const load = (ctx: Ctx, c: Collection) => loadRecord(store, ctx, c);

  function checkRelations(c: Collection, value: Record<string, unknown>, account: string): void {
    const errors = relationErrors(store, c, value, account);
    if (Object.keys(errors).length) throw validationError(errors);
  }

  router.on('GET', base, (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'list');
    const q = parseListParams(ctx.url.searchParams, fieldTypes(c));
    const { items, total } = store.records.list(c, {
      where: buildWhere(ctx.principal, [rule, q.filter]),
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
    const { record } = load(ctx, c);
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
    const account = p?.account ?? PUBLIC_ACCOUNT;
    const record = await store.mutate((emit) => {
      checkRelations(c, value, account);
      const r = store.records.insert(c, value, account);
      emit(event('record.created', c, r, account, ctx));
      return r;
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
    const updated = await store.mutate((emit) => {
      const { record: before, account } = load(ctx, c);
      const after = { ...before, ...value };
      if (!passes(rule, before, ctx.principal) || !passes(rule, after, ctx.principal)) {
        throw denied(ctx, `The update rule of '${c.name}' does not allow this change.`);
      }
      checkIfMatch(ctx, c, before);
      checkRelations(c, value, account);
      const r = store.records.update(c, before.id, value, account);
      emit({ ...event('record.updated', c, r, account, ctx), previous: before });
      return r;
    });
    return reply(200, updated, etagHeader(updated));
  });

  router.on('DELETE', `${base}/:id`, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'delete');
    await store.mutate((emit) => {
      const { record, account } = load(ctx, c);
      if (!passes(rule, record, ctx.principal))
        throw denied(ctx, `The delete rule of '${c.name}' does not allow this.`);
      checkIfMatch(ctx, c, record);
      store.records.delete(c, record.id, account);
      emit(event('record.deleted', c, record, account, ctx));
    });
    return reply(204);
  });

  /** Bulk writes name their records with a filter; `filter={}` must be explicit to touch everything. */
  function bulkWhere(ctx: Ctx, c: Collection, rule: FilterNode | undefined): Where {
    const raw = ctx.url.searchParams.get('filter');
    if (raw === null)
      throw new AppError(400, 'bad_request', "Bulk writes need a 'filter' (use filter={} for all records).");
    return buildWhere(ctx.principal, [rule, filterParam(raw, fieldTypes(c))]);
  }

  router.on('PATCH', base, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const rule = access(ctx, c, 'update');
    const body = await objectBody(ctx);
    const { value, errors } = checkRecord(c.fields, body, 'update');
    if (body.id !== undefined) errors.id = 'cannot set ids in a bulk update';
    if (Object.keys(errors).length) throw validationError(errors);
    const where = bulkWhere(ctx, c, rule);
    const updated = await store.mutate((emit) => {
      const rows = store.records.select(c, where);
      for (const { record: before, account } of rows) {
        if (!passes(rule, { ...before, ...value }, ctx.principal)) {
          throw denied(ctx, `The update rule of '${c.name}' does not allow the change to '${before.id}'.`);
        }
        checkRelations(c, value, account);
        const r = store.records.update(c, before.id, value, account);
        emit({ ...event('record.updated', c, r, account, ctx), previous: before });
      }
      return rows.length;
    });
    return { updated };
  });

  router.on('DELETE', base, async (ctx) => {
    const c = store.collections.require(ctx.params.name!);
    const where = bulkWhere(ctx, c, access(ctx, c, 'delete'));
    const deleted = await store.mutate((emit) => {
      const rows = store.records.select(c, where);
      for (const { record, account } of rows) {
        store.records.delete(c, record.id, account);
        emit(event('record.deleted', c, record, account, ctx));
      }
      return rows.length;
    });
    return { deleted };
  });
}
