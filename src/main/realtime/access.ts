import { evaluateFilter } from '../../shared/filter';
import type { Collection } from '../../shared/schema';
import { accountScope, type Principal } from '../auth/principal';
import { ruleAccess } from '../auth/rules';

/** `@user.*` as the filter language sees a caller. */
export function callerContext(p: Principal | null) {
  return { user: p ? { id: p.id, email: p.email, role: p.role, account: p.account } : null };
}

/** Whether a caller may see a record of an account: same account, and the view rule allows it. */
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
