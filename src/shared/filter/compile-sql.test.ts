import { describe, expect, it } from 'vitest';
import { compileFilter, parseFilter, type FieldTypes, type FilterContext } from './index';

const FIELDS: FieldTypes = {
  status: 'select',
  bio: 'text',
  owner: 'relation',
  age: 'number',
  active: 'bool',
};
const col = (f: string): string => `"${f}"`;
const compile = (input: unknown, ctx?: FilterContext): { sql: string; params: unknown[] } =>
  compileFilter(parseFilter(input, FIELDS), col, ctx);
const alice: FilterContext = { user: { id: 'u1', email: 'a@x.io' } };

describe('compileFilter', () => {
  it('compiles the DIALECTS example with placeholders only', () => {
    expect(
      compile('{"status":"online","age":{"$gt":1,"$lt":10},"$or":[{"bio":{"$like":"a%"}},{"age":1}]}'),
    ).toEqual({
      sql: '("status" = ?) AND ("age" > ?) AND ("age" < ?) AND (("bio" LIKE ?) OR ("age" = ?))',
      params: ['online', 1, 10, 'a%', 1],
    });
  });

  it('compiles {} to true, an empty $or to false', () => {
    expect(compile({})).toEqual({ sql: '1', params: [] });
    expect(compile({ $or: [] })).toEqual({ sql: '0', params: [] });
    expect(compile({ $and: [] })).toEqual({ sql: '1', params: [] });
  });

  it.each([
    [{ bio: { $eq: 'x' } }, '"bio" = ?'],
    [{ bio: { $neq: 'x' } }, '"bio" IS NOT ?'],
    [{ bio: { $gt: 'x' } }, '"bio" > ?'],
    [{ bio: { $gte: 'x' } }, '"bio" >= ?'],
    [{ bio: { $lt: 'x' } }, '"bio" < ?'],
    [{ bio: { $lte: 'x' } }, '"bio" <= ?'],
    [{ bio: { $like: 'x' } }, '"bio" LIKE ?'],
    [{ bio: { $notlike: 'x' } }, '("bio" IS NULL OR "bio" NOT LIKE ?)'],
    [{ bio: { $contains: 'x' } }, 'instr("bio", ?) > 0'],
    [{ bio: { $notcontains: 'x' } }, '("bio" IS NULL OR instr("bio", ?) = 0)'],
    [{ bio: { $containsfold: 'x' } }, 'instr(lower("bio"), ?) > 0'],
    [{ bio: { $notcontainsfold: 'x' } }, '("bio" IS NULL OR instr(lower("bio"), ?) = 0)'],
    [{ bio: { $in: ['x', 'y'] } }, '"bio" IN (?, ?)'],
    [{ bio: { $nin: ['x', 'y'] } }, '("bio" IS NULL OR "bio" NOT IN (?, ?))'],
    [{ bio: { $null: true } }, '"bio" IS NULL'],
    [{ bio: { $null: false } }, '"bio" IS NOT NULL'],
  ])('compiles %j to %s', (input, sql) => {
    expect(compile(input).sql).toBe(sql);
  });

  it('binds bools as 0/1 and ASCII-lowers $containsfold needles only', () => {
    expect(compile({ active: true }).params).toEqual([1]);
    expect(compile({ active: { $in: [false, true] } }).params).toEqual([0, 1]);
    expect(compile({ bio: { $containsfold: 'ÉcOLE' } }).params).toEqual(['École']);
  });

  it('compiles empty $in to false and empty $nin to true', () => {
    expect(compile({ age: { $in: [] } })).toEqual({ sql: '0', params: [] });
    expect(compile({ age: { $nin: [] } })).toEqual({ sql: '1', params: [] });
  });

  it('resolves @user references, and makes them false for an anonymous caller', () => {
    expect(compile({ owner: '@user.id' }, alice)).toEqual({ sql: '"owner" = ?', params: ['u1'] });
    expect(compile({ owner: '@user.id' })).toEqual({ sql: '0', params: [] });
    expect(compile({ owner: { $neq: '@user.id' } }, { user: null })).toEqual({ sql: '0', params: [] });
    expect(compile({ owner: { $nin: ['x', '@user.role'] } }, alice)).toEqual({ sql: '0', params: [] });
    expect(compile({ owner: { $in: ['x', '@user.email'] } }, alice)).toEqual({
      sql: '"owner" IN (?, ?)',
      params: ['x', 'a@x.io'],
    });
  });

  it('never puts a value into the SQL text', () => {
    const evil = "x' OR 1=1; DROP TABLE t; --";
    const { sql, params } = compile({
      bio: evil,
      $or: [{ status: { $like: evil } }, { bio: { $in: [evil] } }],
    });
    expect(sql).not.toContain('DROP');
    expect(params).toEqual([evil, evil, evil]);
  });

  it('uses the column function for every field', () => {
    const { sql } = compileFilter(parseFilter({ age: 1, bio: null }, FIELDS), (f) => `t."c_${f}"`);
    expect(sql).toBe('(t."c_age" = ?) AND (t."c_bio" IS NULL)');
  });
});
