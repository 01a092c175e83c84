import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/events';
import { Store, type Emit } from '.';

let dir: string;
let store: Store;
/** A second connection to the same file: it sees only what is committed. */
let other: Database.Database;
let published: HubEvent[][];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-group-commit-'));
  store = new Store(dir);
  store.collections.create(
    { name: 'notes', fields: [{ name: 'title', type: 'text' }] },
    { account: 'default' },
  );
  other = new Database(join(dir, 'switchboard.db'), { readonly: true });
  published = [];
  store.bus.subscribe((events) => published.push([...events]));
});
afterEach(() => {
  other.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const committedTitles = () => other.prepare('SELECT title FROM r_notes ORDER BY title').pluck().all();
const committedSeqs = () =>
  other.prepare("SELECT seq FROM events WHERE type LIKE 'record.%' ORDER BY seq").pluck().all();

/** A mutation that inserts one note (the row and its event); returns the event's seq. */
const insert = (title: string) => (emit: Emit) => {
  const c = store.collections.require('notes');
  store.records.insertIn(emit, c, { id: title, title }, { account: 'default' });
  return store.events.lastSeq();
};

describe('group commit', () => {
  it('commits the mutations of one turn together, resolves only after commit, and publishes each in seq order', async () => {
    const before = other.prepare('PRAGMA data_version').pluck().get() as number;
    const pending = ['a', 'b', 'c'].map((t) => store.mutate(insert(t)));
    // Queued, not yet run: nothing is visible to anyone, not even on the store's own connection.
    expect(committedTitles()).toEqual([]);
    expect(store.db.prepare('SELECT count(*) FROM r_notes').pluck().get()).toBe(0);
    const seqs = await Promise.all(pending);
    expect(committedTitles()).toEqual(['a', 'b', 'c']);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2]);
    // One commit for the three: another connection saw the file change once.
    expect((other.prepare('PRAGMA data_version').pluck().get() as number) - before).toBe(1);
    // One publish per mutation (a dialect that sends one message per write keeps doing so).
    expect(published.map((b) => b.map((e) => e.record_id))).toEqual([['a'], ['b'], ['c']]);
  });

  it('rolls back only the mutation that throws; the others commit and it rejects with its own error', async () => {
    const a = store.mutate(insert('a'));
    const bad = store.mutate((emit) => {
      insert('b')(emit);
      throw new Error('no b today');
    });
    const dup = store.mutate(insert('a')); // the id is taken by the first: a constraint error
    const c = store.mutate(insert('c'));
    const results = await Promise.allSettled([a, bad, dup, c]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    expect(String((results[1] as PromiseRejectedResult).reason)).toContain('no b today');
    expect(String((results[2] as PromiseRejectedResult).reason)).toContain('already exists');
    expect(committedTitles()).toEqual(['a', 'c']);
    // The rolled-back events left no trace: the outbox holds a and c only, and only they went out.
    expect(committedSeqs()).toHaveLength(2);
    expect(published.flat().map((e) => e.record_id)).toEqual(['a', 'c']);
  });

  it('fails every mutation of the batch when the commit itself fails, and publishes nothing', async () => {
    const a = store.mutate(insert('a'));
    // A deferred foreign key is checked at COMMIT: the whole group's commit fails.
    const orphan = store.mutate(() => {
      store.db.pragma('defer_foreign_keys = ON');
      store.db
        .prepare(
          "INSERT INTO sessions (id, user_id, current_jti, created_at, expires_at) VALUES ('s', 'nobody', 'j', '', '')",
        )
        .run();
    });
    const results = await Promise.allSettled([a, orphan]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/i);
    expect(committedTitles()).toEqual([]);
    expect(published).toEqual([]);
    expect(store.db.inTransaction).toBe(false);
    // The store keeps working afterwards.
    await store.mutate(insert('z'));
    expect(committedTitles()).toEqual(['z']);
  });

  it('mutateNow commits what is queued first, so seqs follow call order', async () => {
    const queued = store.mutate(insert('a'));
    const now = store.mutateNow(insert('b'));
    expect(committedTitles()).toEqual(['a', 'b']);
    expect(await queued).toBe(now - 1);
    expect(published.map((b) => b[0]!.record_id)).toEqual(['a', 'b']);
  });

  it('refuses mutateNow inside a group commit, from a mutation or from a listener of its events', async () => {
    const inside = store.mutate(() => store.mutateNow(insert('nested')));
    await expect(inside).rejects.toThrow('cannot run inside a group commit');
    const errors: unknown[] = [];
    const off = store.bus.subscribe(() => {
      try {
        store.mutateNow(insert('from-listener'));
      } catch (e) {
        errors.push(e);
      }
    });
    await store.mutate(insert('a'));
    off();
    expect(String(errors[0])).toContain('cannot run inside a group commit');
    expect(committedTitles()).toEqual(['a']);
    // A listener may still queue a mutation: it goes into the next group.
    const followUp: Promise<number>[] = [];
    const off2 = store.bus.subscribe((evs) => {
      if (evs[0]?.record_id === 'b') followUp.push(store.mutate(insert('b-follow-up')));
    });
    await store.mutate(insert('b'));
    off2();
    await Promise.all(followUp);
    expect(committedTitles()).toEqual(['a', 'b', 'b-follow-up']);
  });

  it('close commits what is still queued', async () => {
    const queued = store.mutate(insert('late'));
    store.close();
    await expect(queued).resolves.toBeGreaterThan(0);
    expect(committedTitles()).toEqual(['late']);
    store = new Store(dir); // afterEach closes it again
  });
});
