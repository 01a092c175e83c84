import { evaluateFilter, type FilterNode } from '../../../shared/filter';
import type { Collection, RecordData, RuleOp } from '../../../shared/schema';
import { accountScope, type Principal } from '../../auth/principal';
import { callerContext, ruleAccess } from '../../auth/rules';
import type { Store } from '../../store';
import type { IfMatch } from '../../store/errors';
import type { Held, RecordQuery, WriteContext } from '../../store/records';
import { denied } from '../guards';
import type { Ctx } from '../router';

/** The records a caller may reach that match every filter: their account's (every account's for the superuser). */
export function recordQuery(p: Principal | null, filters: (FilterNode | undefined)[]): RecordQuery {
  return { account: accountScope(p), filters, caller: callerContext(p) };
}

/** Who writes, for the store's events: the caller and the request's trace id. */
export const writeContext = (ctx: Ctx): WriteContext => ({ actor: ctx.principal?.id, traceId: ctx.traceId });

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
 * The account whose record `id` names: the caller's (other accounts' records do not exist for
 * them), or for the superuser, who sees every account, the one named with `?account=`, else
 * null (whichever holds the id; the store refuses when several do).
 */
export function targetAccount(ctx: Ctx): string | null {
  return accountScope(ctx.principal) ?? ctx.url.searchParams.get('account');
}

/** A record the caller's account holds (see `targetAccount`), else 404. */
export function loadRecord(store: Store, ctx: Ctx, c: Collection, id = ctx.params.id!): Held {
  return store.records.find(c, id, targetAccount(ctx));
}

/** A record's entity tag: its `updated_at`, which strictly increases with every write to it. */
export const etag = (r: RecordData): string => `"${r.updated_at}"`;

/** The `ETag` header for a record answer. */
export const etagHeader = (r: RecordData): Record<string, string> => ({ etag: etag(r) });

/**
 * The versions `If-Match` accepts, for the store to check in the write's transaction. Absent
 * or `*` (any existing record): no condition. Weak tags (`W/"…"`) never match (RFC 9110
 * compares If-Match strongly). A mismatch is 412 with the current record when the caller may
 * view it, so the console can show what changed.
 */
export function ifMatchOf(ctx: Ctx): IfMatch | undefined {
  const header = ctx.req.headers['if-match'];
  if (header === undefined) return undefined;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return undefined;
  // note: a bare updated_at (no quotes) is accepted too; scripts often leave the quotes out.
  const versions = tags.map((t) =>
    t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t,
  );
  return { versions, given: header };
}

/**
 * How many records of a collection the caller may list: its account's (every account's for
 * the superuser) that match the list rule; null when the list rule refuses the caller.
 */
export function visibleCount(store: Store, p: Principal | null, c: Collection): number | null {
  const a = ruleAccess(p, c, 'list');
  return a.allowed ? store.records.count(c, recordQuery(p, [a.filter])) : null;
}
