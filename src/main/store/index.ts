import { join } from 'node:path';
import type { HubEvent } from '../../shared/events';
import { EventBus } from './bus';
import { Changes } from './changes';
import { Collections } from './collections';
import { closeDb, openDb, type Db, type OpenOptions } from './db';
import { EventLog, type NewEvent } from './events';
import { ApiKeys } from './keys';
import { migrate } from './migrate';
import { Records } from './records';
import { Sessions } from './sessions';
import { Users } from './users';

export type { NewEvent } from './events';
export type { EventSource, EventListener } from './bus';
export type { CredentialChange } from './changes';

/** Retention of the event log (DESIGN: "keeps the recent past"). */
export interface Retention {
  maxEvents: number;
  maxAgeMs: number;
}

/**
 * The store: the only place that speaks SQL. `mutate` runs a change and its events in
 * one transaction and publishes the events on the bus after commit, in seq order.
 */
export class Store {
  readonly db: Db;
  readonly collections: Collections;
  readonly records: Records;
  readonly events: EventLog;
  readonly users: Users;
  readonly sessions: Sessions;
  readonly keys: ApiKeys;
  readonly bus: EventBus;
  /** Credential changes (keys, sessions, users) the hub and a cluster act on. */
  readonly changes = new Changes();

  constructor(dataDir: string, opts: OpenOptions & { onBusError?: (e: unknown) => void } = {}) {
    this.db = openDb(join(dataDir, 'switchboard.db'), opts);
    migrate(this.db);
    this.collections = new Collections(this.db);
    this.records = new Records(this.db);
    this.events = new EventLog(this.db);
    this.users = new Users(this.db, this.changes);
    this.sessions = new Sessions(this.db, this.changes);
    this.keys = new ApiKeys(this.db, this.changes);
    this.bus = new EventBus(opts.onBusError);
  }

  /**
   * Runs `fn` in one transaction; `emit` appends an event to the outbox inside it. After
   * commit the events go out on the bus; after a rollback nothing does.
   */
  mutate<T>(fn: (emit: (e: NewEvent) => HubEvent) => T): T {
    const out: HubEvent[] = [];
    const emit = (e: NewEvent): HubEvent => {
      const ev = this.events.append(e);
      out.push(ev);
      return ev;
    };
    const result = this.db.transaction(() => fn(emit))();
    this.bus.publish(out);
    return result;
  }

  /** Like `mutate`, for schema changes: in-memory definitions are re-read whether it commits or not. */
  mutateSchema<T>(fn: (emit: (e: NewEvent) => HubEvent) => T): T {
    try {
      return this.mutate(fn);
    } finally {
      this.collections.reload();
      this.records.clearCache();
    }
  }

  /** Applies event retention; returns how many events were dropped. */
  trim(r: Retention): number {
    return this.events.trim(r.maxEvents, r.maxAgeMs);
  }

  /** Periodic upkeep: refreshes the query planner's statistics where they went stale (cheap when nothing changed). */
  optimize(): void {
    this.db.pragma('optimize');
  }

  close(): void {
    closeDb(this.db);
  }
}
