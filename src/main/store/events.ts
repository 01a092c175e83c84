import type { EventType, HubEvent } from '../../shared/events';
import type { Db } from './db';

/** An event before the outbox gives it its seq. */
export type NewEvent = Omit<HubEvent, 'seq'>;

type Row = {
  seq: number;
  type: EventType;
  collection: string | null;
  record_id: string | null;
  account: string;
  actor: string | null;
  data: string | null;
  previous: string | null;
  timestamp: string;
  trace_id: string | null;
};

function rowToEvent(r: Row): HubEvent {
  const e: HubEvent = { seq: r.seq, type: r.type, account: r.account, timestamp: r.timestamp };
  if (r.collection !== null) e.collection = r.collection;
  if (r.record_id !== null) e.record_id = r.record_id;
  if (r.data !== null) e.data = JSON.parse(r.data) as Record<string, unknown>;
  if (r.previous !== null) e.previous = JSON.parse(r.previous) as Record<string, unknown>;
  if (r.actor !== null) e.actor = r.actor;
  if (r.trace_id !== null) e.trace_id = r.trace_id;
  return e;
}

/** The outbox: events are appended in the mutation's transaction and read back by seq. */
export class EventLog {
  private readonly insert;
  private readonly after;
  private readonly lastStmt;
  private readonly oldestStmt;
  private readonly atTimeStmt;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO events (type, collection, record_id, account, actor, data, previous, timestamp, trace_id)
       VALUES (@type, @collection, @record_id, @account, @actor, @data, @previous, @timestamp, @trace_id)`,
    );
    this.after = db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.lastStmt = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'events'").pluck();
    this.oldestStmt = db.prepare('SELECT min(seq) FROM events').pluck();
    // The timestamp index finds the first event at or after a time without a scan.
    this.atTimeStmt = db
      .prepare('SELECT seq FROM events WHERE timestamp >= ? ORDER BY timestamp, seq LIMIT 1')
      .pluck();
  }

  /** Appends one event; must run inside the mutation's transaction. */
  append(e: NewEvent): HubEvent {
    const info = this.insert.run({
      type: e.type,
      collection: e.collection ?? null,
      record_id: e.record_id ?? null,
      account: e.account,
      actor: e.actor ?? null,
      data: e.data === undefined ? null : JSON.stringify(e.data),
      previous: e.previous === undefined ? null : JSON.stringify(e.previous),
      timestamp: e.timestamp,
      trace_id: e.trace_id ?? null,
    });
    return { ...e, seq: Number(info.lastInsertRowid) };
  }

  /** Events with seq greater than `seq`, oldest first. */
  since(seq: number, limit: number): HubEvent[] {
    return (this.after.all(seq, limit) as Row[]).map(rowToEvent);
  }

  /** The highest seq ever given out (0 before the first event), even if trimmed since. */
  lastSeq(): number {
    return (this.lastStmt.get() as number | undefined) ?? 0;
  }

  /** The oldest seq still held; lastSeq + 1 when the log is empty. */
  oldestSeq(): number {
    return (this.oldestStmt.get() as number | null) ?? this.lastSeq() + 1;
  }

  /**
   * The seq of the first retained event committed at or after `iso` (an ISO 8601 UTC time, as
   * events store it), or undefined when none is that recent.
   */
  firstAtOrAfter(iso: string): number | undefined {
    return (this.atTimeStmt.get(iso) as number | undefined) ?? undefined;
  }

  /** True when the events after `seq` are no longer all retained: a resume from there has a gap. */
  hasGapAfter(seq: number): boolean {
    return seq < this.oldestSeq() - 1;
  }

  /** Retention: drops events beyond the newest `maxEvents` and older than `maxAgeMs`. Returns how many. */
  trim(maxEvents: number, maxAgeMs: number): number {
    const cutoffSeq = this.lastSeq() - maxEvents;
    const cutoffTime = new Date(Date.now() - maxAgeMs).toISOString();
    return this.db.prepare('DELETE FROM events WHERE seq <= ? OR timestamp < ?').run(cutoffSeq, cutoffTime)
      .changes;
  }
}
