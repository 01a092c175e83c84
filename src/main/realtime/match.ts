import { evaluateFilter } from '../../shared/filter';
import type { Collection } from '../../shared/schema';
import { inScope, isAdmin, type Principal } from '../auth/principal';
import { callerContext, canView } from '../auth/rules';
import type { LiveEvent, Match, Subscription } from './types';

/**
 * View-rule decisions for one event's fan-out, by caller: the rule depends only on the caller
 * and the record, so it is decided once per caller per event however many of that caller's
 * connections subscribe.
 */
export interface ViewCache {
  data: Map<string, boolean>;
  previous: Map<string, boolean>;
  /** Why the last `matchEvent` returned null (a {@link MISS} value): counted, never allocated. */
  miss: number;
}

/** Why an event is not for a subscription, as fan-out counts it. */
export const MISS = {
  /** The view rule or the account keeps the record from the subscriber. */
  rule: 1,
  /** The subscription's filter, operation list or record id leaves the event out. */
  filter: 2,
  /** Schema or presence events for a subscription that does not take them. */
  other: 3,
} as const;

export const newViewCache = (): ViewCache => ({ data: new Map(), previous: new Map(), miss: 0 });

const callerKeys = new WeakMap<Principal, string>();

/** A caller's identity for the view cache, computed once per principal. */
function callerKey(p: Principal | null): string {
  if (!p) return 'anonymous';
  let k = callerKeys.get(p);
  if (k === undefined) callerKeys.set(p, (k = `${p.kind}:${p.id}`));
  return k;
}

function canViewCached(
  cache: Map<string, boolean>,
  p: Principal | null,
  c: Collection | undefined,
  account: string,
  r: Record<string, unknown> | undefined,
): boolean {
  if (!r) return false;
  const who = callerKey(p);
  let ok = cache.get(who);
  if (ok === undefined) cache.set(who, (ok = canView(p, c, account, r)));
  return ok;
}

/**
 * Whether an event is for a subscription, and how: null, not for it; undefined, deliver
 * without a match; else the live-query match. Record events pass the collection's view
 * rule within the subscriber's account, then the subscription's own filter; an update is
 * judged before and after, so a subscriber learns when a record enters, stays or leaves.
 */
export function matchEvent(
  sub: Subscription,
  ev: LiveEvent,
  c: Collection | undefined,
  views: ViewCache = newViewCache(),
): Match | undefined | null {
  const p = sub.conn.principal;
  if (ev.type.startsWith('user.')) {
    if (sub.presence && (p?.superuser || p?.account === ev.account)) return undefined;
    views.miss = MISS.other;
    return null;
  }
  if (ev.type.startsWith('collection.')) {
    if (
      isAdmin(p) &&
      inScope(p, ev.collection!) &&
      (sub.collection === '*' || !sub.events || sub.events.has(ev.type))
    )
      return undefined;
    views.miss = MISS.other;
    return null;
  }
  if (
    (sub.events && !sub.events.has(ev.type)) ||
    (sub.recordId !== undefined && ev.record_id !== sub.recordId)
  ) {
    views.miss = MISS.filter;
    return null;
  }
  const filter = sub.filter;
  const visible = canViewCached(views.data, p, c, ev.account, ev.data);
  if (ev.type === 'record.updated') {
    const ctx = filter && callerContext(p);
    const now = visible && (!filter || evaluateFilter(filter, ev.data!, ctx!));
    const wasVisible = canViewCached(views.previous, p, c, ev.account, ev.previous);
    const was = wasVisible && (!filter || evaluateFilter(filter, ev.previous!, ctx!));
    // 'enter' also marks a record that just became visible to an unfiltered subscriber.
    if (now) return was ? (filter ? 'stay' : undefined) : 'enter';
    if (!was || !sub.leaves) {
      views.miss = !visible && !wasVisible ? MISS.rule : MISS.filter;
      return null;
    }
    // Out of sight (e.g. unpublished under a {"published":true} view rule): the kiosk must drop it.
    return visible ? 'leave' : 'hide';
  }
  if (!visible) {
    views.miss = MISS.rule;
    return null;
  }
  if (!filter) return undefined;
  if (!evaluateFilter(filter, ev.data!, callerContext(p))) {
    views.miss = MISS.filter;
    return null;
  }
  return ev.type === 'record.created' ? 'enter' : 'leave';
}
