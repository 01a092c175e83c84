import { join } from 'node:path';
import type { HubEvent } from '../../shared/events';
import { EventBus } from './bus';
import { Changes } from './changes';
import { Collections } from './collections';
import { closeDb, openDb, secureDataDir, type Db, type OpenOptions } from './db';
import { Displays } from './displays';
import { EventLog } from './events';
import { ApiKeys } from './keys';
import { migrate } from './migrate';
import type { Emit, Mutation, Writer } from './mutation';
import { Records } from './records';
import { Sessions } from './sessions';
import { Settings } from './settings';
import { Users } from './users';

export type { NewEvent } from './events';
export type { Emit, Mutation } from './mutation';

interface Queued {
  fn: Mutation<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}
export type { EventSource, EventListener } from './bus';
export type { CredentialChange } from './changes';

/** Retention of the event log (DESIGN: "keeps the recent past"). */
export interface Retention {
  maxEvents: number;
  maxAgeMs: number;
}

/**
 * The store: the only place that speaks SQL. `mutate` runs a change and its events in
 * one transaction (shared with the other changes of the same moment: a group commit) and
 * publishes the events on the bus after commit, in seq order.
 */
export class Store implements Writer {
  readonly db: Db;
  readonly collections: Collections;
  readonly records: Records;
  readonly events: EventLog;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly keys: ApiKeys;
  readonly settings: Settings;
  readonly displays: Displays;
  readonly bus: EventBus;
  /** Credential changes (keys, sessions, users) the hub and a cluster act on. */
  readonly changes = new Changes();
  private queue: Queued[] = [];
  private flushScheduled = false;
  /** A group commit is running (its transaction, then publishing its events). */
  private flushing = false;
  private readonly stmts;

  constructor(dataDir: string, opts: OpenOptions & { onBusError?: (e: unknown) => void } = {}) {
    // The data dir is private (0700) and the database files 0600, whatever the umask.
    secureDataDir(dataDir);
    this.db = openDb(join(dataDir, 'switchboard.db'), opts);
    migrate(this.db);
    this.collections = new Collections(this.db, this);
    this.records = new Records(this.db, this, (name) => this.collections.get(name));
    this.events = new EventLog(this.db);
    this.users = new Users(this.db, this.changes);
    this.sessions = new Sessions(this.db, this.changes);
    this.keys = new ApiKeys(this.db, this.changes);
    this.settings = new Settings(this.db);
    this.displays = new Displays(this.db, this.changes);
    this.bus = new EventBus(opts.onBusError);
    const st = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      begin: st('BEGIN IMMEDIATE'),
      savepoint: st('SAVEPOINT mutation'),
      release: st('RELEASE mutation'),
      rollbackTo: st('ROLLBACK TO mutation'),
      commit: st('COMMIT'),
      rollback: st('ROLLBACK'),
    };
  }

  /**
   * Runs `fn` with its events in the next group commit and resolves once that commit is
   * durable. Every mutation queued in one turn of the event loop (the requests that arrived
   * together) shares one transaction and one fsync; each runs in its own savepoint, so one
   * that throws is rolled back alone and rejects with its error. After commit the events go
   * out on the bus, one publish per mutation, in seq order; after a rollback nothing does.
   */
  mutate<T>(fn: Mutation<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // note: setImmediate runs after this poll phase: every request already read joins the batch.
    setImmediate(() => this.flush());
  }

  /** Like `mutate`, but now and alone: commits whatever is queued first, then `fn` in its own transaction. */
  mutateNow<T>(fn: Mutation<T>): T {
    // Inside a group commit (from a mutation, or a listener of its events) this would commit or
    // publish out of seq order; nothing does it, and nothing may.
    if (this.flushing) throw new Error('mutateNow/mutateSchema cannot run inside a group commit');
    this.flush();
    const out: HubEvent[] = [];
    const result = this.db.transaction(() => fn(this.emitter(out)))();
    this.bus.publish(out);
    return result;
  }

  /** Like `mutateNow`, for schema changes: in-memory definitions are re-read whether it commits or not. */
  mutateSchema<T>(fn: Mutation<T>): T {
    try {
      return this.mutateNow(fn);
    } finally {
      this.collections.reload();
      this.records.clearCache();
    }
  }

  /** Commits every queued mutation in one transaction (the group commit); see `mutate`. */
  flush(): void {
    this.flushScheduled = false;
    if (this.flushing) {
      // Called from inside a group commit (e.g. close from a listener): the next turn takes the queue.
      if (this.queue.length) this.schedule();
      return;
    }
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.flushing = true;
    try {
      this.commitGroup(batch);
    } finally {
      this.flushing = false;
    }
  }

  private commitGroup(batch: Queued[]): void {
    const outcomes: ({ ok: true; value: unknown; events: HubEvent[] } | { ok: false; error: unknown })[] = [];
    try {
      this.stmts.begin.run();
    } catch (e) {
      for (const m of batch) m.reject(e);
      return;
    }
    try {
      for (const m of batch) {
        // note: SQLite rolls the whole transaction back on some errors (e.g. SQLITE_FULL); then nothing more runs in it.
        if (!this.db.inTransaction) throw new Error('the group transaction was rolled back');
        const events: HubEvent[] = [];
        this.stmts.savepoint.run();
        try {
          const value = m.fn(this.emitter(events));
          this.stmts.release.run();
          outcomes.push({ ok: true, value, events });
        } catch (error) {
          if (this.db.inTransaction) {
            this.stmts.rollbackTo.run();
            this.stmts.release.run();
          }
          outcomes.push({ ok: false, error });
        }
      }
      if (!this.db.inTransaction) throw new Error('the group transaction was rolled back');
      this.stmts.commit.run();
    } catch (e) {
      try {
        if (this.db.inTransaction) this.stmts.rollback.run();
      } catch {
        // the connection is unusable; every mutation of the group fails below either way
      }
      for (const m of batch) m.reject(e);
      return;
    }
    for (const o of outcomes) if (o.ok) this.bus.publish(o.events);
    outcomes.forEach((o, i) => (o.ok ? batch[i]!.resolve(o.value) : batch[i]!.reject(o.error)));
  }

  private emitter(out: HubEvent[]): Emit {
    return (e) => {
      const ev = this.events.append(e);
      out.push(ev);
      return ev;
    };
  }

  /** Applies event retention; returns how many events were dropped. */
  trim(r: Retention): number {
    return this.events.trim(r.maxEvents, r.maxAgeMs);
  }

  /** Periodic upkeep: refreshes the query planner's statistics where they went stale (cheap when nothing changed). */
  optimize(): void {
    this.db.pragma('optimize');
  }

  /** Commits whatever is queued, then closes the database. */
  close(): void {
    if (this.db.open) this.flush();
    closeDb(this.db);
  }
}
