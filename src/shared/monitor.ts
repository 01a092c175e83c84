/**
 * Wire shapes of the live monitor: the admin feed at `ws(s)://HOST/api/v1/monitor?token=…` and
 * the admin REST routes under `/api/v1/monitor/…`. The server and the console import these same
 * types. Changes to this file are additive only.
 *
 * The feed: a `snapshot` first, then deltas (`connection.*`, `presence`), one `events` batch every
 * 100 ms (or sooner when a batch is full) carrying EVERY event's summary — nothing is summed
 * away — and a `tick` every second (preceded by `connection.stats`, the counters that changed). A watcher whose socket falls too far behind is skipped (it
 * never slows delivery) and, once it has caught up, gets `missed` (which seqs, so it can page them
 * from `GET /api/v1/events?since=` and `GET /api/v1/monitor/outcomes`) followed by a fresh
 * `snapshot` when connection deltas were skipped too. A watcher that sends `{type:'flow', on:true}`
 * (the console's Flow view) gets each summary's per-connection outcomes too (`flow`).
 *
 * An account's admin sees only its account's connections, events and figures; the superuser sees
 * everything (schema events `collection.*` too). Scoped API keys are refused (close 4003).
 */
import type { EventType, HubEvent } from './events';
import type { PresentUser } from './admin';

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Which server process holds a connection or fanned an event out (one in a single process). */
export interface MonitorInstance {
  /** `local` without Redis; in a cluster `ROLE@HOST:PORT` (e.g. `edge@10.0.0.2:8001`), stable per address. */
  id: string;
  role: 'single' | 'primary' | 'edge';
  /** Connections it holds now (scoped to the watcher's account for an account admin). */
  connections?: number;
}

/** One subscription of a connection as the monitor shows it. */
export interface MonitorSubscription {
  /** The key within the connection (dialect-specific: a collection name, a topic, an id). */
  key: string;
  /** A collection name, `*` for all, or `presence`. */
  collection: string;
  filtered: boolean;
  /** The operations it wants (absent: all). */
  events?: EventType[];
  record_id?: string;
  since?: number | null;
}

/** One client connection, whatever its dialect. */
export interface MonitorConnection {
  id: string;
  /** The instance holding it (cluster: every instance's connections appear on every monitor). */
  instance: string;
  dialect: string;
  remote: string;
  user_id: string | null;
  email: string | null;
  kind: 'user' | 'key' | null;
  account: string;
  connected_at: string;
  /** Subscription keys (see `subscription_details` for what each one is). */
  subscriptions: string[];
  subscription_details: MonitorSubscription[];
  messages_in: number;
  messages_out: number;
  /** Bytes received from / sent to the client (frame payloads, UTF-8). Absent from older servers. */
  bytes_in?: number;
  bytes_out?: number;
  /** Bytes queued on the socket and not yet written (ws `bufferedAmount`; SSE: the response's `writableLength`). */
  buffered?: number;
  /** When the client last sent anything (a message or a heartbeat reply), epoch milliseconds. */
  last_seen?: number;
}

/**
 * One connection's counters in a `connection.stats` delta (`MonitorConnection`'s fields of the
 * same names): sent once a second for the connections whose counters changed since the last one.
 */
export interface MonitorConnectionCounters {
  id: string;
  messages_in: number;
  messages_out: number;
  bytes_in: number;
  bytes_out: number;
  buffered: number;
  /** Epoch milliseconds. */
  last_seen: number;
}

/** How one event's fan-out went on one instance: counters only, kept by seq in a bounded ring. */
export interface FanoutFigures {
  /** Subscriptions looked at (the index's candidates for the event's collection, plus `*`). */
  candidates: number;
  /** Subscriptions the event was for. */
  matched: number;
  /** Frames written (a subscription whose frame encodes to nothing is not counted). */
  sent: number;
  /** Denied by the collection's view rule or by the account (the subscriber may not see the record). */
  skipped_rule: number;
  /** Not in the subscription's filter, operation list or record id. */
  skipped_filter: number;
  /** Closed as slow consumers instead of being sent the frame. */
  dropped: number;
  /** Fan-out time on this instance, microseconds. */
  micros: number;
}

/** Figures of a fan-out that reached nobody (a fresh object each time: tallies are added to in place). */
export const noFanout = (): FanoutFigures => ({
  candidates: 0,
  matched: 0,
  sent: 0,
  skipped_rule: 0,
  skipped_filter: 0,
  dropped: 0,
  micros: 0,
});

/** Adds `f`'s counts to `into` (another instance's fan-out, another second's); `micros` is left to the caller. */
export function addFanout(into: FanoutFigures, f: Readonly<FanoutFigures>): void {
  into.candidates += f.candidates;
  into.matched += f.matched;
  into.sent += f.sent;
  into.skipped_rule += f.skipped_rule;
  into.skipped_filter += f.skipped_filter;
  into.dropped += f.dropped;
}

/** One event's summary on the feed (never its record data: page that from the event log). */
export interface MonitorEventSummary {
  seq: number;
  type: EventType;
  collection: string | null;
  record_id: string | null;
  account: string;
  actor: string | null;
  trace_id: string | null;
  /** The event's own timestamp (commit time). */
  timestamp: string;
  /** The instance whose fan-out the figures are. */
  instance: string;
  fanout: FanoutFigures;
  /** Per connection, for a watcher that asked for the flow (`{type:'flow', on:true}`); absent otherwise. */
  flow?: MonitorEventFlow;
}

/** What the monitor says of a logged event besides its fan-out: no record data, absent fields as null. */
export type MonitorEventHeader = Omit<MonitorEventSummary, 'fanout' | 'instance' | 'flow'>;

/** An event's header (the feed's summaries, explain's answer and the console's pages of the log share it). */
export function eventHeader(ev: Omit<HubEvent, 'seq'> & { seq: number }): MonitorEventHeader {
  return {
    seq: ev.seq,
    type: ev.type,
    collection: ev.collection ?? null,
    record_id: ev.record_id ?? null,
    account: ev.account,
    actor: ev.actor ?? null,
    trace_id: ev.trace_id ?? null,
    timestamp: ev.timestamp,
  };
}

/**
 * How one event's fan-out went per connection (the Flow view's edges). One entry per subscription
 * the event was for or was kept from, so a connection with two matching subscriptions appears
 * twice; the first {@link MONITOR_FLOW_MAX} of them are recorded, `fanout` counts every one. An
 * account's admin sees only its account's connections here (the superuser every account's).
 */
export interface MonitorEventFlow {
  /** Connection ids sent the frame. */
  delivered: string[];
  /** Kept out by the subscription's filter, operation list or record id. */
  filtered: string[];
  /** Kept out by the collection's view rule or the account. */
  denied: string[];
  /** Closed as slow consumers instead of being sent the frame. */
  dropped: string[];
  /** More subscriptions than {@link MONITOR_FLOW_MAX}: the lists are the first ones only. */
  capped: boolean;
}

/** An edge's outcome in a {@link MonitorEventFlow}. */
export type MonitorFlowOutcome = 'delivered' | 'filtered' | 'denied' | 'dropped';
export const MONITOR_FLOW_OUTCOMES: readonly MonitorFlowOutcome[] = [
  'delivered',
  'filtered',
  'denied',
  'dropped',
];

/** One frame of an inspected connection. */
export interface MonitorFrame {
  connection: string;
  /** `in`: from the client; `out`: to the client. */
  direction: 'in' | 'out';
  /** Epoch milliseconds. */
  at: number;
  /** Bytes on the wire (UTF-8). */
  size: number;
  /** The frame's text, cut at 4 KiB (`truncated` then says so). */
  text: string;
  truncated: boolean;
}

// ---------------------------------------------------------------------------------------------
// Feed frames (server -> watcher): every frame is `{ type, data, timestamp }`.

export interface MonitorSnapshot {
  /** The instance this feed is served by. */
  instance: string;
  /** Every instance known (one without Redis). */
  instances: MonitorInstance[];
  connections: MonitorConnection[];
  presence: PresentUser[];
  /** The highest seq fanned out here: the next `events` batch continues after it. */
  last_seq: number;
}

export interface MonitorEventsBatch {
  /** Every event fanned out since the previous batch that the watcher may see, in seq order per instance. */
  events: MonitorEventSummary[];
}

export type MonitorConnectionChange = 'authenticated' | 'subscribed' | 'unsubscribed';

export interface MonitorConnectionUpdated extends MonitorConnection {
  change: MonitorConnectionChange;
  /** The subscription key that changed (subscribed, unsubscribed). */
  key?: string;
}

/**
 * Once a second, just before the `tick`: the counters of the connections (in the watcher's scope)
 * that changed since the previous `connection.stats` — one frame however many there are. A
 * connection not listed has not changed. In a cluster each instance sends its own.
 */
export interface MonitorConnectionStats {
  instance: string;
  connections: MonitorConnectionCounters[];
}

export interface MonitorConnectionClosed {
  id: string;
  instance: string;
  dialect: string;
  account: string;
  code: number;
  reason: string;
}

export interface MonitorPresence {
  event: 'user.joined' | 'user.left' | 'user.state';
  account: string;
  instance: string;
  /** The presence event's data (user_id, email, kind, state…). */
  data: Record<string, unknown>;
}

/** Per-second figures: the superuser's are the server's, an account admin's only its account's. */
export interface MonitorTick {
  instance: string;
  /** Set for an account admin: the account the figures are for. */
  account?: string;
  connections: number;
  present_users: number;
  last_seq: number;
  /** Sums over the last second's events (every event is also in an `events` batch). */
  fanout: FanoutFigures & { events: number; max_micros: number };
  events_per_s?: number;
  messages_in_per_s?: number;
  messages_out_per_s?: number;
  bytes_in_per_s?: number;
  bytes_out_per_s?: number;
  event_loop_lag_ms?: number;
  event_loop_lag_p99_ms?: number;
  rss_bytes?: number;
  /** Cluster: every instance's connection count (superuser: the server's; admin: the account's). */
  instances?: MonitorInstance[];
}

/**
 * The watcher fell behind and was skipped: events `from_seq`..`to_seq` (inclusive, `count` of
 * them in the watcher's scope) were not sent. Page them from `GET /api/v1/events?since=from_seq-1`
 * and their figures from `GET /api/v1/monitor/outcomes?since=from_seq-1&until=to_seq`.
 * `resync`: connection or presence deltas were skipped too; a fresh `snapshot` follows.
 */
export interface MonitorMissed {
  from_seq: number;
  to_seq: number;
  count: number;
  resync: boolean;
}

/** The answer to an `inspect` message: the frames kept so far (usually none) and from now on `frame`s. */
export interface MonitorInspecting {
  connection: string;
  instance: string;
  frames: MonitorFrame[];
}

/** The answer to a `flow` message: whether this watcher's `events` summaries now carry `flow`. */
export interface MonitorFlowState {
  on: boolean;
  /** Subscriptions listed per event at most ({@link MONITOR_FLOW_MAX}). */
  max: number;
}

export interface MonitorFeedError {
  code: 'not_found' | 'bad_request' | 'forbidden';
  message: string;
}

/** Every frame of the feed, discriminated by `type`. */
export type MonitorFeedFrame =
  | { type: 'snapshot'; data: MonitorSnapshot; timestamp: string }
  | { type: 'events'; data: MonitorEventsBatch; timestamp: string }
  | { type: 'connection.opened'; data: MonitorConnection; timestamp: string }
  | { type: 'connection.updated'; data: MonitorConnectionUpdated; timestamp: string }
  | { type: 'connection.closed'; data: MonitorConnectionClosed; timestamp: string }
  | { type: 'connection.stats'; data: MonitorConnectionStats; timestamp: string }
  | { type: 'presence'; data: MonitorPresence; timestamp: string }
  | { type: 'tick'; data: MonitorTick; timestamp: string }
  | { type: 'missed'; data: MonitorMissed; timestamp: string }
  | { type: 'inspecting'; data: MonitorInspecting; timestamp: string }
  | { type: 'frame'; data: MonitorFrame; timestamp: string }
  | { type: 'flow'; data: MonitorFlowState; timestamp: string }
  | { type: 'error'; data: MonitorFeedError; timestamp: string };

export type MonitorFeedFrameType = MonitorFeedFrame['type'];

/** Messages a watcher may send on the feed. */
export type MonitorClientMessage =
  /** Start keeping (~300) and streaming one connection's frames, in and out. */
  | { type: 'inspect'; connection: string }
  /** Stop inspecting one connection, or (without `connection`) all of them. */
  | { type: 'uninspect'; connection?: string }
  /**
   * Start (or stop) receiving each event's per-connection outcomes (`flow` in the summaries). The
   * server records them only while some watcher wants them: nothing per subscriber otherwise.
   */
  | { type: 'flow'; on: boolean };

/** Event summaries per `events` batch at most (a fuller batch goes out before the 100 ms). */
export const MONITOR_BATCH_MS = 100;
export const MONITOR_BATCH_MAX = 1000;
/** Subscriptions listed per event in a summary's `flow` at most (the counts stay exact). */
export const MONITOR_FLOW_MAX = 200;
/** Frames kept per inspected connection. */
export const MONITOR_FRAMES_KEPT = 300;
/** Frame text kept, in characters. */
export const MONITOR_FRAME_TEXT_MAX = 4096;
/** The close code a client receives when an admin disconnects it. */
export const MONITOR_DISCONNECT_CODE = 4010;

// ---------------------------------------------------------------------------------------------
// REST (admin only; scoped API keys are refused with 403)

/** `GET /api/v1/monitor/connections`: every connection now (cluster: every instance's). */
export interface MonitorConnectionList {
  connections: MonitorConnection[];
  instances: MonitorInstance[];
}

/** `GET /api/v1/monitor/outcomes?since=SEQ[&until=SEQ][&limit=N]`: recorded fan-out figures. */
export interface MonitorOutcomes {
  instance: string;
  /** The oldest seq still in the ring (older ones are forgotten). */
  oldest_seq: number;
  outcomes: ({ seq: number } & FanoutFigures)[];
}

/** Why an event did or did not reach one subscription. */
export type ExplainReasonCode =
  | 'delivered'
  | 'not_subscribed' // the subscription is for another collection
  | 'operation_filtered' // its operation list leaves this event type out
  | 'other_record' // it follows one record id, not this one
  | 'filter' // the subscription's filter is false (see clause / before / after)
  | 'view_rule' // the collection's view rule denies the subscriber (see clause)
  | 'account' // the record belongs to another account
  | 'admins_only' // schema events reach admins only
  | 'not_presence' // presence events reach presence subscriptions only
  | 'encoded_to_nothing' // the dialect sends no frame for this event
  | 'not_authenticated';

/** A filter clause's verdict on one version of the record (`explainFilter`). */
export interface ExplainClause {
  /** The clause in the filter language's JSON (`{"published":{"$eq":true}}`). */
  expression: Record<string, unknown>;
  /** Where it sits in the parsed filter (`""`: the whole filter; else e.g. `$and[1]`). */
  path: string;
  value: boolean;
  /** For a comparison: the record's value of the field. */
  actual?: unknown;
}

export interface ExplainSubscription {
  key: string;
  collection: string;
  delivered: boolean;
  /** For live queries: how the record moved (`enter`, `stay`, `leave`, `hide`). */
  match?: 'enter' | 'stay' | 'leave' | 'hide';
  reason: ExplainReasonCode;
  /** One sentence. */
  message: string;
  /** The deciding clause (of the filter or the view rule). */
  clause?: ExplainClause;
  /** For an update: the filter's / rule's verdict on the record before and after. */
  before?: ExplainClause;
  after?: ExplainClause;
}

export interface ExplainConnection {
  connection: string;
  instance: string;
  dialect: string;
  account: string;
  user_id: string | null;
  email: string | null;
  delivered: boolean;
  subscriptions: ExplainSubscription[];
}

/**
 * `GET /api/v1/monitor/explain?seq=N[&connection=ID]`: how event N's fan-out goes for each
 * connection, computed now by the hub's matcher on the logged event against each connection's
 * CURRENT subscriptions (`subscriptions_as_of` says so).
 */
export interface MonitorExplain {
  seq: number;
  event: MonitorEventHeader;
  subscriptions_as_of: string;
  note: string;
  /** What was recorded when the event was fanned out, per instance (absent once out of the ring). */
  recorded: ({ instance: string } & FanoutFigures)[];
  /** Connections closed as slow consumers during this event's fan-out (when recorded). */
  dropped_connections: string[];
  connections: ExplainConnection[];
}

/** `GET /api/v1/monitor/connections/{id}/frames`. */
export interface MonitorFrames {
  connection: string;
  instance: string;
  /** Whether someone inspects it now (frames are only kept then). */
  inspected: boolean;
  frames: MonitorFrame[];
}

/** `POST /api/v1/monitor/connections/{id}/disconnect` body. */
export interface MonitorDisconnectInput {
  reason?: string;
}

export interface MonitorDisconnectResult {
  connection: string;
  instance: string;
  code: number;
  /** What the client receives: `disconnected by an admin: <reason>`. */
  reason: string;
}

/** `POST /api/v1/monitor/send` body: one connection, or every subscriber of a collection. */
export interface MonitorSendInput {
  connection?: string;
  collection?: string;
  /** The test record's fields (an `id` is added when missing). */
  data: Record<string, unknown>;
}

export interface MonitorSendResult {
  /** Frames written. */
  sent: number;
  connections: { connection: string; instance: string; dialect: string }[];
}
