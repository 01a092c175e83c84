import { explainFilter, filterToJson } from '../../shared/filter/explain';
import type { FilterNode } from '../../shared/filter';
import type {
  ExplainClause,
  ExplainConnection,
  ExplainReasonCode,
  ExplainSubscription,
} from '../../shared/monitor';
import type { Collection } from '../../shared/schema';
import { accountScope, isAdmin, inScope } from '../auth/principal';
import { callerContext, ruleAccess } from '../auth/rules';
import { matchEvent, newViewCache, type ViewCache } from './match';
import { accountOf } from './monitor-describe';
import type { Connection, LiveEvent, Subscription } from './types';

function clause(
  node: FilterNode,
  record: Record<string, unknown>,
  ctx: ReturnType<typeof callerContext>,
): ExplainClause {
  const e = explainFilter(node, record, ctx);
  const out: ExplainClause = { expression: filterToJson(e.node), path: e.path, value: e.value };
  if (e.actual !== undefined) out.actual = e.actual;
  return out;
}

const says = (c: ExplainClause) => `${JSON.stringify(c.expression)} is ${c.value}`;

/** What one explain computes once and shares across connections: view decisions, rule clauses, encodings. */
export interface ExplainScope {
  views: ViewCache;
  /** View-rule verdicts by caller (`${kind}:${id}` or anonymous). */
  rules: Map<string, Omit<ExplainSubscription, 'key' | 'collection' | 'delivered'> | null>;
  /** Whether a shape's frame for a match is empty, by `${shape}|${match}`. */
  empty: Map<string, boolean>;
}

export const newExplainScope = (): ExplainScope => ({
  views: newViewCache(),
  rules: new Map(),
  empty: new Map(),
});

/** Why the matcher said no, step by step in the matcher's own order. */
type Why = Omit<ExplainSubscription, 'key' | 'collection' | 'delivered'>;

/** The collection's view rule for the subscriber on this record (null: it may see it). */
function viewRule(sub: Subscription, ev: LiveEvent, c: Collection | undefined): Why | null {
  const p = sub.conn.principal;
  if (!c) return { reason: 'view_rule', message: `Collection '${ev.collection}' is not known here.` };
  const a = ruleAccess(p, c, 'view');
  if (!a.allowed) return { reason: 'view_rule', message: `View rule denied: ${a.reason}` };
  if (!a.filter) return null;
  const ctx = callerContext(p);
  const update = ev.type === 'record.updated' && ev.previous;
  const after = clause(a.filter, ev.data ?? {}, ctx);
  const before = update ? clause(a.filter, ev.previous!, ctx) : undefined;
  if (after.value || before?.value) return null;
  return {
    reason: 'view_rule',
    message: `View rule denied: ${says(after)}${before ? ' before and after the change' : ''}.`,
    clause: after,
    ...(before ? { before, after } : {}),
  };
}

function whyNot(sub: Subscription, ev: LiveEvent, c: Collection | undefined, x: ExplainScope): Why {
  const p = sub.conn.principal;
  const no = (reason: ExplainReasonCode, message: string, extra: Partial<ExplainSubscription> = {}) => ({
    reason,
    message,
    ...extra,
  });
  if (ev.type.startsWith('user.')) {
    if (!sub.presence) return no('not_presence', 'This subscription does not take presence events.');
    return no(
      'account',
      `The user is in account '${ev.account}', the subscriber in '${accountOf(sub.conn)}'.`,
    );
  }
  if (ev.type.startsWith('collection.')) {
    if (!isAdmin(p) || !inScope(p, ev.collection!))
      return no('admins_only', 'Schema events reach admins only.');
    return no('operation_filtered', `This subscription does not take ${ev.type}.`);
  }
  if (sub.collection !== '*' && sub.collection !== ev.collection)
    return no('not_subscribed', `Subscribed to '${sub.collection}', not '${ev.collection}'.`);
  if (sub.events && !sub.events.has(ev.type))
    return no('operation_filtered', `Its operations (${[...sub.events].join(', ')}) leave out ${ev.type}.`);
  if (sub.recordId !== undefined && ev.record_id !== sub.recordId)
    return no('other_record', `It follows record '${sub.recordId}', not '${ev.record_id}'.`);
  const scope = accountScope(p);
  if (scope !== null && scope !== ev.account)
    return no('account', `The record is in account '${ev.account}', the subscriber in '${scope}'.`);
  const who = p ? `${p.kind}:${p.id}` : 'anonymous';
  let rule = x.rules.get(who);
  if (rule === undefined) x.rules.set(who, (rule = viewRule(sub, ev, c)));
  if (rule) return rule;
  const ctx = callerContext(p);
  const update = ev.type === 'record.updated' && ev.previous;
  if (sub.filter) {
    const after = clause(sub.filter, ev.data ?? {}, ctx);
    const before = update ? clause(sub.filter, ev.previous!, ctx) : undefined;
    const where = before
      ? before.value
        ? `before the change (${says(before)}); after it ${says(after)} and the subscription takes no leaves`
        : `before (${says(before)}) and after (${says(after)}) the change`
      : `(${says(after)})`;
    return no('filter', `Filter clause ${after.path || '(whole filter)'} false ${where}.`, {
      clause: before && !before.value && after.value ? before : after,
      ...(before ? { before, after } : {}),
    });
  }
  return no('view_rule', 'The record was not visible to the subscriber before or after the change.');
}

/** How `ev` goes for one subscription: the hub's matcher decides, the steps above say why. */
export function explainSubscription(
  sub: Subscription,
  ev: LiveEvent,
  c: Collection | undefined,
  x: ExplainScope = newExplainScope(),
): ExplainSubscription {
  const head = { key: sub.key, collection: sub.collection };
  const wrongCollection =
    !ev.type.startsWith('user.') &&
    !ev.type.startsWith('collection.') &&
    sub.collection !== '*' &&
    sub.collection !== ev.collection;
  const wrongPresence =
    ev.type.startsWith('user.') && sub.collection !== 'presence' && sub.collection !== '*';
  const match = wrongCollection || wrongPresence ? null : matchEvent(sub, ev, c, x.views);
  if (match === null) return { ...head, delivered: false, ...whyNot(sub, ev, c, x) };
  const shape = `${sub.shape}|${match ?? ''}`;
  let empty = x.empty.get(shape);
  if (empty === undefined) x.empty.set(shape, (empty = sub.encode(ev, match) === null));
  if (empty)
    return {
      ...head,
      delivered: false,
      reason: 'encoded_to_nothing',
      message: `The ${sub.conn.transport.dialect} dialect sends no frame for ${ev.type}.`,
    };
  const out: ExplainSubscription = {
    ...head,
    delivered: true,
    reason: 'delivered',
    message: match ? `Delivered (${match}).` : 'Delivered.',
  };
  if (match) out.match = match;
  return out;
}

/** One connection's verdict: every subscription's. */
export function explainConnection(
  conn: Connection,
  ev: LiveEvent,
  c: Collection | undefined,
  instance: string,
  x: ExplainScope = newExplainScope(),
): ExplainConnection {
  const subscriptions = [...conn.subs.values()].map((s) => explainSubscription(s, ev, c, x));
  return {
    connection: conn.id,
    instance,
    dialect: conn.transport.dialect,
    account: accountOf(conn),
    user_id: conn.principal?.id ?? null,
    email: conn.principal?.email ?? null,
    delivered: subscriptions.some((s) => s.delivered),
    subscriptions,
  };
}
