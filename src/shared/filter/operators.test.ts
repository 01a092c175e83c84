import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFilter, evaluateFilter, parseFilter, type FieldTypes, type FilterContext } from './index';

const FIELDS: FieldTypes = {
  id: 'text',
  created_at: 'date',
  name: 'text',
  owner: 'relation',
  age: 'number',
  active: 'bool',
  meta: 'json',
};

const db = new Database(':memory:');
db.exec(
  'CREATE TABLE t (id TEXT, created_at TEXT, name TEXT, owner TEXT, age REAL, active INTEGER, meta TEXT)',
);
const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)');
afterAll(() => db.close());

type Row = {
  created_at?: string;
  name?: string | null;
  owner?: string;
  age?: number | null;
  active?: boolean;
  meta?: unknown;
};

/** Whether one record matches, asserting that the JS and the SQL answers agree. */
function matches(input: unknown, row: Row, ctx?: FilterContext): boolean {
  const node = parseFilter(input, FIELDS);
  const record = { id: 'r1', ...row };
  db.exec('DELETE FROM t');
  const meta = row.meta === undefined || row.meta === null ? null : JSON.stringify(row.meta);
  const active = row.active === undefined ? null : row.active ? 1 : 0;
  insert.run(
    'r1',
    row.created_at ?? null,
    row.name ?? null,
    row.owner ?? null,
    row.age ?? null,
    active,
    meta,
  );
  const { sql, params } = compileFilter(node, (f) => `"${f}"`, ctx);
  const bySql = db.prepare(`SELECT id FROM t WHERE ${sql}`).all(...params).length === 1;
  const byJs = evaluateFilter(node, record, ctx);
  expect(byJs, `JS and SQL disagree on ${JSON.stringify(input)} (SQL: ${sql})`).toBe(bySql);
  return byJs;
}

describe('operators (evaluated in JS and in SQLite)', () => {
  it('$eq / $neq, with NULL matching only $neq', () => {
    expect(matches({ name: 'Ann' }, { name: 'Ann' })).toBe(true);
    expect(matches({ name: 'Ann' }, { name: 'ann' })).toBe(false);
    expect(matches({ name: { $eq: 'Ann' } }, {})).toBe(false);
    expect(matches({ name: { $neq: 'Ann' } }, { name: 'Bob' })).toBe(true);
    expect(matches({ name: { $neq: 'Ann' } }, { name: 'Ann' })).toBe(false);
    expect(matches({ name: { $neq: 'Ann' } }, {})).toBe(true);
    expect(matches({ age: 0 }, { age: -0 })).toBe(true);
    expect(matches({ active: false }, { active: false })).toBe(true);
    expect(matches({ active: { $neq: true } }, {})).toBe(true);
  });

  it('$gt $gte $lt $lte on numbers, never on NULL', () => {
    expect(matches({ age: { $gt: 1, $lt: 10 } }, { age: 5 })).toBe(true);
    expect(matches({ age: { $gte: 5, $lte: 5 } }, { age: 5 })).toBe(true);
    expect(matches({ age: { $gt: 5 } }, { age: 5 })).toBe(false);
    expect(matches({ age: { $lt: 5 } }, { age: null })).toBe(false);
    expect(matches({ age: { $gt: -1e308 } }, { age: -Infinity })).toBe(false);
  });

  it('orders text by UTF-8 bytes (code points), not UTF-16 units', () => {
    expect(matches({ name: { $gt: 'Z' } }, { name: 'a' })).toBe(true);
    expect(matches({ name: { $gt: 'ab' } }, { name: 'ab' })).toBe(false);
    expect(matches({ name: { $gt: 'ab' } }, { name: 'abc' })).toBe(true);
    // U+1F600 is a surrogate pair in UTF-16 (below U+E000 unit-wise) but sorts above U+FFFD
    expect(matches({ name: { $gt: '\uFFFD' } }, { name: '😀' })).toBe(true);
    expect(matches({ name: { $lt: '\uE000' } }, { name: '😀' })).toBe(false);
  });

  it('compares dates as normalised ISO strings', () => {
    const row = { created_at: '2024-03-01T10:00:00.000Z' };
    expect(matches({ created_at: '2024-03-01T12:00:00+02:00' }, row)).toBe(true);
    expect(matches({ created_at: { $gt: '2024-01-01', $lt: Date.UTC(2025, 0, 1) } }, row)).toBe(true);
    expect(matches({ created_at: { $lte: '2024-02-29' } }, row)).toBe(false);
  });

  it('$like: % and _ wildcards, ASCII-only case folding, no escape', () => {
    expect(matches({ name: { $like: 'a%' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $like: '_lice' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $like: '_lice' } }, { name: 'lice' })).toBe(false);
    expect(matches({ name: { $like: '%' } }, { name: '' })).toBe(true);
    expect(matches({ name: { $like: 'é' } }, { name: 'É' })).toBe(false);
    expect(matches({ name: { $like: '_' } }, { name: '😀' })).toBe(true);
    expect(matches({ name: { $like: '100\\%' } }, { name: '100\\x' })).toBe(true);
    expect(matches({ name: { $like: '%' } }, {})).toBe(false);
    expect(matches({ name: { $notlike: 'a%' } }, { name: 'Bob' })).toBe(true);
    expect(matches({ name: { $notlike: 'a%' } }, { name: 'ann' })).toBe(false);
    expect(matches({ name: { $notlike: 'a%' } }, {})).toBe(true);
  });

  it('$contains is case-sensitive, $containsfold folds ASCII only', () => {
    expect(matches({ name: { $contains: 'li' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $contains: 'LI' } }, { name: 'Alice' })).toBe(false);
    expect(matches({ name: { $contains: '' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $contains: '%' } }, { name: 'Alice' })).toBe(false);
    expect(matches({ name: { $containsfold: 'LI' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $containsfold: 'é' } }, { name: 'ÉCOLE' })).toBe(false);
    expect(matches({ name: { $notcontains: 'x' } }, { name: 'Alice' })).toBe(true);
    expect(matches({ name: { $notcontains: 'x' } }, {})).toBe(true);
    expect(matches({ name: { $notcontainsfold: 'ALI' } }, { name: 'alice' })).toBe(false);
    expect(matches({ name: { $notcontainsfold: 'ALI' } }, { name: null })).toBe(true);
  });

  it('$in / $nin, empty lists, and NULL', () => {
    expect(matches({ age: { $in: [1, 2] } }, { age: 2 })).toBe(true);
    expect(matches({ age: { $in: [1, 2] } }, { age: 3 })).toBe(false);
    expect(matches({ age: { $in: [] } }, { age: 3 })).toBe(false);
    expect(matches({ age: { $in: [1] } }, {})).toBe(false);
    expect(matches({ age: { $nin: [1, 2] } }, { age: 3 })).toBe(true);
    expect(matches({ age: { $nin: [1, 2] } }, { age: 1 })).toBe(false);
    expect(matches({ age: { $nin: [] } }, {})).toBe(true);
    expect(matches({ age: { $nin: [1] } }, {})).toBe(true);
    expect(matches({ active: { $in: [true] } }, { active: true })).toBe(true);
  });

  it('$null and plain null, json fields included', () => {
    expect(matches({ name: null }, {})).toBe(true);
    expect(matches({ name: null }, { name: '' })).toBe(false);
    expect(matches({ name: { $null: false } }, { name: '' })).toBe(true);
    expect(matches({ meta: { $null: false } }, { meta: { a: 1 } })).toBe(true);
    expect(matches({ meta: { $null: false } }, { meta: false })).toBe(true);
    expect(matches({ meta: null }, { meta: null })).toBe(true);
  });

  it('$and / $or / {} combine', () => {
    const row = { name: 'Ann', age: 5 };
    expect(matches({}, row)).toBe(true);
    expect(matches({ $or: [] }, row)).toBe(false);
    expect(matches({ $or: [{ name: 'Bob' }, { age: 5 }] }, row)).toBe(true);
    expect(matches({ $and: [{ name: 'Ann' }, { age: 6 }] }, row)).toBe(false);
    expect(matches({ name: 'Ann', $or: [{ age: { $lt: 3 } }, { $and: [{ age: { $gt: 4 } }] }] }, row)).toBe(
      true,
    );
  });

  it('matches the DIALECTS example', () => {
    const example = '{"name":"online","age":{"$gt":1,"$lt":10},"$or":[{"owner":{"$like":"a%"}},{"age":1}]}';
    expect(matches(example, { name: 'online', age: 5, owner: 'Anna' })).toBe(true);
    expect(matches(example, { name: 'online', age: 5, owner: 'Bob' })).toBe(false);
    expect(matches(example, { name: 'online', age: 1, owner: 'Bob' })).toBe(false);
    expect(matches(example, { name: 'offline', age: 5, owner: 'anna' })).toBe(false);
  });
});

describe('@user references', () => {
  const alice: FilterContext = { user: { id: 'u1', email: 'a@x.io', role: 'editor' } };

  it('resolve against the caller', () => {
    expect(matches({ owner: '@user.id' }, { owner: 'u1' }, alice)).toBe(true);
    expect(matches({ owner: '@user.id' }, { owner: 'u2' }, alice)).toBe(false);
    expect(matches({ name: { $like: '@user.email' } }, { name: 'A@X.IO' }, alice)).toBe(true);
    expect(matches({ owner: { $in: ['@user.id', 'u9'] } }, { owner: 'u9' }, alice)).toBe(true);
  });

  it('make every comparison false for an anonymous caller or a missing property', () => {
    for (const ctx of [undefined, {}, { user: null }]) {
      expect(matches({ owner: '@user.id' }, { owner: 'u1' }, ctx)).toBe(false);
      expect(matches({ owner: { $neq: '@user.id' } }, { owner: 'u1' }, ctx)).toBe(false);
      expect(matches({ owner: { $nin: ['@user.id'] } }, {}, ctx)).toBe(false);
    }
    expect(matches({ owner: { $notlike: '@user.account' } }, { owner: 'x' }, alice)).toBe(false);
    expect(matches({ $or: [{ owner: '@user.id' }, { age: 1 }] }, { age: 1 })).toBe(true);
  });
});
