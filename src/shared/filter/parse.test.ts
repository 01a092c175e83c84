import { describe, expect, it } from 'vitest';
import { FilterError, FILTER_LIMITS, filterFields, parseFilter, type FieldTypes } from './index';

const FIELDS: FieldTypes = {
  id: 'text',
  created_at: 'date',
  updated_at: 'date',
  status: 'select',
  bio: 'text',
  owner: 'relation',
  age: 'number',
  active: 'bool',
  meta: 'json',
};

/** The FilterError `parseFilter` throws for `input`, as `{ path, message }`. */
function failure(input: unknown): { path: string; message: string } {
  try {
    parseFilter(input, FIELDS);
  } catch (e) {
    if (e instanceof FilterError) return { path: e.path, message: e.message };
    throw e;
  }
  throw new Error('expected a FilterError');
}

const EXAMPLE = '{"status":"online","age":{"$gt":1,"$lt":10},"$or":[{"bio":{"$like":"a%"}},{"age":1}]}';

describe('parseFilter', () => {
  it('parses the DIALECTS example into an AND of comparisons and an OR', () => {
    expect(parseFilter(EXAMPLE, FIELDS)).toEqual({
      kind: 'and',
      children: [
        {
          kind: 'compare',
          field: 'status',
          type: 'select',
          op: '$eq',
          value: { kind: 'literal', value: 'online' },
        },
        { kind: 'compare', field: 'age', type: 'number', op: '$gt', value: { kind: 'literal', value: 1 } },
        { kind: 'compare', field: 'age', type: 'number', op: '$lt', value: { kind: 'literal', value: 10 } },
        {
          kind: 'or',
          children: [
            {
              kind: 'compare',
              field: 'bio',
              type: 'text',
              op: '$like',
              value: { kind: 'literal', value: 'a%' },
            },
            {
              kind: 'compare',
              field: 'age',
              type: 'number',
              op: '$eq',
              value: { kind: 'literal', value: 1 },
            },
          ],
        },
      ],
    });
  });

  it('accepts an object, a raw JSON string and a URL-encoded one alike', () => {
    const expected = parseFilter(JSON.parse(EXAMPLE), FIELDS);
    expect(parseFilter(EXAMPLE, FIELDS)).toEqual(expected);
    expect(parseFilter(encodeURIComponent(EXAMPLE), FIELDS)).toEqual(expected);
  });

  it('keeps a raw string whose % is not an escape', () => {
    expect(parseFilter('{"bio":{"$like":"%zz%"}}', FIELDS)).toMatchObject({ value: { value: '%zz%' } });
  });

  it('reads {} as match-everything and null as $null', () => {
    expect(parseFilter({}, FIELDS)).toEqual({ kind: 'and', children: [] });
    expect(parseFilter({ bio: null }, FIELDS)).toEqual({
      kind: 'null',
      field: 'bio',
      type: 'text',
      isNull: true,
    });
    expect(parseFilter({ meta: { $null: false } }, FIELDS)).toEqual({
      kind: 'null',
      field: 'meta',
      type: 'json',
      isNull: false,
    });
  });

  it('reads @user references where a string is expected', () => {
    expect(parseFilter({ owner: '@user.id', bio: { $in: ['x', '@user.email'] } }, FIELDS)).toEqual({
      kind: 'and',
      children: [
        { kind: 'compare', field: 'owner', type: 'relation', op: '$eq', value: { kind: 'ref', name: 'id' } },
        {
          kind: 'in',
          field: 'bio',
          type: 'text',
          negate: false,
          values: [
            { kind: 'literal', value: 'x' },
            { kind: 'ref', name: 'email' },
          ],
        },
      ],
    });
    expect(parseFilter({ bio: '@alice' }, FIELDS)).toMatchObject({
      value: { kind: 'literal', value: '@alice' },
    });
  });

  it('normalises date values to ISO 8601 UTC', () => {
    const at = (v: unknown): unknown => parseFilter({ created_at: { $gte: v } }, FIELDS);
    const iso = { value: { kind: 'literal', value: '2024-01-01T00:00:00.000Z' } };
    expect(at('2024-01-01')).toMatchObject(iso);
    expect(at('2024-01-01T02:00:00+02:00')).toMatchObject(iso);
    expect(at(Date.UTC(2024, 0, 1))).toMatchObject(iso);
  });

  it('collects the fields a filter reads', () => {
    expect([...filterFields(parseFilter(EXAMPLE, FIELDS))].sort()).toEqual(['age', 'bio', 'status']);
  });

  it.each([
    ['not JSON', '{"a":', 'filter: invalid JSON'],
    ['a non-object', '[1]', 'filter: expected an object, got array'],
    ['null', null, 'filter: expected an object, got null'],
    ['an unknown field', { colour: 'red' }, "filter.colour: unknown field 'colour'"],
    ['an inherited name', { constructor: 1 }, "filter.constructor: unknown field 'constructor'"],
    ['an unknown operator', { status: { $regex: 'x' } }, "filter.status.$regex: unknown operator '$regex'"],
    ['a key without $', { age: { gt: 1 } }, "filter.age.gt: unknown operator 'gt'"],
    ['a top-level operator', { $not: {} }, "filter.$not: unknown operator '$not'"],
    ['a field operator at the top', { $eq: 1 }, "filter.$eq: operator '$eq' must be inside a field"],
    [
      '$or inside a field',
      { age: { $or: [] } },
      "filter.age.$or: operator '$or' must be at the filter level",
    ],
    ['an empty operator object', { age: {} }, 'filter.age: expected at least one operator'],
    [
      'a string for a number',
      { age: { $gt: '5' } },
      "filter.age.$gt: expected a number for number field 'age', got string",
    ],
    [
      'a plain value of the wrong type',
      { status: 3 },
      "filter.status: expected a string for select field 'status', got number",
    ],
    [
      'a number for a bool',
      { active: 1 },
      "filter.active: expected a boolean for bool field 'active', got number",
    ],
    [
      'a non-finite number',
      { age: Number.NaN },
      "filter.age: expected a number for number field 'age', got NaN",
    ],
    [
      '$gt on a bool',
      { active: { $gt: true } },
      "filter.active.$gt: operator '$gt' is not supported for bool field 'active'",
    ],
    [
      '$like on a number',
      { age: { $like: '1%' } },
      "filter.age.$like: operator '$like' is not supported for number field 'age'",
    ],
    [
      '$contains on a date',
      { created_at: { $contains: '2024' } },
      "filter.created_at.$contains: operator '$contains' is not supported for date field 'created_at'",
    ],
    ['a value on a json field', { meta: { a: 1 } }, "filter.meta.a: unknown operator 'a'"],
    [
      '$eq on a json field',
      { meta: 'x' },
      "filter.meta: operator '$eq' is not supported for json field 'meta'",
    ],
    ['$null not boolean', { bio: { $null: 1 } }, 'filter.bio.$null: expected a boolean, got number'],
    [
      '$in not an array',
      { age: { $in: 1 } },
      "filter.age.$in: expected an array for number field 'age', got number",
    ],
    [
      'a bad $in element',
      { age: { $nin: [1, 'x'] } },
      "filter.age.$nin[1]: expected a number for number field 'age', got string",
    ],
    [
      'an unparseable date',
      { created_at: { $lt: 'soon' } },
      "filter.created_at.$lt: expected a date (ISO 8601 string or milliseconds) for date field 'created_at', got an invalid date",
    ],
    [
      'a reference on a date',
      { created_at: '@user.id' },
      "filter.created_at: expected a date (ISO 8601 string or milliseconds) for date field 'created_at', got an invalid date",
    ],
    [
      'a reference on a number',
      { age: '@user.id' },
      "filter.age: expected a number for number field 'age', got string",
    ],
    [
      'an unknown reference',
      { owner: '@user.name' },
      "filter.owner: unknown reference '@user.name' (expected one of @user.id, @user.email, @user.role, @user.account)",
    ],
    ['$and not an array', { $and: {} }, 'filter.$and: expected an array of filters, got object'],
    [
      'a bad nested filter',
      { $or: [{ age: 1 }, { bio: { $like: 5 } }] },
      "filter.$or[1].bio.$like: expected a string for text field 'bio', got number",
    ],
    ['a non-object in $and', { $and: ['x'] }, 'filter.$and[0]: expected an object, got string'],
  ])('rejects %s', (_name, input, message) => {
    // the path is what the message starts with
    expect(failure(input)).toEqual({ path: message.slice(0, message.indexOf(': ')), message });
  });
});

describe('parseFilter limits', () => {
  const nest = (levels: number): Record<string, unknown> =>
    levels === 1 ? { age: 1 } : { $and: [nest(levels - 1)] };

  it('allows 16 levels of nesting and refuses 17', () => {
    expect(() => parseFilter(nest(16), FIELDS)).not.toThrow();
    const { path, message } = failure(nest(17));
    expect(path).toBe(`filter${'.$and[0]'.repeat(16)}`);
    expect(message).toBe(`${path}: nesting deeper than 16 levels`);
  });

  it('allows 200 comparisons and refuses 201', () => {
    const four = (i: number): unknown => ({ age: i, bio: 'b', status: 's', owner: 'o' });
    const ors = (n: number): unknown => ({ $or: Array.from({ length: n }, (_, i) => four(i)) });
    expect(() => parseFilter(ors(50), FIELDS)).not.toThrow();
    expect(failure(ors(51))).toEqual({
      path: 'filter.$or[50].age',
      message: 'filter.$or[50].age: more than 200 comparisons',
    });
  });

  it('bounds empty nested filters too', () => {
    expect(failure({ $or: Array.from({ length: 201 }, () => ({})) })).toEqual({
      path: 'filter.$or[200]',
      message: 'filter.$or[200]: more than 200 nested filters',
    });
  });

  it('allows 1000 $in values and refuses 1001', () => {
    const values = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
    expect(() => parseFilter({ age: { $in: values(1000) } }, FIELDS)).not.toThrow();
    expect(failure({ age: { $in: values(1001) } }).message).toBe('filter.age.$in: more than 1000 values');
  });

  it('bounds the $in values of the whole filter', () => {
    const lists = Array.from({ length: 11 }, () => ({
      age: { $nin: Array.from({ length: 1000 }, (_, i) => i) },
    }));
    expect(failure({ $or: lists }).message).toBe(
      `filter.$or[10].age.$nin: more than ${FILTER_LIMITS.totalInValues} values in all $in/$nin lists`,
    );
  });

  it('allows 4096-character strings and refuses longer', () => {
    expect(() => parseFilter({ bio: 'x'.repeat(4096) }, FIELDS)).not.toThrow();
    expect(failure({ bio: { $in: ['x'.repeat(4097)] } }).message).toBe(
      'filter.bio.$in[0]: string longer than 4096 characters',
    );
  });

  it('shortens a huge unknown field name in the message', () => {
    const { message } = failure({ ['k'.repeat(1000)]: 1 });
    expect(message.length).toBeLessThan(200);
  });
});
