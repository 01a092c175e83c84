import { explainFilter, filterToJson } from '../../../shared/filter/explain';
import { FilterError, parseFilter, type FilterNode } from '../../../shared/filter';
import { checkRecord } from '../../../shared/record-validation';
import { RULE_OPS, type Collection, type Rule, type RuleOp } from '../../../shared/schema';
import {
  accountScope,
  isAdmin,
  keyPrincipal,
  PUBLIC_ACCOUNT,
  userPrincipal,
  type Principal,
} from '../../auth/principal';
import { callerContext } from '../../auth/rules';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { fieldTypes } from '../../store/collections';
import { objectBody, requireAdmin } from '../guards';
import type { Router } from '../router';
import { loadRecord, recordQuery } from './record-helpers';

/** What decided a rule check. */
type DecidedBy = {
  kind: 'public' | 'auth' | 'admin' | 'filter' | 'account' | 'superuser' | 'role' | 'scope';
  clause?: { expression: Record<string, unknown>; value: boolean; actual?: unknown };
  path?: string;
};

type Verdict = { allowed: boolean; decided_by: DecidedBy; reason: string };

const WRITE_OPS: readonly RuleOp[] = ['create', 'update', 'delete'];

/**
 * `POST /api/v1/collections/{name}/rules/check`: would this caller be allowed? The console's
 * rule dry run. It follows `ruleAccess` step by step and says which step (and for a filter,
 * which clause) decided. Admins of an account check their account's users and keys; the
 * superuser anyone's; a collection-scoped key only its own collections.
 */
export function ruleCheckRoutes(router: Router, store: Store): void {
  router.on('POST', '/api/v1/collections/:name/rules/check', async (ctx) => {
    const p = requireAdmin(ctx);
    if (p.collections && !p.collections.includes(ctx.params.name!))
      throw notFound(`Collection '${ctx.params.name}'`);
    const c = store.collections.require(ctx.params.name!);
    const body = await objectBody(ctx);
    const errors: Record<string, string> = {};
    const op = body.rule as RuleOp;
    if (!RULE_OPS.includes(op)) errors.rule = `must be one of ${RULE_OPS.join(', ')}`;
    if (body.record_id !== undefined && typeof body.record_id !== 'string')
      errors.record_id = 'must be a record id (text)';
    if (
      body.record !== undefined &&
      (typeof body.record !== 'object' || body.record === null || Array.isArray(body.record))
    )
      errors.record = 'must be an object of field values';
    const unknown = Object.keys(body).filter(
      (k) => !['rule', 'expression', 'as', 'record_id', 'record'].includes(k),
    );
    for (const k of unknown) errors[k] = 'unknown key (use rule, expression, as, record_id, record)';
    if (Object.keys(errors).length) throw validationError(errors);

    const rule: Rule = body.expression !== undefined ? (body.expression as Rule) : c.rules[op];
    const filter = parseRule(c, rule, body.expression !== undefined);
    const target = resolveAs(store, p, body.as);
    const stored = typeof body.record_id === 'string' ? loadRecord(store, ctx, c, body.record_id) : undefined;
    const given =
      body.record === undefined ? undefined : checkedRecord(c, op, body.record as Record<string, unknown>);

    const verdict = decide(store, c, op, rule, filter, target, stored, given);
    return {
      allowed: verdict.allowed,
      rule,
      decided_by: verdict.decided_by,
      reason: verdict.reason,
      as: target
        ? {
            kind: target.kind,
            id: target.id,
            role: target.role,
            account: target.account,
            superuser: target.superuser,
          }
        : { anonymous: true, account: PUBLIC_ACCOUNT },
    };
  });
}

function parseRule(c: Collection, rule: Rule, given: boolean): FilterNode | undefined {
  if (rule === 'public' || rule === 'auth' || rule === 'admin') return undefined;
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule))
    throw validationError({ expression: 'must be "public", "auth", "admin" or a filter object' });
  try {
    return parseFilter(rule, fieldTypes(c));
  } catch (e) {
    if (e instanceof FilterError)
      throw new AppError(400, 'invalid_filter', `${given ? 'expression' : 'The saved rule'}: ${e.message}`, {
        path: e.path,
      });
    throw e;
  }
}

/** The principal to check as, from `as`; the caller when absent. Other accounts' users and keys are 404. */
function resolveAs(store: Store, caller: Principal, as: unknown): Principal | null {
  if (as === undefined) return caller;
  if (typeof as !== 'object' || as === null || Array.isArray(as) || Object.keys(as).length !== 1)
    throw validationError({ as: 'must be one of {user_id}, {key_id} or {anonymous: true}' });
  const a = as as Record<string, unknown>;
  const mine = (account: string) => caller.superuser || account === caller.account;
  if (a.anonymous === true) return null;
  if (typeof a.user_id === 'string') {
    const u = store.users.get(a.user_id);
    // note: the superuser is invisible to everyone else, as in /users.
    if (!u || !mine(u.account) || (u.superuser && !caller.superuser)) throw notFound(`User '${a.user_id}'`);
    return userPrincipal(u);
  }
  if (typeof a.key_id === 'string') {
    const k = store.keys.get(a.key_id);
    if (!k || !mine(k.account)) throw notFound(`API key '${a.key_id}'`);
    return keyPrincipal(k);
  }
  throw validationError({ as: 'must be one of {user_id}, {key_id} or {anonymous: true}' });
}

/** A hypothetical record's values as a write would store them (dates normalised; create applies defaults). */
function checkedRecord(c: Collection, op: RuleOp, input: Record<string, unknown>): Record<string, unknown> {
  const { id, created_at, updated_at, ...fields } = input;
  const { value, errors } = checkRecord(c.fields, fields, op === 'create' ? 'create' : 'update');
  // A partial record is fine for a dry run: missing required fields only matter to a real write.
  const bad = Object.entries(errors).filter(([, m]) => m !== 'is required');
  if (bad.length) throw validationError(Object.fromEntries(bad.map(([k, m]) => [`record.${k}`, m])));
  const system = Object.entries({ id, created_at, updated_at }).filter(([, v]) => typeof v === 'string');
  return { ...Object.fromEntries(system), ...value };
}

function who(p: Principal | null): string {
  if (!p) return 'An anonymous caller';
  return p.kind === 'key' ? `API key '${p.id}' (${p.role})` : `${p.email ?? p.id} (${p.role})`;
}

function decide(
  store: Store,
  c: Collection,
  op: RuleOp,
  rule: Rule,
  filter: FilterNode | undefined,
  p: Principal | null,
  stored: { record: Record<string, unknown>; account: string } | undefined,
  given: Record<string, unknown> | undefined,
): Verdict {
  const w = who(p);
  if (p?.collections && !p.collections.includes(c.name))
    return {
      allowed: false,
      decided_by: { kind: 'scope' },
      reason: `${w} is limited to collections ${p.collections.join(', ')}.`,
    };
  if (p?.role === 'viewer' && !p.superuser && WRITE_OPS.includes(op))
    return {
      allowed: false,
      decided_by: { kind: 'role' },
      reason: `${w} is a viewer; viewers may not ${op} records.`,
    };
  const scope = accountScope(p);
  if (stored && scope !== null && stored.account !== scope)
    return {
      allowed: false,
      decided_by: { kind: 'account' },
      reason: `The record belongs to account '${stored.account}'; ${w} works in account '${scope}' and cannot see it.`,
    };
  if (p?.superuser)
    return {
      allowed: true,
      decided_by: { kind: 'superuser' },
      reason: `${w} is the superuser; rules do not apply.`,
    };
  if (isAdmin(p))
    return {
      allowed: true,
      decided_by: { kind: 'admin' },
      reason: `${w} is an admin of account '${p!.account}'; admins pass every rule in their account.`,
    };
  if (rule === 'public')
    return {
      allowed: true,
      decided_by: { kind: 'public' },
      reason: `The ${op} rule is "public": anyone may ${op}.`,
    };
  if (rule === 'auth')
    return p
      ? {
          allowed: true,
          decided_by: { kind: 'auth' },
          reason: `The ${op} rule is "auth" and ${w} is signed in.`,
        }
      : { allowed: false, decided_by: { kind: 'auth' }, reason: `The ${op} rule is "auth": sign in first.` };
  if (rule === 'admin' || !filter)
    return {
      allowed: false,
      decided_by: { kind: 'admin' },
      reason: `The ${op} rule is "admin" and ${w} is not an admin.`,
    };

  const ctx = callerContext(p);
  // Updates are checked on the record before and after the change, as PATCH does.
  const candidates: [string, Record<string, unknown>][] = [];
  if (stored) candidates.push([op === 'update' && given ? 'before the change' : 'the record', stored.record]);
  if (given)
    candidates.push([
      stored ? 'after the change' : 'the record',
      stored ? { ...stored.record, ...given } : given,
    ]);
  if (candidates.length === 0) {
    const n = store.records.count(c, recordQuery(p, [filter]));
    const of = store.records.count(c, recordQuery(p, []));
    return {
      allowed: true,
      decided_by: { kind: 'filter' },
      reason: `The ${op} rule is a filter: ${w} may ${op} the records it matches (${n} of the ${of} in account '${scope ?? p?.account}' now); give record_id or record to test one.`,
    };
  }
  for (const [label, record] of candidates) {
    const e = explainFilter(filter, record, ctx);
    const clause = {
      expression: filterToJson(e.node),
      value: e.value,
      ...('actual' in e ? { actual: e.actual } : {}),
    };
    const decided_by: DecidedBy = { kind: 'filter', clause, ...(e.path ? { path: e.path } : {}) };
    if (!e.value)
      return {
        allowed: false,
        decided_by,
        reason: `The ${op} rule's filter does not match ${label} for ${w}: ${JSON.stringify(clause.expression)} is false.`,
      };
    if (label === candidates.at(-1)![0])
      return {
        allowed: true,
        decided_by,
        reason: `The ${op} rule's filter matches ${label} for ${w}: ${JSON.stringify(clause.expression)} is true.`,
      };
  }
  throw new Error('unreachable');
}
