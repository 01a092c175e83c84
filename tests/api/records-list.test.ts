import { beforeAll, describe, expect, it } from 'vitest';
import { createCollection, createRecord, eventsSince, lastSeq, uniq, useServer, withQuery } from './support';

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;

/** Ten known records in one collection shared by the read-only list tests. */
const shared = { name: '', ids: {} as Record<string, string> };
const ROWS = [
  { key: 'a', title: 'Alpha', n: 1, flag: true, at: '2024-01-01T00:00:00.000Z', kind: 'x', tags: { t: 1 } },
  { key: 'b', title: 'beta', n: 2, flag: false, at: '2024-02-01T00:00:00.000Z', kind: 'y' },
  { key: 'c', title: 'Gamma ray', n: 3, flag: true, at: '2024-03-01T00:00:00.000Z', kind: 'x' },
  { key: 'd', title: 'delta_50%', n: 4, flag: false, at: '2024-04-01T00:00:00.000Z', kind: 'z' },
  { key: 'e', title: 'Epsilon', n: 5, flag: true, at: '2024-05-01T00:00:00.000Z', kind: 'y' },
  { key: 'f', title: 'zeta', n: 5, flag: false, kind: 'x' },
  { key: 'g', title: 'Eta', n: 7, kind: 'z' },
  { key: 'h', n: 8, flag: true, at: '2024-08-01T00:00:00.000Z', kind: 'x' },
  { key: 'i', title: 'Iota', flag: false, at: '2024-09-01T00:00:00.000Z', kind: 'y' },
  { key: 'j', title: 'Kappa', n: 10, flag: true, at: '2024-10-01T00:00:00.000Z', kind: 'x' },
];

beforeAll(async () => {
  shared.name = uniq('list');
  await createCollection(env.admin, {
    name: shared.name,
    fields: [
      { name: 'key', type: 'text' },
      { name: 'title', type: 'text' },
      { name: 'n', type: 'number' },
      { name: 'flag', type: 'bool' },
      { name: 'at', type: 'date' },
      { name: 'kind', type: 'select', options: ['x', 'y', 'z'] },
      { name: 'tags', type: 'json' },
    ],
  });
  for (const row of ROWS) shared.ids[row.key] = (await createRecord(env.admin, shared.name, row)).id;
});

/** The keys of the records a filter selects, in list order. */
async function keys(filter: unknown, extra: Record<string, string | number> = {}): Promise<string[]> {
  const r = await env.admin.get(
    withQuery(recs(shared.name), { filter: filter as object, per_page: 500, ...extra }),
  );
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.items.map((x: { key: string }) => x.key);
}

describe('filter', () => {
  it.each<[string, unknown, string[]]>([
    ['plain equality', { kind: 'y' }, ['b', 'e', 'i']],
    ['$eq / $neq (NULL matches $neq)', { n: { $neq: 5 } }, ['a', 'b', 'c', 'd', 'g', 'h', 'i', 'j']],
    ['$gt $lte on numbers', { n: { $gt: 3, $lte: 7 } }, ['d', 'e', 'f', 'g']],
    [
      '$gte $lt on dates, given as text or ms',
      { at: { $gte: '2024-03-01', $lt: Date.parse('2024-05-01') } },
      ['c', 'd'],
    ],
    ['bool', { flag: false }, ['b', 'd', 'f', 'i']],
    ['null', { title: null }, ['h']],
    ['$null false', { at: { $null: false }, n: { $null: true } }, ['i']],
    ['$in / $nin', { kind: { $in: ['x', 'z'] }, key: { $nin: ['a', 'h'] } }, ['c', 'd', 'f', 'g', 'j']],
    ['$like with %, ASCII case-insensitive', { title: { $like: '%A' } }, ['a', 'b', 'f', 'g', 'i', 'j']],
    ['$like with _', { title: { $like: '_ETA' } }, ['b', 'f']],
    ['$notlike (NULL matches)', { title: { $notlike: '%a%' } }, ['e', 'h']],
    ['$contains is case-sensitive, and % is a plain character', { title: { $contains: '50%' } }, ['d']],
    ['$containsfold', { title: { $containsfold: 'ETA' } }, ['b', 'f', 'g']],
    ['$notcontains', { title: { $notcontains: 'ta' } }, ['a', 'c', 'e', 'h', 'j']],
    ['$notcontainsfold', { title: { $notcontainsfold: 'A' } }, ['e', 'h']],
    ['$or', { $or: [{ n: 1 }, { kind: 'z' }] }, ['a', 'd', 'g']],
    [
      '$and with nested $or',
      { $and: [{ flag: true }, { $or: [{ n: { $lt: 2 } }, { n: { $gt: 7 } }] }] },
      ['a', 'h', 'j'],
    ],
    ['json presence', { tags: { $null: false } }, ['a']],
    ['system fields', { created_at: { $gt: '2000-01-01' }, key: 'c' }, ['c']],
    ['empty filter', {}, ROWS.map((r) => r.key)],
  ])('%s', async (_what, filter, expected) => {
    expect(await keys(filter)).toEqual(expected);
  });

  it('filters on id', async () => {
    expect(await keys({ id: shared.ids.e })).toEqual(['e']);
    expect(await keys({ id: { $in: [shared.ids.a, shared.ids.j, 'nosuch'] } })).toEqual(['a', 'j']);
  });

  it('takes the filter raw, URL-encoded once, or encoded twice', async () => {
    const f = '{"kind":"y","n":{"$gte":2}}';
    const expected = ['b', 'e'];
    for (const q of [f, encodeURIComponent(f), encodeURIComponent(encodeURIComponent(f))]) {
      const r = await env.admin.get(`${recs(shared.name)}?filter=${q}`);
      expect(r.status, q).toBe(200);
      expect(r.body.items.map((x: { key: string }) => x.key)).toEqual(expected);
    }
  });

  it.each<[string, string, string]>([
    ['not JSON', '{kind:', 'filter: invalid JSON'],
    ['unknown field', '{"nosuch":1}', "filter.nosuch: unknown field 'nosuch'"],
    [
      'wrong value type',
      '{"n":{"$gt":"3"}}',
      "filter.n.$gt: expected a number for number field 'n', got string",
    ],
    [
      'operator not for the type',
      '{"n":{"$like":"1%"}}',
      "filter.n.$like: operator '$like' is not supported for number field 'n'",
    ],
    ['unknown operator', '{"title":{"$regex":"x"}}', "filter.title.$regex: unknown operator '$regex'"],
    [
      'bad nested part',
      '{"$or":[{"n":1},{"at":"not a date"}]}',
      "filter.$or[1].at: expected a date (ISO 8601 string or milliseconds) for date field 'at', got an invalid date",
    ],
    ['not an object', '[1,2]', 'filter: expected an object, got array'],
  ])('refuses %s with 400 invalid_filter naming the bad part', async (_what, raw, message) => {
    const r = await env.admin.get(`${recs(shared.name)}?filter=${encodeURIComponent(raw)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_filter');
    expect(r.body.error.message).toBe(message);
    expect(r.body.error.details.path).toBe(message.split(':')[0]);
  });
});

describe('sort, page, select', () => {
  it('sorts by several fields, descending with -, ties in creation order following the last key', async () => {
    // e and f tie on n: oldest first ascending, newest first descending.
    expect(await keys({}, { sort: 'n' })).toEqual(['i', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'j']);
    expect(await keys({}, { sort: '-n' })).toEqual(['j', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a', 'i']);
    expect(await keys({ kind: { $in: ['x', 'y'] } }, { sort: 'kind,-n' })).toEqual([
      'j',
      'h',
      'f',
      'c',
      'a',
      'e',
      'b',
      'i',
    ]);
    expect(await keys({ n: { $null: false } }, { sort: '-flag,+key' })).toEqual([
      'a',
      'c',
      'e',
      'h',
      'j',
      'b',
      'd',
      'f',
      'g',
    ]);
    expect(await keys({}, { sort: '-created_at' })).toEqual([...ROWS.map((r) => r.key)].reverse());
    const bad = await env.admin.get(`${recs(shared.name)}?sort=nosuch`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'bad_request',
      message: "Cannot sort by 'nosuch': no such field.",
    });
  });

  it('pages with page and per_page, and reports totals', async () => {
    const r = await env.admin.get(`${recs(shared.name)}?sort=key&page=2&per_page=3`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ page: 2, per_page: 3, total_items: 10, total_pages: 4 });
    expect(r.body.last_seq).toBe(await lastSeq(env.admin));
    expect(r.body.items.map((x: { key: string }) => x.key)).toEqual(['d', 'e', 'f']);
    const last = await env.admin.get(`${recs(shared.name)}?sort=key&page=4&per_page=3`);
    expect(last.body.items.map((x: { key: string }) => x.key)).toEqual(['j']);
    const past = await env.admin.get(`${recs(shared.name)}?page=99&per_page=3`);
    expect(past.status).toBe(200);
    expect(past.body.items).toEqual([]);
    const dflt = await env.admin.get(recs(shared.name));
    expect(dflt.body).toMatchObject({ page: 1, per_page: 30, total_items: 10, total_pages: 1 });
    const filtered = await env.admin.get(
      withQuery(recs(shared.name), { filter: { kind: 'x' }, per_page: 2 }),
    );
    expect(filtered.body).toMatchObject({ total_items: 5, total_pages: 3 });
    expect((await env.admin.get(`${recs(shared.name)}?per_page=500`)).status).toBe(200);
  });

  it.each([
    ['page', '0', "'page' must be an integer from 1 to 1000000, got '0'."],
    ['page', '-1', "'page' must be an integer from 1 to 1000000, got '-1'."],
    ['page', '1.5', "'page' must be an integer from 1 to 1000000, got '1.5'."],
    ['per_page', '0', "'per_page' must be an integer from 1 to 500, got '0'."],
    ['per_page', '501', "'per_page' must be an integer from 1 to 500, got '501'."],
    ['per_page', 'ten', "'per_page' must be an integer from 1 to 500, got 'ten'."],
  ])('refuses %s=%s with 400', async (param, value, message) => {
    const r = await env.admin.get(`${recs(shared.name)}?${param}=${value}`);
    expect(r.status).toBe(400);
    expect(r.body.error).toEqual({ code: 'bad_request', message });
  });

  it('selects fields; id is always there', async () => {
    const r = await env.admin.get(`${recs(shared.name)}?select=title,n&sort=key&per_page=2`);
    expect(r.status).toBe(200);
    expect(r.body.items).toEqual([
      { id: shared.ids.a, title: 'Alpha', n: 1 },
      { id: shared.ids.b, title: 'beta', n: 2 },
    ]);
    const bad = await env.admin.get(`${recs(shared.name)}?select=title,ghost,password`);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'bad_request',
      message: "Cannot select 'ghost', 'password': no such field.",
    });
  });
});

describe('bulk update and delete by filter', () => {
  async function fresh(n: number) {
    const name = uniq('bulk');
    await createCollection(env.admin, {
      name,
      fields: [
        { name: 'i', type: 'number' },
        { name: 'state', type: 'text' },
        { name: 'slug', type: 'text', unique: true },
      ],
    });
    const ids: string[] = [];
    for (let i = 0; i < n; i++)
      ids.push((await createRecord(env.admin, name, { i, state: 'new', slug: `s${i}` })).id);
    return { name, ids };
  }

  it('updates every match in one seq run, one event each with previous', async () => {
    const { name, ids } = await fresh(5);
    const since = await lastSeq(env.admin);
    const r = await env.admin.patch(withQuery(recs(name), { filter: { i: { $gte: 2 } } }), { state: 'done' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ updated: 3 });
    const evs = await eventsSince(env.admin, since);
    expect(evs.map((e) => e.type)).toEqual(['record.updated', 'record.updated', 'record.updated']);
    expect(evs.map((e) => e.record_id)).toEqual(ids.slice(2));
    expect(evs.map((e) => e.seq)).toEqual([since + 1, since + 2, since + 3]);
    expect(new Set(evs.map((e) => e.trace_id)).size).toBe(1);
    expect(evs[0].trace_id).toBe(r.headers.get('x-trace-id'));
    for (const e of evs) {
      expect(e.previous.state).toBe('new');
      expect(e.data.state).toBe('done');
    }
    const states = (await env.admin.get(`${recs(name)}?sort=i`)).body.items.map(
      (x: { state: string }) => x.state,
    );
    expect(states).toEqual(['new', 'new', 'done', 'done', 'done']);
  });

  it('deletes every match in one seq run, one event each', async () => {
    const { name, ids } = await fresh(4);
    const since = await lastSeq(env.admin);
    const r = await env.admin.del(withQuery(recs(name), { filter: { i: { $in: [0, 3] } } }));
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: 2 });
    const evs = await eventsSince(env.admin, since);
    expect(evs.map((e) => [e.type, e.record_id, e.seq])).toEqual([
      ['record.deleted', ids[0], since + 1],
      ['record.deleted', ids[3], since + 2],
    ]);
    expect((await env.admin.get(recs(name))).body.total_items).toBe(2);
    // No match: nothing happens.
    const none = await env.admin.del(withQuery(recs(name), { filter: { i: 99 } }));
    expect(none.body).toEqual({ deleted: 0 });
    expect(await lastSeq(env.admin)).toBe(since + 2);
    // filter={} is the explicit "everything".
    expect((await env.admin.del(withQuery(recs(name), { filter: {} }))).body).toEqual({ deleted: 2 });
    expect((await env.admin.get(recs(name))).body.total_items).toBe(0);
  });

  it('needs a filter, a valid one, and a valid body', async () => {
    const { name } = await fresh(2);
    const since = await lastSeq(env.admin);
    for (const method of ['PATCH', 'DELETE']) {
      const r = await env.admin.req(method, recs(name), method === 'PATCH' ? { state: 'x' } : undefined);
      expect(r.status, method).toBe(400);
      expect(r.body.error).toEqual({
        code: 'bad_request',
        message: "Bulk writes need a 'filter' (use filter={} for all records).",
      });
      const bad = await env.admin.req(
        method,
        `${recs(name)}?filter=${encodeURIComponent('{"ghost":1}')}`,
        method === 'PATCH' ? { state: 'x' } : undefined,
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('invalid_filter');
      expect(bad.body.error.details).toEqual({ path: 'filter.ghost' });
    }
    const body = await env.admin.patch(withQuery(recs(name), { filter: {} }), { i: 'one', id: 'x' });
    expect(body.status).toBe(400);
    expect(body.body.error.details).toEqual({
      i: 'expected a number, got string',
      id: 'cannot set ids in a bulk update',
    });
    expect(await lastSeq(env.admin)).toBe(since);
  });

  it('is all or nothing: a unique violation midway changes nothing and emits nothing', async () => {
    const { name } = await fresh(3);
    const since = await lastSeq(env.admin);
    const r = await env.admin.patch(withQuery(recs(name), { filter: {} }), { slug: 'same' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('unique_violation');
    const slugs = (await env.admin.get(`${recs(name)}?sort=i`)).body.items.map(
      (x: { slug: string }) => x.slug,
    );
    expect(slugs).toEqual(['s0', 's1', 's2']);
    expect(await lastSeq(env.admin)).toBe(since);
  });
});
