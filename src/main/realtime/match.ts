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
}

export const newViewCache = (): ViewCache => ({ data: new Map(), previous: new Map() });

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
    return sub.presence && (p?.superuser || p?.account === ev.account) ? undefined : null;
  }
  if (ev.type.startsWith('collection.')) {
    return isAdmin(p) &&
      inScope(p, ev.collection!) &&
      (sub.collection === '*' || !sub.events || sub.events.has(ev.type))
      ? undefined
      : null;
  }
  if (sub.events && !sub.events.has(ev.type)) return null;
  if (sub.recordId !== undefined && ev.record_id !== sub.recordId) return null;
  const filter = sub.filter;
  const visible = canViewCached(views.data, p, c, ev.account, ev.data);
  if (ev.type === 'record.updated') {
    const ctx = filter && callerContext(p);
    const now = visible && (!filter || evaluateFilter(filter, ev.data!, ctx!));
    const was =
      canViewCached(views.previous, p, c, ev.account, ev.previous) &&
      (!filter || evaluateFilter(filter, ev.previous!, ctx!));
    // 'enter' also marks a record that just became visible to an unfiltered subscriber.
    if (now) return was ? (filter ? 'stay' : undefined) : 'enter';
    if (!was || !sub.leaves) return null;
    // Out of sight (e.g. unpublished under a {"published":true} view rule): the kiosk must drop it.
    return visible ? 'leave' : 'hide';
  }
  if (!visible) return null;
  if (!filter) return undefined;
  if (!evaluateFilter(filter, ev.data!, callerContext(p))) return null;
  return ev.type === 'record.created' ? 'enter' : 'leave';
}
