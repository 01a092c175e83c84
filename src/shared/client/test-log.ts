/**
 * Test support for the SDK's tests against a fake server: the event log the fake keeps (seqs
 * from 1, a retention point below which resuming is a gap, as the real log answers), and the
 * polling helpers the tests share.
 */
import type { ClientEvent, SwitchboardClient } from './index';

/** An event as the fake's log keeps it (every one a record event of one account). */
export interface LoggedEvent {
  seq: number;
  type: string;
  collection: string;
  record_id: string;
  data: Record<string, unknown>;
  previous?: Record<string, unknown>;
  account: string;
  timestamp: string;
}

/** A fake server's retained event log; a fake extends it with its transport. */
export class RetainedLog {
  log: LoggedEvent[] = [];
  /** Events up to this seq were forgotten (retention). */
  trimmedTo = 0;

  get lastSeq(): number {
    return this.log.at(-1)?.seq ?? this.trimmedTo;
  }

  /** Commits an event for record `data` (its `id` is the record id), with the next seq. */
  emit(
    collection: string,
    type: string,
    data: Record<string, unknown>,
    previous?: Record<string, unknown>,
  ): LoggedEvent {
    const e: LoggedEvent = {
      seq: this.lastSeq + 1,
      type,
      collection,
      record_id: String(data.id),
      data,
      ...(previous ? { previous } : {}),
      account: 'default',
      timestamp: new Date().toISOString(),
    };
    this.log.push(e);
    return e;
  }

  /** Forgets events up to `seq` (retention). */
  trim(seq: number): void {
    this.log = this.log.filter((e) => e.seq > seq);
    this.trimmedTo = seq;
  }
}

/** Resolves once `check` is true, polling every 10 ms; rejects after `ms`, naming `what`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Subscribes `c` to `collection` and returns the array its events are pushed to. */
export function collect(c: SwitchboardClient, collection = 'posts', opts = {}): ClientEvent[] {
  const got: ClientEvent[] = [];
  c.subscribe(collection, opts, (e) => got.push(e));
  return got;
}
