import { evaluateFilter } from '../../shared/filter';
import type { Collection } from '../../shared/schema';
import { isAdmin } from '../auth/principal';
import { callerContext, canView } from '../auth/rules';
import type { LiveEvent, Match, Subscription } from './types';

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
  seen: Map<string, boolean> = new Map(),
): Match | undefined | null {
  const p = sub.conn.principal;
  if (ev.type.startsWith('user.')) {
    return sub.presence && (p?.superuser || p?.account === ev.account) ? undefined : null;
  }
  if (ev.type.startsWith('collection.')) {
    return isAdmin(p) && (sub.collection === '*' || !sub.events || sub.events.has(ev.type))
      ? undefined
      : null;
  }
  if (sub.events && !sub.events.has(ev.type)) return null;
  if (sub.recordId !== undefined && ev.record_id !== sub.recordId) return null;
  const ctx = callerContext(p);
  // The view rule depends only on the caller and the record: decided once per caller per event
  // (`seen` lives for one fan-out), however many of that caller's connections subscribe.
  const who = p ? `${p.kind}:${p.id}` : 'anonymous';
  const view = (r: Record<string, unknown> | undefined, which: 'data' | 'previous') => {
    const key = `${who}|${which}`;
    let ok = seen.get(key);
    if (ok === undefined) seen.set(key, (ok = canView(p, c, ev.account, r)));
    return ok;
  };
  const inFilter = (r: Record<string, unknown> | undefined, which: 'data' | 'previous') =>
    !!r && view(r, which) && (!sub.filter || evaluateFilter(sub.filter, r, ctx));
  if (ev.type === 'record.updated') {
    const visible = view(ev.data, 'data');
    const now = visible && (!sub.filter || evaluateFilter(sub.filter, ev.data!, ctx));
    const was = inFilter(ev.previous, 'previous');
    // 'enter' also marks a record that just became visible to an unfiltered subscriber.
    if (now) return was ? (sub.filter ? 'stay' : undefined) : 'enter';
    if (!was || !sub.leaves) return null;
    // Out of sight (e.g. unpublished under a {"published":true} view rule): the kiosk must drop it.
    return visible ? 'leave' : 'hide';
  }
  if (!inFilter(ev.data, 'data')) return null;
  if (!sub.filter) return undefined;
  return ev.type === 'record.created' ? 'enter' : 'leave';
}
