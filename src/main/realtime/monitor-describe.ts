import {
  eventHeader,
  type FanoutFigures,
  type MonitorConnection,
  type MonitorConnectionCounters,
  type MonitorEventSummary,
  type MonitorSubscription,
} from '../../shared/monitor';
import { PUBLIC_ACCOUNT } from '../auth/principal';
import type { FanoutTally } from './hooks';
import type { Connection, LiveEvent, Subscription } from './types';

/** The account a connection belongs to (anonymous ones read the public account). */
export const accountOf = (c: Connection): string => c.principal?.account ?? PUBLIC_ACCOUNT;

/** One subscription as the monitor shows it. */
export function describeSubscription(s: Subscription): MonitorSubscription {
  const out: MonitorSubscription = {
    key: s.key,
    collection: s.collection,
    filtered: !!s.filter,
    since: s.since ?? null,
  };
  if (s.events) out.events = [...s.events];
  if (s.recordId !== undefined) out.record_id = s.recordId;
  return out;
}

/** What a connection looks like on the monitor. */
export function describeConnection(c: Connection, instance: string): MonitorConnection {
  // The counters as `connection.stats` carries them, so a list and a later delta never disagree.
  const { id, ...counters } = countersOf(c);
  return {
    id,
    instance,
    dialect: c.transport.dialect,
    remote: c.transport.remote,
    user_id: c.principal?.id ?? null,
    email: c.principal?.email ?? null,
    kind: c.principal?.kind ?? null,
    account: accountOf(c),
    connected_at: new Date(c.connectedAt).toISOString(),
    subscriptions: [...c.subs.keys()],
    subscription_details: [...c.subs.values()].map(describeSubscription),
    ...counters,
  };
}

/** Bytes queued on a connection's socket (0 once it is closed or when the transport cannot say). */
export function bufferedOf(c: Connection): number {
  if (c.closed) return 0;
  try {
    const n = c.transport.bufferedAmount();
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** A connection's counters as a `connection.stats` delta carries them. */
export function countersOf(c: Connection): MonitorConnectionCounters {
  return {
    id: c.id,
    messages_in: c.messagesIn,
    messages_out: c.messagesOut,
    bytes_in: c.bytesIn,
    bytes_out: c.bytesOut,
    buffered: bufferedOf(c),
    last_seen: c.lastSeen,
  };
}

/** A copy of the hub's tally (which it reuses for the next event). */
export const figures = (f: Readonly<FanoutTally>): FanoutFigures => ({
  candidates: f.candidates,
  matched: f.matched,
  sent: f.sent,
  skipped_rule: f.skipped_rule,
  skipped_filter: f.skipped_filter,
  dropped: f.dropped,
  micros: f.micros,
});

/** One event's line on the feed. */
export function summarize(
  ev: LiveEvent & { seq: number },
  f: FanoutFigures,
  instance: string,
): MonitorEventSummary {
  return { ...eventHeader(ev), instance, fanout: f };
}
