import { describe, expect, it } from 'vitest';
import {
  checkFilterText,
  completionsFor,
  contextAt,
  filterFieldTypes,
  matchCompletions,
} from './filter-language';

const fields = [
  { name: 'title', type: 'text' as const },
  { name: 'status', type: 'select' as const, options: ['draft', 'live'] },
  { name: 'views', type: 'number' as const },
  { name: 'meta', type: 'json' as const },
];
const labels = (text: string) => {
  const { context } = contextAt(text, text.length);
  return completionsFor(context, fields).map((c) => c.label);
};

describe('filter completions', () => {
  it('offers fields, system fields and $and/$or at the filter level', () => {
    const l = labels('{"');
    expect(l).toEqual(
      expect.arrayContaining(['title', 'status', 'id', 'account', 'created_at', '$and', '$or']),
    );
    expect(l).not.toContain('$eq');
    expect(labels('{"$or": [{"')).toContain('views');
  });

  it("offers the field type's operators inside a field", () => {
    expect(labels('{"views": {"')).toEqual([
      '$eq',
      '$neq',
      '$gt',
      '$gte',
      '$lt',
      '$lte',
      '$in',
      '$nin',
      '$null',
    ]);
    expect(labels('{"meta": {')).toEqual(['$null']);
    expect(labels('{"title": {"$eq": "x", ')).toContain('$containsfold');
  });

  it('offers @user refs and select options as values', () => {
    const l = labels('{"status": {"$eq": ');
    expect(l).toEqual(
      expect.arrayContaining(['@user.id', '@user.email', '@user.role', '@user.account', 'draft', 'live']),
    );
    expect(labels('{"views": ')).not.toContain('@user.id');
    expect(labels('{"title": {"$in": ["a", ')).toContain('@user.email');
  });

  it('offers no @user refs where there is no caller (the records filter)', () => {
    const query = (text: string) =>
      completionsFor(contextAt(text, text.length).context, fields, { userRefs: false }).map((c) => c.label);
    expect(query('{"status": {"$eq": ')).toEqual(['draft', 'live', 'null']);
    expect(query('{"title": ')).not.toContain('@user.id');
    expect(query('{"')).toContain('title');
    expect(query('{"views": {"')).toContain('$gte');
  });

  it('narrows to what is typed, prefix matches first, quotes ignored', () => {
    const all = completionsFor({ kind: 'filter-key' }, fields);
    expect(matchCompletions(all, '"acc').map((c) => c.label)).toEqual(['account']);
    expect(matchCompletions(all, '"at')[0]!.label).not.toMatch(/^\$/);
    expect(matchCompletions(all, '"ti').map((c) => c.label)).toEqual(['title']);
  });

  it('replaces the word being typed, quote included', () => {
    expect(contextAt('{"ti', 4).from).toBe(1);
    expect(contextAt('{"a": "@us', 10).from).toBe(6);
  });
});

describe('checkFilterText', () => {
  const types = filterFieldTypes(fields);
  it('accepts a valid filter', () => {
    expect(checkFilterText('{"title": "@user.id", "views": {"$gt": 3}}', types)).toBeNull();
  });
  it('points at the bad key with the parser message', () => {
    const text = '{"views": {"$like": "x"}}';
    const p = checkFilterText(text, types)!;
    expect(text.slice(p.from, p.to)).toBe('"$like"');
    expect(p.message).toMatch(/\$like/);
    const u = checkFilterText('{"nope": 1}', types)!;
    expect(u.message).toContain("unknown field 'nope'");
  });
  it('takes an empty filter as none only where that is allowed', () => {
    expect(checkFilterText('  ', types)!.message).toMatch(/^Write a filter/);
    expect(checkFilterText('  ', types, { allowEmpty: true })).toBeNull();
  });
  it('reports invalid JSON', () => {
    expect(checkFilterText('{"title": ', types)!.message).toMatch(/^Not valid JSON/);
  });
});
