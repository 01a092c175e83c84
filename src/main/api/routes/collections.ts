import { checkCollection } from '../../../shared/collection-validation';
import type { Collection } from '../../../shared/schema';
import type { Principal } from '../../auth/principal';
import { inScope, isAdmin } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import type { SchemaWriteOptions } from '../../store/collections';
import { objectBody, requireAdmin, requireAuth } from '../guards';
import { reply, type Ctx, type Router } from '../router';
import { visibleCount } from './record-helpers';

/** Collections are shared schema: every signed-in caller may read them, admins change them. */
export function collectionRoutes(router: Router, store: Store): void {
  /** Who changes the schema, for the store's event: the admin, their account and the request. */
  const by = (ctx: Ctx): SchemaWriteOptions => ({
    account: ctx.principal!.account,
    actor: ctx.principal!.id,
    traceId: ctx.traceId,
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
    const c = store.collections.create(
      { name: input.name!, fields: input.fields!, rules: input.rules },
      by(ctx),
    );
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
    return store.collections.update(ctx.params.name!, input, by(ctx)) as unknown as Record<string, unknown>;
  });

  router.on('DELETE', '/api/v1/collections/:name', (ctx) => {
    requireOwnData(ctx);
    store.collections.drop(ctx.params.name!, by(ctx));
    return reply(204);
  });
}
