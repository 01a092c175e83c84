import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../shared/events';
import { parseFilter } from '../../shared/filter';
import type { Collection } from '../../shared/schema';
import { Store } from '.';
import { fieldTypes } from './collections';
import { AmbiguousId, IdTaken, Invalid, NotFound, UniqueViolation, VersionConflict } from './errors';

let dir: string;
let store: Store;
let notes: Collection;
let published: HubEvent[];
const who = { account: 'default', actor: 'u1', traceId: 't1' };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-records-'));
  store = new Store(dir);
  store.collections.create({ name: 'tags', fields: [{ name: 'name', type: 'text' }] }, who);
  store.collections.create(
    {
      name: 'notes',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'slug', type: 'text', unique: true },
        { name: 'tag', type: 'relation', collection: 'tags' },
      ],
    },
    who,
  );
  notes = store.collections.require('notes');
  published = [];
  store.bus.subscribe((events) => published.push(...events));
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const rows = () => store.db.prepare('SELECT id, title FROM r_notes ORDER BY rowid').all();
const logged = () => store.events.since(0, 1000).filter((e) => e.type.startsWith('record.'));

describe('record writes', () => {
  it('writes the row and its event with one timestamp, and says who and which request', async () => {
    const r = await store.records.insert(notes, { title: 'a', slug: 'a' }, who);
    expect(r.created_at).toBe(r.updated_at);
    const [created] = logged();
    expect(created).toMatchObject({
      type: 'record.created',
      collection: 'notes',
      record_id: r.id,
      account: 'default',
      actor: 'u1',
      trace_id: 't1',
      timestamp: r.created_at,
      data: r,
    });
    expect(published).toEqual(logged());

    const u = await store.records.update(notes, r.id, { title: 'b' }, { ...who, account: null });
    expect(u.updated_at > r.updated_at).toBe(true);
    const updated = logged()[1]!;
    expect(updated).toMatchObject({ type: 'record.updated', timestamp: u.updated_at, data: u, previous: r });

    const d = await store.records.delete(notes, r.id, { ...who, account: 'default' });
    expect(d).toEqual(u);
    expect(logged()[2]).toMatchObject({ type: 'record.deleted', record_id: r.id, data: u });
    expect(rows()).toEqual([]);
  });

  it('gives a batch one timestamp for every row and event', async () => {
    const { items, errors } = await store.records.insertMany(
      notes,
      [{ title: 'a' }, { title: 'b' }, { title: 'c' }],
      who,
    );
    expect(errors).toEqual([]);
    expect(new Set(items.map((r) => r.created_at)).size).toBe(1);
    expect(logged().map((e) => e.timestamp)).toEqual(items.map((r) => r.created_at));
  });

  it('throws its own errors: unique value, taken id, relation, not found, ambiguous id, version', async () => {
    const a = await store.records.insert(notes, { id: 'a', slug: 'x' }, who);
    const err = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => e,
      );

    const unique = await err(store.records.insert(notes, { slug: 'x' }, who));
    expect(unique).toBeInstanceOf(UniqueViolation);
    expect(unique).toMatchObject({ field: 'slug', message: "A record with this 'slug' already exists." });
    expect(await err(store.records.insert(notes, { id: 'a' }, who))).toBeInstanceOf(IdTaken);
    const relation = await err(store.records.insert(notes, { tag: 'nope' }, who));
    expect(relation).toBeInstanceOf(Invalid);
    expect((relation as Invalid).details).toEqual({ tag: "no record 'nope' in 'tags'" });
    const missing = await err(store.records.update(notes, 'zz', {}, { account: 'default' }));
    expect(missing).toBeInstanceOf(NotFound);
    expect((missing as Error).message).toBe("Record 'zz' not found.");

    await store.records.insert(notes, { id: 'a' }, { account: 'other' });
    const ambiguous = await err(store.records.delete(notes, 'a', { account: null }));
    expect(ambiguous).toBeInstanceOf(AmbiguousId);
    expect((ambiguous as AmbiguousId).accounts).toEqual(['default', 'other']);

    const stale = await err(
      store.records.update(
        notes,
        'a',
        { title: 'n' },
        {
          account: 'default',
          ifMatch: { versions: ['2000-01-01T00:00:00.000Z'], given: '"2000-01-01T00:00:00.000Z"' },
        },
      ),
    );
    expect(stale).toBeInstanceOf(VersionConflict);
    expect((stale as VersionConflict).current).toEqual(a);
    const ok = await store.records.update(
      notes,
      'a',
      { title: 'n' },
      {
        account: 'default',
        ifMatch: { versions: [a.updated_at], given: `"${a.updated_at}"` },
      },
    );
    expect(ok.title).toBe('n');
  });

  it('leaves neither row nor event when a write is refused or fails half way', async () => {
    const a = await store.records.insert(notes, { id: 'a', title: 'a', slug: 'a' }, who);
    const before = logged().length;
    // Refused by the caller's check, in the transaction.
    await expect(
      store.records.update(
        notes,
        'a',
        { title: 'b' },
        {
          account: 'default',
          check: () => {
            throw new Error('not you');
          },
        },
      ),
    ).rejects.toThrow('not you');
    // A batch with one bad row keeps none, and a dry run keeps none either.
    const bad = await store.records.insertMany(notes, [{ id: 'b', title: 'b' }, { slug: 'a' }], who);
    expect(bad.errors.map((e) => [e.index, e.error.constructor])).toEqual([[1, UniqueViolation]]);
    const dry = await store.records.insertMany(notes, [{ id: 'c', title: 'c' }], { ...who, dryRun: true });
    expect(dry.errors).toEqual([]);
    // A bulk update that fails on its second record undoes the first.
    await store.records.insert(notes, { id: 'd', title: 'd', slug: 'd' }, who);
    const n = logged().length;
    await expect(
      store.records.updateWhere(notes, { account: 'default' }, { slug: 'same' }, who),
    ).rejects.toBeInstanceOf(UniqueViolation);
    expect(logged()).toHaveLength(n);
    expect(n).toBe(before + 1);
    expect(rows()).toEqual([
      { id: 'a', title: 'a' },
      { id: 'd', title: 'd' },
    ]);
    expect(store.records.get(notes, 'a', 'default')!.record).toEqual(a);
  });

  it('takes parsed filters, never SQL, for reads and bulk writes', async () => {
    await store.records.insertMany(notes, [{ title: 'a' }, { title: 'b' }, { title: 'b' }], who);
    const q = { account: 'default', filters: [parseFilter({ title: 'b' }, fieldTypes(notes))] };
    expect(store.records.count(notes, q)).toBe(2);
    expect(await store.records.deleteWhere(notes, q, who)).toBe(2);
    expect(store.records.count(notes)).toBe(1);
  });
});

describe('list order', () => {
  it('breaks ties in the direction of the last sort key, in lists and keyset scans alike', async () => {
    await store.records.insert(notes, { title: 'first' }, who);
    // A batch: five records with one created_at, and one later record.
    const batch = (
      await store.records.insertMany(
        notes,
        [1, 2, 3, 4, 5].map((n) => ({ title: `b${n}` })),
        who,
      )
    ).items;
    await new Promise((r) => setTimeout(r, 5));
    const last = await store.records.insert(notes, { title: 'last' }, who);
    const oldest = ['first', ...batch.map((r) => r.title), 'last'];
    const q = { account: 'default' };
    for (const [sort, want] of [
      [[], oldest],
      [[{ field: 'created_at', desc: false }], oldest],
      [[{ field: 'created_at', desc: true }], [...oldest].reverse()],
    ] as const) {
      const whole = store.records.list(notes, { ...q, sort: [...sort], limit: 100, offset: 0 });
      expect(whole.items.map((r) => r.title)).toEqual(want);
      // Paged by 2 with offsets (the list) and with a cursor (the export): every row once, in order.
      const pages: unknown[] = [];
      for (let offset = 0; offset < want.length; offset += 2)
        pages.push(
          ...store.records.list(notes, { ...q, sort: [...sort], limit: 2, offset }).items.map((r) => r.title),
        );
      expect(pages).toEqual(want);
      const scanned: unknown[] = [];
      let after: unknown[] | undefined;
      do {
        const page = store.records.scan(notes, q, [...sort], 2, after);
        scanned.push(...page.items.map((r) => r.title));
        after = page.next;
      } while (after);
      expect(scanned).toEqual(want);
    }
    expect(last.created_at > batch[0]!.created_at).toBe(true);
  });
});
