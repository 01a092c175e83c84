import type { HubEvent } from '../../shared/events';
import type { MonitorReplayResult, MonitorReplaySkipped } from '../../shared/monitor-history';
import type { Collection } from '../../shared/schema';
import type { Hub } from './hub';
import { matchEvent, MISS, newViewCache } from './match';
import type { Connection, LiveEvent, Subscription } from './types';

// note: events sent per turn of the event loop; between pages the socket drains and other work runs.
export const REPLAY_TURN = 100;

type Reason = keyof MonitorReplaySkipped;
/** When several subscriptions skip an event for different reasons, the first of these names it. */
const RANK: Reason[] = ['rule', 'filter', 'other', 'not_subscribed'];
const worse = (a: Reason | undefined, b: Reason): Reason =>
  a === undefined || RANK.indexOf(b) < RANK.indexOf(a) ? b : a;

/** Whether live fan-out would look at `sub` for `ev` (the hub's index: the collection, `*`, presence). */
function candidate(sub: Subscription, ev: HubEvent): boolean {
  if (ev.type.startsWith('user.')) return sub.collection === 'presence' || sub.collection === '*';
  return sub.collection === '*' || sub.collection === ev.collection;
}

/** A replay's answer on the instance that holds the connection; the route adds the range it read. */
export type ReplayOutcome = Omit<MonitorReplayResult, 'from_seq' | 'to_seq'>;

/**
 * Sends past events to one connection as the live fan-out would have: each subscription in the
 * fan-out's order (its collection's, then `*`), the same matcher and view-rule decision, the
 * subscription's own dialect encoder. The frames carry no seq, so no resume cursor moves (see
 * MonitorReplayResult). Subscriptions are judged as they are now.
 */
export async function replayInto(
  hub: Hub,
  conn: Connection,
  events: readonly HubEvent[],
  collection: (name: string) => Collection | undefined,
  instance: string,
): Promise<ReplayOutcome> {
  const result: ReplayOutcome = {
    connection: conn.id,
    instance,
    dialect: conn.transport.dialect,
    events: events.length,
    sent: 0,
    delivered: 0,
    skipped: { rule: 0, filter: 0, not_subscribed: 0, other: 0 },
  };
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && i % REPLAY_TURN === 0) await new Promise((r) => setImmediate(r));
    if (conn.closed) {
      result.interrupted = events.length - i;
      break;
    }
    const ev = events[i]!;
    const { seq: _seq, ...unsequenced } = ev;
    const live: LiveEvent = unsequenced;
    const c = ev.collection ? collection(ev.collection) : undefined;
    const views = newViewCache();
    const subs = [...conn.subs.values()].sort(
      (a, b) => Number(a.collection === '*') - Number(b.collection === '*'),
    );
    let why: Reason | undefined;
    let frames = 0;
    for (const sub of subs) {
      if (!candidate(sub, ev)) {
        why = worse(why, 'not_subscribed');
        continue;
      }
      const match = matchEvent(sub, ev, c, views);
      if (match === null) {
        why = worse(why, views.miss === MISS.rule ? 'rule' : views.miss === MISS.filter ? 'filter' : 'other');
        continue;
      }
      const encoded = sub.encode(live, match);
      if (encoded === null) {
        why = worse(why, 'other');
        continue;
      }
      if (hub.sendEncoded(conn, encoded)) frames++;
    }
    if (frames > 0) {
      result.delivered++;
      result.sent += frames;
    } else if (!conn.closed) result.skipped[why ?? 'not_subscribed']++;
    else {
      result.interrupted = events.length - i;
      break;
    }
  }
  return result;
}
