/**
 * Wire shapes of the monitor's history operations (admin REST, beside those in ./monitor.ts): the
 * event log's retained range, and replaying a range of past events into one connection.
 */

/** `GET /api/v1/monitor/history`: what the event log holds now (seqs and commit times). */
export interface MonitorHistory {
  /** The oldest seq still retained (`last_seq + 1` when the log is empty). */
  oldest_seq: number;
  /** The highest seq ever given out. */
  last_seq: number;
  /** Commit times of the oldest and newest retained events (null when the log is empty). */
  oldest_at: string | null;
  last_at: string | null;
  /** Whether older events were trimmed by retention (the log no longer starts at seq 1). */
  trimmed: boolean;
}

/** Events one replay may read from the log at most (`to_seq - from_seq + 1`). */
export const MONITOR_REPLAY_MAX = 1000;

/** `POST /api/v1/monitor/replay` body: past events `from_seq`..`to_seq` (inclusive) to one connection. */
export interface MonitorReplayInput {
  connection: string;
  from_seq: number;
  to_seq: number;
}

/**
 * Why an event of the range reached none of the connection's subscriptions, as the live fan-out
 * would decide now: `rule`, the view rule or the account keeps the record from it; `filter`, a
 * subscription's filter, operation list or record id leaves it out; `not_subscribed`, no
 * subscription is for that collection; `other`, schema or presence events it does not take, or a
 * dialect that sends no frame for the event.
 */
export interface MonitorReplaySkipped {
  rule: number;
  filter: number;
  not_subscribed: number;
  other: number;
}

/**
 * The answer to a replay. Each event is either delivered (one frame per subscription it matches,
 * counted in `sent`) or skipped for one reason. Replayed frames carry no seq (no `seq` field, no
 * SSE `id:`), so they move no client's resume cursor: a client that resumes later is sent exactly
 * what it missed live, no more and no less.
 */
export interface MonitorReplayResult {
  connection: string;
  instance: string;
  dialect: string;
  from_seq: number;
  to_seq: number;
  /** Events of the range in the log that the caller may see (another account's are not counted). */
  events: number;
  /** Frames written. */
  sent: number;
  /** Events delivered (with at least one frame). */
  delivered: number;
  skipped: MonitorReplaySkipped;
  /** Set when the connection closed during the replay: how many events were not tried. */
  interrupted?: number;
}
