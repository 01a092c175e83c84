import { checkCollection } from '../../../shared/collection-validation';
import type { Collection } from '../../../shared/schema';
import type { Principal } from '../../auth/principal';
import { inScope, isAdmin } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { objectBody, requireAdmin, requireAuth } from '../guards';
import { reply, type Ctx, type Router } from '../router';
import { visibleCount } from './record-helpers';

/** Collections are shared schema: every signed-in caller may read them, admins change them. */
export function collectionRoutes(router: Router, store: Store): void {
  const schemaEvent = (
    type: 'collection.created' | 'collection.updated' | 'collection.deleted',
    c: Collection,
    ctx: Ctx,
  ) => ({
    type,
    collection: c.name,
    data: c as unknown as Record<string, unknown>,
    account: ctx.principal!.account,
    actor: ctx.principal!.id,
    timestamp: new Date().toISOString(),
    trace_id: ctx.traceId,
  });

  /** A collection the caller may know of: a collection-scoped key sees only its own (others 404). */
  const visibleCollection = (p: Principal, name: string): Collection => {
    if (!inScope(p, name)) throw notFound(`Collection '${name}'`);
    return store.collections.require(name);
  };

  router.on('GET', '/api/v1/collections', (ctx) => {
    const p = requireAuth(ctx);
    const items = store.collections
      .list()
      .filter((c) => inScope(p, c.name))
      .map((c) => ({ ...c, count: visibleCount(store, p, c) }));
    // note: non-admins see names and fields (to build a UI), not the rules that guard them.
    return { items: isAdmin(p) ? items : items.map(({ rules: _r, ...c }) => c) };
  });

  router.on('GET', '/api/v1/collections/:name', (ctx) => {
    const p = requireAuth(ctx);
    const c = visibleCollection(p, ctx.params.name!);
    if (isAdmin(p)) return c as unknown as Record<string, unknown>;
    const { rules: _r, ...rest } = c;
    return rest;
  });

  router.on('POST', '/api/v1/collections', async (ctx) => {
    const p = requireAdmin(ctx);
    const input = checkCollection(await objectBody(ctx), 'create');
    if (Object.keys(input.errors).length) throw validationError(input.errors);
    if (!inScope(p, input.name!))
      throw new AppError(403, 'forbidden', `This API key may not create collection '${input.name}'.`);
    const c = store.mutateSchema((emit) => {
      const created = store.collections.create(
        { name: input.name!, fields: input.fields!, rules: input.rules },
        ctx.principal!.id,
      );
      emit(schemaEvent('collection.created', created, ctx));
      return created;
    });
    return reply(201, c);
  });

  /**
   * Schema is shared: an account admin may not change a collection that holds other accounts'
   * records, and a collection-scoped key may change only its own collections.
   */
  function requireOwnData(ctx: Ctx): void {
    const p = requireAdmin(ctx);
    const c = visibleCollection(p, ctx.params.name!);
    if (!p.superuser && store.records.hasOtherAccounts(c, p.account)) {
      throw new AppError(
        403,
        'forbidden',
        `Collection '${c.name}' holds records of other accounts; only the superuser may change it.`,
      );
    }
  }

  router.on('PATCH', '/api/v1/collections/:name', async (ctx) => {
    requireOwnData(ctx);
    const input = checkCollection(await objectBody(ctx), 'update');
    if (Object.keys(input.errors).length) throw validationError(input.errors);
    // note: a key's scope names its collections; a rename would carry the collection out of it.
    if (ctx.principal!.collections && input.name !== undefined && input.name !== ctx.params.name)
      throw new AppError(403, 'forbidden', 'A collection-scoped API key may not rename its collections.');
    return store.mutateSchema((emit) => {
      const { before, after } = store.collections.update(ctx.params.name!, input, ctx.principal!.id);
      emit({
        ...schemaEvent('collection.updated', after, ctx),
        previous: before as unknown as Record<string, unknown>,
      });
      return after as unknown as Record<string, unknown>;
    });
  });

  router.on('DELETE', '/api/v1/collections/:name', (ctx) => {
    requireOwnData(ctx);
    store.mutateSchema((emit) => {
      const dropped = store.collections.drop(ctx.params.name!, ctx.principal!.id);
      emit(schemaEvent('collection.deleted', dropped, ctx));
    });
    return reply(204);
  });
}
