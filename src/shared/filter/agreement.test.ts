import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FieldType } from '../schema';
import { compileFilter, evaluateFilter, parseFilter, type FieldTypes, type FilterContext } from './index';

const FIELDS: FieldTypes = {
  id: 'text',
  created_at: 'date',
  updated_at: 'date',
  title: 'text',
  status: 'select',
  owner: 'relation',
  age: 'number',
  flag: 'bool',
  born: 'date',
  meta: 'json',
};
const NAMES = Object.keys(FIELDS);
const SQL_TYPE: Record<FieldType, string> = {
  text: 'TEXT',
  select: 'TEXT',
  relation: 'TEXT',
  date: 'TEXT',
  json: 'TEXT',
  number: 'REAL',
  bool: 'INTEGER',
};

const db = new Database(':memory:');
// `n` numbers the rows: ids with lone surrogates do not survive a round trip through SQLite.
db.exec(
  `CREATE TABLE t (n INTEGER, ${NAMES.map((f) => `"${f}" ${SQL_TYPE[FIELDS[f]!]}${f === 'id' ? ' PRIMARY KEY' : ''}`).join(', ')})`,
);
const insert = db.prepare(`INSERT INTO t VALUES (?, ${NAMES.map(() => '?').join(', ')})`);
afterAll(() => db.close());

/** The storage conventions: how a JS record value sits in its column. */
function toSql(type: FieldType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (type === 'bool') return v ? 1 : 0;
  if (type === 'json') return JSON.stringify(v);
  return v;
}

// Characters chosen to stress LIKE wildcards, quoting, ASCII-only folding, surrogates, NUL.
const CHARS = [
  'a', 'A', 'b', 'B', 'z', 'Z', '%', '_', "'", '"', '\\', ' ', '1', '-', ':',
  'é', 'É', 'ß', 'ı', 'İ', 'Ω', 'ω', '😀', '😁', '\uD800', '\uDBFF', '\uDC00', '\uDFFF',
  '\uE000', '\uFFFD', '\uFFFE', '\uFFFF', '\u0000', '\u007F', '\u0080',
]; // prettier-ignore
// A small alphabet, so random record values and filter values often meet.
const SMALL = [
  'a',
  'A',
  'b',
  '%',
  '_',
  'é',
  'É',
  '😀',
  '\uD800',
  '\uDC00',
  '\u0000',
  '\uFFFF',
  '\uFFFD',
  '\uE000',
];
const POOL = ['', 'a', 'A', 'abc', 'ABC', 'a%b', 'a_b', 'Zoë', 'zoë', 'ZOË', '😀x', 'x\uD800', "it's"];
const USERS = ['u1', 'U1', 'u2'];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...SMALL), maxLength: 4 }) },
  { weight: 2, arbitrary: fc.constantFrom(...POOL, ...USERS) },
  { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
);
const pattern = fc.oneof(
  fc.string({ unit: fc.oneof(fc.constantFrom('%', '_'), fc.constantFrom(...SMALL)), maxLength: 5 }),
  text,
);
const needle = fc.oneof(fc.string({ unit: fc.constantFrom(...SMALL), maxLength: 2 }), text);
const DATES = ['2024-01-01T00:00:00.000Z', '2024-06-30T12:00:00.000Z', '1999-12-31T23:59:59.999Z'];
const anyDate = fc.date({ noInvalidDate: true });
const dateIso = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...DATES) },
  { weight: 1, arbitrary: anyDate.map((d) => d.toISOString()) },
);
const filterDate = fc.oneof(
  dateIso,
  fc.constantFrom(...DATES.map((d) => Date.parse(d))),
  anyDate.map((d) => d.getTime()),
  fc.constantFrom('2024-01-01', '2024-06-30T14:00:00+02:00', 'Dec 31 1999 23:59:59.999 UTC'),
);
const NUMS = [0, -0, 1, -1, 2.5, 1e300, -1e-300];
const filterNum = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NUMS) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
);
const recordNum = fc.oneof(filterNum, fc.constantFrom(Infinity, -Infinity));
const missing = fc.constantFrom(null, undefined);
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof({ weight: 3, arbitrary: a }, { weight: 1, arbitrary: missing });

const recordValue: Record<FieldType, fc.Arbitrary<unknown>> = {
  text: maybe(text),
  select: maybe(text),
  relation: maybe(text),
  number: maybe(recordNum),
  bool: maybe(fc.boolean()),
  date: maybe(dateIso),
  json: maybe(fc.jsonValue({ maxDepth: 1 })),
};

const records = fc
  .array(
    fc.record(Object.fromEntries(NAMES.filter((n) => n !== 'id').map((n) => [n, recordValue[FIELDS[n]!]]))),
    { minLength: 1, maxLength: 12 },
  )
  .chain((rs) =>
    fc.tuple(...rs.map(() => text)).map((ids) => rs.map((r, i) => ({ ...r, id: `${ids[i]}#${i}` }))),
  );

const REFS = ['@user.id', '@user.email', '@user.role', '@user.account'];
const TEXT_OPS = [
  '$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$like', '$notlike', '$contains', '$notcontains',
  '$containsfold', '$notcontainsfold', '$in', '$nin', '$null',
]; // prettier-ignore
const ORDERED_OPS = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$null'];
const OPS: Record<FieldType, string[]> = {
  text: TEXT_OPS,
  select: TEXT_OPS,
  relation: TEXT_OPS,
  number: ORDERED_OPS,
  date: ORDERED_OPS,
  bool: ['$eq', '$neq', '$in', '$nin', '$null'],
  json: ['$null'],
};
const withRefs = (a: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: fc.constantFrom(...REFS) });
const operand: Record<FieldType, fc.Arbitrary<unknown>> = {
  text: withRefs(text),
  select: text,
  relation: withRefs(text),
  number: filterNum,
  bool: fc.boolean(),
  date: filterDate,
  json: fc.constant(null),
};

/** A value for `op` on a field of `type`. */
function value(type: FieldType, op: string): fc.Arbitrary<unknown> {
  if (op === '$null') return fc.boolean();
  if (op === '$in' || op === '$nin') return fc.array(operand[type], { maxLength: 4 });
  if (op === '$like' || op === '$notlike') return withRefs(pattern);
  if (op.includes('contains')) return withRefs(needle);
  return operand[type];
}

/** What a filter object holds for one field: a plain value, null, or 1-2 operators. */
function condition(type: FieldType): fc.Arbitrary<unknown> {
  const opObject = fc
    .uniqueArray(fc.constantFrom(...OPS[type]), { minLength: 1, maxLength: 2 })
    .chain((ops) => fc.tuple(...ops.map((op) => value(type, op).map((v) => [op, v] as const))))
    .map((pairs) => Object.fromEntries(pairs));
  if (type === 'json') return fc.oneof(fc.constant(null), opObject);
  return fc.oneof(
    { weight: 1, arbitrary: operand[type] },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: opObject },
  );
}

const fieldCondition = fc
  .constantFrom(...NAMES)
  .chain((n) => condition(FIELDS[n]!).map((c) => [n, c] as const));

const single = fieldCondition.map(([n, c]) => ({ [n]: c }));
const { filter } = fc.letrec<{ filter: Record<string, unknown> }>((tie) => {
  const group = fc.array(tie('filter'), { minLength: 1, maxLength: 3 });
  const mixed = fc
    .tuple(fc.array(fieldCondition, { maxLength: 2 }), fc.option(group), fc.option(group))
    .map(([conds, and, or]) => ({
      ...Object.fromEntries(conds),
      ...(and ? { $and: and } : {}),
      ...(or ? { $or: or } : {}),
    }));
  return {
    filter: fc.oneof(
      { depthSize: 'small', maxDepth: 4, depthIdentifier: 'filter' },
      { weight: 3, arbitrary: single },
      { weight: 2, arbitrary: group.map((g) => ({ $or: g })) },
      { weight: 1, arbitrary: group.map((g) => ({ $and: g })) },
      { weight: 1, arbitrary: mixed },
    ),
  };
});

const context: fc.Arbitrary<FilterContext | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant({ user: null }),
  fc
    .record(
      { id: fc.constantFrom(...USERS, ...POOL), email: text, role: text, account: text },
      { requiredKeys: ['id'] },
    )
    .map((user) => ({ user })),
);

// Text operators alone, over an alphabet of the characters where JS and SQLite text differ.
const TRICKY = [
  'a',
  'A',
  'é',
  'É',
  '%',
  '_',
  '\u0000',
  '\uD83D',
  '\uDE00',
  '😀',
  '\uE000',
  '\uFFFD',
  '\uFFFE',
  '\uFFFF',
];
const tricky = fc.string({ unit: fc.constantFrom(...TRICKY), maxLength: 4 });
const trickyRecords = fc
  .array(maybe(tricky), { minLength: 1, maxLength: 12 })
  .map((titles) => titles.map((title, i) => ({ id: `r${i}`, title })));
const trickyCondition = fc.constantFrom(...TEXT_OPS).chain((op): fc.Arbitrary<unknown> => {
  const v = op === '$in' || op === '$nin' ? fc.array(tricky, { maxLength: 3 }) : withRefs(tricky);
  return (op === '$null' ? fc.boolean() : v).map((x) => ({ title: { [op]: x } }));
});
const trickyContext = fc.oneof(
  fc.constant(undefined),
  tricky.map((id) => ({ user: { id } })),
);

type Outcome = 'none' | 'some' | 'all';

/** Runs one filter both ways over the same rows; fails on any difference. */
function check(rows: Record<string, unknown>[], input: unknown, ctx: FilterContext | undefined): Outcome {
  db.exec('DELETE FROM t');
  rows.forEach((r, i) => insert.run(i, ...NAMES.map((f) => toSql(FIELDS[f]!, r[f]))));
  const node = parseFilter(input, FIELDS);
  const { sql, params } = compileFilter(node, (f) => `"${f}"`, ctx);
  const fromSql = db.prepare(`SELECT n FROM t WHERE ${sql} ORDER BY n`).all(...params) as { n: number }[];
  const fromJs = rows.flatMap((r, i) => (evaluateFilter(node, r, ctx) ? [i] : []));
  expect(fromSql.map((r) => r.n)).toEqual(fromJs);
  return fromJs.length === 0 ? 'none' : fromJs.length === rows.length ? 'all' : 'some';
}

describe('evaluateFilter and compileFilter agree on a real SQLite table', () => {
  it('for single field conditions', () => {
    const seen: Record<Outcome, number> = { none: 0, some: 0, all: 0 };
    fc.assert(
      fc.property(records, fieldCondition, context, (rows, [field, cond], ctx) => {
        seen[check(rows, { [field]: cond }, ctx)]++;
      }),
      { numRuns: 1500 },
    );
    // the generators must make conditions that split the rows, or the agreement says little
    expect(seen.some).toBeGreaterThan(1500 * 0.2);
  });

  it('for text operators over tricky characters', () => {
    const seen: Record<Outcome, number> = { none: 0, some: 0, all: 0 };
    fc.assert(
      fc.property(trickyRecords, trickyCondition, trickyContext, (rows, input, ctx) => {
        seen[check(rows, input, ctx)]++;
      }),
      { numRuns: 2000 },
    );
    expect(seen.some).toBeGreaterThan(2000 * 0.2);
  });

  it('for nested $and/$or trees', () => {
    const seen: Record<Outcome, number> = { none: 0, some: 0, all: 0 };
    fc.assert(
      fc.property(records, filter, context, (rows, input, ctx) => {
        seen[check(rows, input, ctx)]++;
      }),
      { numRuns: 600 },
    );
    expect(seen.some).toBeGreaterThan(600 * 0.2);
  });
});
