import { compileFilter, evaluateFilter, type FilterNode } from '../../../shared/filter';
import type { Collection, RecordData, RuleOp } from '../../../shared/schema';
import { accountScope, type Principal } from '../../auth/principal';
import { callerContext, ruleAccess } from '../../auth/rules';
import { AppError, notFound } from '../../errors';
import type { Store } from '../../store';
import { sqlId } from '../../store/db';
import type { Where } from '../../store/records';
import { denied } from '../guards';
import type { Ctx } from '../router';

/** ANDs the account scope and any filters into one WHERE. */
export function buildWhere(p: Principal | null, filters: (FilterNode | undefined)[]): Where {
  const parts: string[] = [];
  const params: unknown[] = [];
  const scope = accountScope(p);
  if (scope !== null) {
    parts.push('account = ?');
    params.push(scope);
  }
  for (const f of filters) {
    if (!f) continue;
    const c = compileFilter(f, sqlId, callerContext(p));
    parts.push(`(${c.sql})`);
    params.push(...c.params);
  }
  return { sql: parts.length ? parts.join(' AND ') : '1', params };
}

/** The rule filter the caller's records must match for `op`, or 401/403 when the rule refuses outright. */
export function access(ctx: Ctx, c: Collection, op: RuleOp): FilterNode | undefined {
  const a = ruleAccess(ctx.principal, c, op);
  if (!a.allowed) throw denied(ctx, a.reason);
  return a.filter;
}

/** Whether a record passes a rule filter (no filter: it does). */
export function passes(
  rule: FilterNode | undefined,
  r: Record<string, unknown>,
  p: Principal | null,
): boolean {
  return !rule || evaluateFilter(rule, r, callerContext(p));
}

/**
 * A record the caller's account holds, else 404 (other accounts' records do not exist for
 * them). Ids are unique per account, so the superuser, who sees every account, names one
 * with `?account=` when several hold the id.
 */
export function loadRecord(
  store: Store,
  ctx: Ctx,
  c: Collection,
  id = ctx.params.id!,
): { record: RecordData; account: string } {
  const scope = accountScope(ctx.principal);
  const named = ctx.url.searchParams.get('account');
  if (scope !== null || named !== null) {
    const found = store.records.get(c, id, scope ?? named!);
    if (!found) throw notFound(`Record '${id}'`);
    return found;
  }
  const all = store.records.byId(c, id);
  if (all.length === 0) throw notFound(`Record '${id}'`);
  if (all.length > 1)
    throw new AppError(
      409,
      'conflict',
      `Accounts ${all.map((f) => `'${f.account}'`).join(', ')} each hold a record '${id}'; add ?account= to name one.`,
      { accounts: all.map((f) => f.account) },
    );
  return all[0]!;
}

/** A record's entity tag: its `updated_at`, which strictly increases with every write to it. */
export const etag = (r: RecordData): string => `"${r.updated_at}"`;

/** The `ETag` header for a record answer. */
export const etagHeader = (r: RecordData): Record<string, string> => ({ etag: etag(r) });

/**
 * Checks `If-Match` against the record's current version; call inside the mutation, so the
 * check and the write are one transaction. Absent: no check. `*`: any existing record. Weak
 * tags (`W/"…"`) never match (RFC 9110 compares If-Match strongly). A mismatch is 412 with the
 * current record when the caller may view it, so the console can show what changed.
 */
export function checkIfMatch(ctx: Ctx, c: Collection, current: RecordData): void {
  const header = ctx.req.headers['if-match'];
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const mine = etag(current);
  // note: a bare updated_at (no quotes) is accepted too; scripts often leave the quotes out.
  if (tags.some((t) => t === mine || `"${t}"` === mine)) return;
  const view = ruleAccess(ctx.principal, c, 'view');
  const visible = view.allowed && passes(view.filter, current, ctx.principal);
  throw new AppError(
    412,
    'precondition_failed',
    `Record '${current.id}' changed since you read it (If-Match ${header}, now ${mine}); reload it and try again.`,
    visible ? { current, etag: mine } : { etag: mine },
  );
}

/** A record event as the outbox stores it. */
export function recordEvent(
  type: 'record.created' | 'record.updated' | 'record.deleted',
  c: Collection,
  r: RecordData,
  account: string,
  ctx: Ctx,
) {
  return {
    type,
    collection: c.name,
    record_id: r.id,
    data: r,
    account,
    actor: ctx.principal?.id,
    timestamp: new Date().toISOString(),
    trace_id: ctx.traceId,
  };
}

/** Field -> error for relation values that name no record of the same account. */
export function relationErrors(
  store: Store,
  c: Collection,
  value: Record<string, unknown>,
  account: string,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of c.fields) {
    const v = value[f.name];
    if (f.type !== 'relation' || typeof v !== 'string') continue;
    const target = store.collections.get(f.collection!);
    if (!target || !store.records.exists(target, v, account))
      errors[f.name] = `no record '${v}' in '${f.collection}'`;
  }
  return errors;
}

/**
 * How many records of a collection the caller may list: its account's (every account's for
 * the superuser) that match the list rule; null when the list rule refuses the caller.
 */
export function visibleCount(store: Store, p: Principal | null, c: Collection): number | null {
  const a = ruleAccess(p, c, 'list');
  return a.allowed ? store.records.count(c, buildWhere(p, [a.filter])) : null;
}
