import { evaluateFilter, parseFilter, type FilterContext, type FilterNode } from '../../shared/filter';
import type { Collection, RuleOp } from '../../shared/schema';
import { fieldTypes } from '../store/collections';
import { accountScope, isAdmin, type Principal } from './principal';

/** The outcome of a rule check: denied, allowed, or allowed for records matching a filter. */
export type Access = { allowed: false; reason: string } | { allowed: true; filter?: FilterNode };

const parsed = new WeakMap<Collection, Partial<Record<RuleOp, FilterNode>>>();

function ruleFilter(c: Collection, op: RuleOp): FilterNode {
  let byOp = parsed.get(c);
  if (!byOp) parsed.set(c, (byOp = {}));
  return (byOp[op] ??= parseFilter(c.rules[op], fieldTypes(c)));
}

const WRITE_OPS: readonly RuleOp[] = ['create', 'update', 'delete'];

/**
 * What a caller may do on a collection. Roles cap rules (a viewer never writes), admins
 * of an account pass every rule within it, and an API key may be limited to collections.
 */
export function ruleAccess(p: Principal | null, c: Collection, op: RuleOp): Access {
  if (p?.collections && !p.collections.includes(c.name)) {
    return { allowed: false, reason: `This key may not use collection '${c.name}'.` };
  }
  if (p?.role === 'viewer' && !p.superuser && WRITE_OPS.includes(op)) {
    return { allowed: false, reason: 'Viewers may not change records.' };
  }
  if (isAdmin(p)) return { allowed: true };
  const rule = c.rules[op];
  if (rule === 'public') return { allowed: true };
  if (rule === 'auth') return p ? { allowed: true } : { allowed: false, reason: 'Sign in to do this.' };
  if (rule === 'admin') return { allowed: false, reason: `Only admins may ${op} in '${c.name}'.` };
  return { allowed: true, filter: ruleFilter(c, op) };
}

/** `@user.*` as the filter language sees a caller. */
export function callerContext(p: Principal | null): FilterContext {
  return { user: p ? { id: p.id, email: p.email, role: p.role, account: p.account } : null };
}

/**
 * Whether a caller may see a record of an account: same account (the superuser sees all),
 * and the collection's view rule allows it. REST's event log and realtime both ask this.
 */
export function canView(
  p: Principal | null,
  c: Collection | undefined,
  account: string,
  record: Record<string, unknown> | undefined,
): boolean {
  if (!c || !record) return false;
  const scope = accountScope(p);
  if (scope !== null && scope !== account) return false;
  const a = ruleAccess(p, c, 'view');
  return a.allowed && (!a.filter || evaluateFilter(a.filter, record, callerContext(p)));
}
