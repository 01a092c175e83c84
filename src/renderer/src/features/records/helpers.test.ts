import { describe, expect, it } from 'vitest';
import { autoMap, chunks, convertCell, failuresCsv, toRecords } from './import-plan';
import { checkFilterText, DEFAULT_SORT, nextSort } from './query';
import { conflictingFields, formBody, localEdits, toDraft, withoutStamp } from './record-form';
import { selectionFilters } from './actions';
import type { FieldDef } from '../../../../shared/schema';

const fields: FieldDef[] = [
  { name: 'title', type: 'text', required: true },
  { name: 'n', type: 'number' },
  { name: 'done', type: 'bool' },
  { name: 'meta', type: 'json' },
];
const types = { id: 'text', title: 'text', n: 'number', done: 'bool', meta: 'json' } as const;

describe('filter text and sort', () => {
  it('checks filters with the shared parser and says where the mistake is', () => {
    expect(checkFilterText('', types)).toEqual({ ok: true, filter: undefined });
    expect(checkFilterText('{"n":{"$gt":1}}', types)).toEqual({ ok: true, filter: { n: { $gt: 1 } } });
    expect(checkFilterText('{"n":', types)).toMatchObject({
      ok: false,
      message: expect.stringContaining('Not valid JSON'),
    });
    expect(checkFilterText('{"nope":1}', types)).toMatchObject({ ok: false, path: 'filter.nope' });
  });
  it('cycles a column ascending, descending, then back to newest first', () => {
    expect(nextSort(DEFAULT_SORT, 'title')).toBe('title');
    expect(nextSort('title', 'title')).toBe('-title');
    expect(nextSort('-title', 'title')).toBe(DEFAULT_SORT);
    expect(nextSort(DEFAULT_SORT, 'created_at')).toBe('created_at');
  });
});

describe('record form', () => {
  it('sends only changed fields and validates with the server rules', () => {
    const base = { id: 'a', created_at: '', updated_at: '', title: 'x', n: 1, done: false, meta: null };
    const draft = { ...toDraft(fields, base), n: '2' };
    expect(formBody(fields, draft, base)).toEqual({ body: { n: 2 }, errors: {} });
    expect(formBody(fields, { ...draft, title: '' }, base).errors).toEqual({ title: 'is required' });
    expect(formBody(fields, { ...draft, meta: '{' }, base).errors.meta).toMatch(/not valid JSON/);
    expect(formBody(fields, toDraft(fields), undefined).errors).toEqual({ title: 'is required' });
  });
  it('tells the local edits, and which of them the other version changed too', () => {
    const base = { id: 'a', created_at: '', updated_at: '1', title: 'x', n: 1, done: false, meta: null };
    const draft = { ...toDraft(fields, base), title: 'mine', n: 'lots', done: false };
    // A valid edit is the value it sends; an invalid one is the text as typed; untouched fields are absent.
    const edits = localEdits(fields, draft, base);
    expect(edits).toEqual({ title: 'mine', n: 'lots' });
    expect(localEdits(fields, toDraft(fields, base), base)).toEqual({});
    const theirs = { ...base, updated_at: '2', title: 'theirs', meta: { a: 1 } };
    expect(conflictingFields(base, theirs, edits)).toEqual(['title']);
    expect(conflictingFields(base, { ...base, updated_at: '2', done: true }, edits)).toEqual([]);
    expect(withoutStamp(theirs)).not.toHaveProperty('updated_at');
    expect(withoutStamp(theirs)).toMatchObject({ id: 'a', title: 'theirs' });
  });
});

describe('import plan', () => {
  it('maps headers by name and converts cells by field type', () => {
    expect(autoMap(['Title', 'N', 'other', 'id'], fields)).toEqual(['title', 'n', null, 'id']);
    expect(convertCell('number', '3.5')).toBe(3.5);
    expect(convertCell('number', 'x')).toBe('x');
    expect(convertCell('bool', 'TRUE')).toBe(true);
    expect(convertCell('json', '{"a":1}')).toEqual({ a: 1 });
    expect(convertCell('text', '')).toBeUndefined();
    expect(
      toRecords(
        [
          ['a', '1', ''],
          ['b', '', 'no'],
        ],
        ['title', 'n', 'done'],
        ['title', 'n', 'done'],
        types,
      ),
    ).toEqual([
      { title: 'a', n: 1 },
      { title: 'b', done: false },
    ]);
    expect(chunks(2500, 1000)).toEqual([
      [0, 1000],
      [1000, 2000],
      [2000, 2500],
    ]);
    expect(failuresCsv([{ row: 3, errors: { title: 'is required, "really"' } }])).toBe(
      'row,field,message\r\n3,title,"is required, ""really"""\r\n',
    );
  });
  it('names a selection by ids in chunks of 1,000, or by the filter for "all"', () => {
    const ids = new Set(Array.from({ length: 1500 }, (_, i) => `r${i}`));
    const f = selectionFilters({ ids, all: false, anchor: null }, undefined);
    expect(f).toHaveLength(2);
    expect(selectionFilters({ ids: new Set(), all: true, anchor: null }, { n: 1 })).toEqual([{ n: 1 }]);
  });
});
