import type { Collection, RecordData } from '../../shared/schema';
import type { Db } from './db';
import { IdTaken, Invalid, UniqueViolation, VersionConflict, type IfMatch, type StoreError } from './errors';
import type { NewEvent } from './events';
import { nowIso } from './ids';
import type { Emit, Writer } from './mutation';
import type { RecordQuery } from './record-sql';
import { RecordTables, type Held } from './record-tables';

export type { ListQuery, RecordQuery, Sort } from './record-sql';
export type { Held, ScanPage } from './record-tables';

/** Who writes, for the event: who caused it and the request's trace id. */
export interface WriteContext {
  actor?: string;
  traceId?: string;
}

/** A create: the account the record goes into. */
export interface InsertOptions extends WriteContext {
  account: string;
}

/** Runs in an update's transaction on the record as it is and as it will be; throw to refuse (rolls back). */
export type UpdateCheck = (before: RecordData, after: RecordData) => void;

/** One record by id, for an update or a delete. */
export interface TargetOptions extends WriteContext {
  /** The account that holds the record; null: whichever does (the superuser's view). */
  account: string | null;
  /** Write only while the record is at one of these versions (`updated_at`); else VersionConflict. */
  ifMatch?: IfMatch;
}

export interface UpdateOptions extends TargetOptions {
  check?: UpdateCheck;
}

export interface DeleteOptions extends TargetOptions {
  /** Runs in the delete's transaction on the record; throw to refuse (rolls back). */
  check?: (record: RecordData) => void;
}

/** A batch create: all rows or none. A dry run tries every row and keeps none. */
export interface BatchOptions extends InsertOptions {
  dryRun?: boolean;
}

/** What a batch did: the records created and, by index, the rows the store refused (then none were kept). */
export interface BatchResult {
  items: RecordData[];
  errors: { index: number; error: StoreError }[];
}

/** Carries a batch's result out of the mutation it rolls back. */
class RolledBack {
  constructor(readonly result: BatchResult) {}
}

/** The next `updated_at` of a record: now, but always after the previous one, so it is a version. */
function nextVersion(previous: string, now: number): string {
  const prev = Date.parse(previous);
  return new Date(Number.isNaN(prev) || now > prev ? now : prev + 1).toISOString();
}

function recordEvent(
  type: 'record.created' | 'record.updated' | 'record.deleted',
  c: Collection,
  r: RecordData,
  account: string,
  o: WriteContext,
  timestamp: string,
): NewEvent {
  return {
    type,
    collection: c.name,
    record_id: r.id,
    data: r,
    account,
    actor: o.actor,
    timestamp,
    trace_id: o.traceId,
  };
}

function checkVersion(c: Collection, current: RecordData, ifMatch: IfMatch | undefined): void {
  if (ifMatch && !ifMatch.versions.includes(current.updated_at))
    throw new VersionConflict(c, current, ifMatch);
}

/**
 * Records: the reads of `RecordTables`, and every write with its outbox event, in one
 * transaction of the group commit. A write's one timestamp is the row's `created_at` or
 * `updated_at` and its event's `timestamp` (a delete's event: the moment of the delete).
 * Callers pass checked values; rules are theirs, through `check`.
 */
export class Records extends RecordTables {
  constructor(
    db: Db,
    private readonly writer: Writer,
    collection: (name: string) => Collection | undefined,
  ) {
    super(db, collection);
  }

  /** Creates a record in `o.account`; Invalid (relations), UniqueViolation or IdTaken when it cannot. */
  insert(c: Collection, value: Record<string, unknown>, o: InsertOptions): Promise<RecordData> {
    return this.writer.mutate((emit) => this.insertIn(emit, c, value, o));
  }

  /** `insert` inside a mutation of the caller's (several writes in one transaction, e.g. a seed). */
  insertIn(emit: Emit, c: Collection, value: Record<string, unknown>, o: InsertOptions): RecordData {
    const at = nowIso();
    this.checkRelations(c, value, o.account);
    const r = this.insertRow(c, value, o.account, at);
    emit(recordEvent('record.created', c, r, o.account, o, at));
    return r;
  }

  /**
   * Applies a checked patch to one record: NotFound or AmbiguousId when the id names none or
   * several, then `o.check`, VersionConflict, Invalid, UniqueViolation. `updated_at` strictly
   * increases with every write, so it doubles as the record's version (ETag).
   */
  update(c: Collection, id: string, patch: Record<string, unknown>, o: UpdateOptions): Promise<RecordData> {
    return this.writer.mutate((emit) => {
      const { record: before, account } = this.find(c, id, o.account);
      o.check?.(before, { ...before, ...patch });
      checkVersion(c, before, o.ifMatch);
      return this.updateIn(emit, c, { record: before, account }, patch, o, Date.now());
    });
  }

  /** Deletes one record (NotFound, AmbiguousId, then `o.check` and VersionConflict); resolves with it as it was. */
  delete(c: Collection, id: string, o: DeleteOptions): Promise<RecordData> {
    return this.writer.mutate((emit) => {
      const { record, account } = this.find(c, id, o.account);
      o.check?.(record);
      checkVersion(c, record, o.ifMatch);
      this.deleteRow(c, record.id, account);
      emit(recordEvent('record.deleted', c, record, account, o, nowIso()));
      return record;
    });
  }

  /**
   * Creates every row in one transaction, or none: a row the store refuses (relations, unique
   * values, a taken id) is reported by index and nothing is kept or emitted. A dry run tries
   * every row the same way and always rolls back. The rows share one timestamp.
   */
  async insertMany(c: Collection, values: Record<string, unknown>[], o: BatchOptions): Promise<BatchResult> {
    try {
      return await this.writer.mutate((emit) => {
        const at = nowIso();
        const result: BatchResult = { items: [], errors: [] };
        values.forEach((value, index) => {
          try {
            this.checkRelations(c, value, o.account);
            result.items.push(this.insertRow(c, value, o.account, at));
          } catch (error) {
            if (!(error instanceof Invalid || error instanceof UniqueViolation || error instanceof IdTaken))
              throw error;
            result.errors.push({ index, error });
          }
        });
        if (o.dryRun || result.errors.length) throw new RolledBack(result);
        for (const r of result.items) emit(recordEvent('record.created', c, r, o.account, o, at));
        return result;
      });
    } catch (e) {
      if (e instanceof RolledBack) return e.result;
      throw e;
    }
  }

  /** Applies a checked patch to every record the query takes (oldest first), `check` on each; resolves with how many. */
  updateWhere(
    c: Collection,
    q: RecordQuery,
    patch: Record<string, unknown>,
    o: WriteContext & { check?: UpdateCheck },
  ): Promise<number> {
    return this.writer.mutate((emit) => {
      const rows = this.select(c, q);
      const now = Date.now();
      for (const held of rows) {
        o.check?.(held.record, { ...held.record, ...patch });
        this.updateIn(emit, c, held, patch, o, now);
      }
      return rows.length;
    });
  }

  /** Deletes every record the query takes; resolves with how many. */
  deleteWhere(c: Collection, q: RecordQuery, o: WriteContext): Promise<number> {
    return this.writer.mutate((emit) => {
      const rows = this.select(c, q);
      const at = nowIso();
      for (const { record, account } of rows) {
        this.deleteRow(c, record.id, account);
        emit(recordEvent('record.deleted', c, record, account, o, at));
      }
      return rows.length;
    });
  }

  private updateIn(
    emit: Emit,
    c: Collection,
    { record: before, account }: Held,
    patch: Record<string, unknown>,
    o: WriteContext,
    now: number,
  ): RecordData {
    this.checkRelations(c, patch, account);
    const at = nextVersion(before.updated_at, now);
    const r = this.updateRow(c, before.id, patch, account, at);
    emit({ ...recordEvent('record.updated', c, r, account, o, at), previous: before });
    return r;
  }
}
