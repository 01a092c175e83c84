import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '.';
import { Conflict, Invalid, NotFound, UniqueViolation } from './errors';

let dir: string;
let store: Store;
const who = { account: 'default', actor: 'u1', traceId: 't1' };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-collections-'));
  store = new Store(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const indexes = () =>
  store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'r_shows' ORDER BY name")
    .pluck()
    .all();
const plan = (sql: string) =>
  (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
    .map((r) => r.detail)
    .join('; ');

describe('field indexes', () => {
  it('indexes fields marked indexed and relations, per account, and keeps them right through schema changes', () => {
    store.collections.create({ name: 'venues', fields: [{ name: 'name', type: 'text' }] }, who);
    store.collections.create(
      {
        name: 'shows',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'starts', type: 'date', indexed: true },
          { name: 'venue', type: 'relation', collection: 'venues' },
          { name: 'code', type: 'text', unique: true, indexed: true },
        ],
      },
      who,
    );
    expect(indexes()).toEqual([
      'i_shows_account_created',
      'i_shows_created',
      'sqlite_autoindex_r_shows_1',
      'u_shows_code',
      'x_shows_starts',
      'x_shows_venue',
    ]);
    expect(
      plan("SELECT * FROM r_shows WHERE account = 'default' AND starts > '2026' ORDER BY starts"),
    ).toContain('USING INDEX x_shows_starts');

    // Rename one indexed field and drop the other: no error, and the index follows the name.
    store.collections.update(
      'shows',
      {
        fields: [
          { name: 'title', type: 'text', indexed: true },
          { name: 'begins', type: 'date', indexed: true, previous_name: 'starts' },
          { name: 'code', type: 'text', unique: true },
        ],
      },
      who,
    );
    expect(indexes()).toEqual([
      'i_shows_account_created',
      'i_shows_created',
      'sqlite_autoindex_r_shows_1',
      'u_shows_code',
      'x_shows_begins',
      'x_shows_title',
    ]);
  });
});

describe('schema writes', () => {
  const events = () => store.events.since(0, 100);
  const tables = () =>
    store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'r\\_%' ESCAPE '\\'")
      .pluck()
      .all();

  it('writes the definition, the schema log and the event with one timestamp', () => {
    const c = store.collections.create({ name: 'posts', fields: [{ name: 'title', type: 'text' }] }, who);
    expect(c.created_at).toBe(c.updated_at);
    const after = store.collections.update('posts', { name: 'articles' }, who);
    store.collections.drop('articles', who);
    const log = store.db.prepare('SELECT at FROM schema_changes ORDER BY rowid').pluck().all();
    const [created, updated, deleted] = events();
    expect(created).toMatchObject({
      type: 'collection.created',
      collection: 'posts',
      data: c,
      timestamp: c.updated_at,
    });
    expect(created).toMatchObject({ account: 'default', actor: 'u1', trace_id: 't1' });
    expect(updated).toMatchObject({
      type: 'collection.updated',
      collection: 'articles',
      data: after,
      previous: c,
      timestamp: after.updated_at,
    });
    expect(deleted).toMatchObject({ type: 'collection.deleted', collection: 'articles', data: after });
    expect(log).toEqual([c.updated_at, after.updated_at, deleted!.timestamp]);
    expect(tables()).toEqual([]);
  });

  it('throws its own errors, and a refused change leaves neither table nor event', async () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e;
      }
    };
    store.collections.create({ name: 'a', fields: [{ name: 'code', type: 'text' }] }, who);
    store.collections.create(
      { name: 'b', fields: [{ name: 'to_a', type: 'relation', collection: 'a' }] },
      who,
    );
    const seq = store.events.lastSeq();
    expect(err(() => store.collections.create({ name: 'a', fields: [] }, who))).toBeInstanceOf(Conflict);
    expect(err(() => store.collections.require('zz'))).toBeInstanceOf(NotFound);
    expect(err(() => store.collections.drop('a', who))).toMatchObject({
      message: "Collection 'b' relates to 'a' through 'to_a'.",
    });
    const bad = err(() =>
      store.collections.create(
        { name: 'c', fields: [{ name: 'x', type: 'relation', collection: 'nope' }] },
        who,
      ),
    );
    expect(bad).toBeInstanceOf(Invalid);
    expect((bad as Invalid).details).toEqual({ 'fields.0.collection': "collection 'nope' does not exist" });
    // Duplicates stop a field becoming unique: the whole change (a rename too) rolls back.
    await store.records.insertMany(a(), [{ code: 'x' }, { code: 'x' }], who);
    const seqAfterRecords = store.events.lastSeq();
    const dup = err(() =>
      store.collections.update(
        'a',
        { name: 'a2', fields: [{ name: 'code', type: 'text', unique: true }] },
        who,
      ),
    );
    expect(dup).toBeInstanceOf(UniqueViolation);
    expect(dup).toMatchObject({ field: 'code', reason: 'has duplicate values' });
    expect(store.events.lastSeq()).toBe(seqAfterRecords);
    expect(seqAfterRecords).toBe(seq + 2);
    expect(tables()).toEqual(['r_a', 'r_b']);
    expect(store.collections.require('b').fields[0]!.collection).toBe('a');
  });
  const a = () => store.collections.require('a');
});
