import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../shared/events';
import type { Authenticator } from '../auth';
import { AppError } from '../errors';
import { checkParams, projectRecord, verifyCredential } from './spec';
import { posts, principal } from './test-kit';

const lookup = (n: string) => (n === 'posts' ? posts() : undefined);
const check = (raw: Parameters<typeof checkParams>[0]) => checkParams(raw, lookup);
const GT1 = { kind: 'compare', field: 'n', type: 'number', op: '$gt', value: { kind: 'literal', value: 1 } };

describe('checkParams: the collection', () => {
  it('takes a collection name, `*` and `presence`', () => {
    expect(check({ collection: 'posts' })).toEqual({ ok: true, params: { collection: 'posts' } });
    expect(check({ collection: '*' })).toEqual({ ok: true, params: { collection: '*' } });
    expect(check({ collection: 'presence' })).toEqual({ ok: true, params: { collection: 'presence' } });
  });

  it.each([
    [{}, 'invalid_collection', 'Missing collection'],
    [{ collection: '' }, 'invalid_collection', 'Missing collection'],
    [{ collection: 7 }, 'invalid_collection', 'Missing collection'],
    [
      { collection: 'Posts!' },
      'invalid_collection',
      "Invalid collection name 'Posts!': use ^[a-z][a-z0-9_]{0,62}$ or '*'",
    ],
    [{ collection: 'notes' }, 'not_found', "Collection 'notes' not found"],
  ])('refuses %j: %s', (raw, code, message) => {
    expect(check(raw)).toEqual({ ok: false, code, message });
  });

  it('cuts a long bad name in the message', () => {
    const r = check({ collection: 'X'.repeat(300) });
    expect(r).toEqual({
      ok: false,
      code: 'invalid_collection',
      message: `Invalid collection name '${'X'.repeat(64)}': use ^[a-z][a-z0-9_]{0,62}$ or '*'`,
    });
  });
});

describe('checkParams: the filter', () => {
  it('no filter, null and {} mean everything', () => {
    for (const filter of [undefined, null, {}])
      expect(check({ collection: 'posts', filter })).toEqual({ ok: true, params: { collection: 'posts' } });
  });

  it('parses an object, a JSON string and URL-encoded JSON; the raw filter is echoed as JSON', () => {
    const json = '{"n":{"$gt":1}}';
    for (const filter of [{ n: { $gt: 1 } }, json, encodeURIComponent(json)]) {
      expect(check({ collection: 'posts', filter })).toEqual({
        ok: true,
        params: { collection: 'posts', filter: GT1, rawFilter: { n: { $gt: 1 } } },
      });
    }
  });

  it.each([
    ['posts', '', 'Invalid filter: filter: invalid JSON'],
    ['posts', 'not json', 'Invalid filter: filter: invalid JSON'],
    ['posts', { nope: 1 }, "Invalid filter: filter.nope: unknown field 'nope'"],
    ['*', { n: 1 }, "A filter needs a single collection, not '*'"],
    ['presence', { n: 1 }, "A filter needs a single collection, not 'presence'"],
  ])('on %s refuses %j', (collection, filter, message) => {
    expect(check({ collection, filter })).toEqual({ ok: false, code: 'invalid_filter', message });
  });

  it('refuses values that are not filters: [], 0', () => {
    for (const filter of [[], 0])
      expect(check({ collection: 'posts', filter })).toMatchObject({ ok: false, code: 'invalid_filter' });
  });
});

describe('checkParams: events, id, select, since', () => {
  it('events: a list or a comma string of hub event types', () => {
    const want = {
      ok: true,
      params: { collection: 'posts', events: new Set(['record.created', 'record.deleted']) },
    };
    expect(check({ collection: 'posts', events: ['record.created', 'record.deleted'] })).toEqual(want);
    expect(check({ collection: 'posts', events: 'record.created,record.deleted' })).toEqual(want);
    const message = `'events' must be a list of ${EVENT_TYPES.join(', ')}`;
    for (const events of [['create'], 'record.created,', 5])
      expect(check({ collection: 'posts', events })).toEqual({ ok: false, code: 'invalid_events', message });
  });

  it('id: a record id of at most 64 characters', () => {
    expect(check({ collection: 'posts', id: 'r1' })).toEqual({
      ok: true,
      params: { collection: 'posts', recordId: 'r1' },
    });
    expect(check({ collection: 'posts', id: 'x'.repeat(64) })).toMatchObject({ ok: true });
    for (const id of ['', 'x'.repeat(65), 5])
      expect(check({ collection: 'posts', id })).toEqual({
        ok: false,
        code: 'invalid_id',
        message: "'id' must be a record id",
      });
  });

  it("select: the collection's fields as a list or a comma string; any names for `*`", () => {
    expect(check({ collection: 'posts', select: 'title,n' })).toEqual({
      ok: true,
      params: { collection: 'posts', select: ['title', 'n'] },
    });
    expect(check({ collection: 'posts', select: ['title'] })).toMatchObject({
      params: { select: ['title'] },
    });
    expect(check({ collection: '*', select: 'anything,else' })).toMatchObject({
      params: { select: ['anything', 'else'] },
    });
    for (const select of ['title,nope', [1], 'valueOf'])
      expect(check({ collection: 'posts', select })).toEqual({
        ok: false,
        code: 'invalid_select',
        message: "'select' must list fields of 'posts'",
      });
  });

  it('since: a seq, as a number or a digit string', () => {
    expect(check({ collection: 'posts', since: 0 })).toEqual({
      ok: true,
      params: { collection: 'posts', since: 0 },
    });
    expect(check({ collection: 'posts', since: '12' })).toMatchObject({ params: { since: 12 } });
    for (const since of [-1, 1.5, '1e3', '', 2 ** 53])
      expect(check({ collection: 'posts', since })).toEqual({
        ok: false,
        code: 'invalid_since',
        message: "'since' must be a seq (an integer >= 0)",
      });
  });
});

describe('projectRecord', () => {
  it('keeps id and the selected fields the record has; without select, the record itself', () => {
    const r = { id: 'r1', title: 't', n: 1 };
    expect(projectRecord(r, undefined)).toBe(r);
    expect(projectRecord(undefined, ['title'])).toBeUndefined();
    expect(projectRecord(r, ['n', 'missing'])).toEqual({ id: 'r1', n: 1 });
    expect(Object.keys(projectRecord(r, ['n', 'title'])!)).toEqual(['id', 'n', 'title']);
  });
});

describe('verifyCredential', () => {
  const failing = (e: unknown): Authenticator => ({ authenticate: () => Promise.reject(e) });

  it('answers the principal, or which close to use for a 401', async () => {
    const p = principal();
    expect(await verifyCredential({ authenticate: async () => p }, 't')).toEqual({ ok: true, principal: p });
    expect(await verifyCredential(failing(new AppError(401, 'token_expired', 'x')), 't')).toEqual({
      ok: false,
      reason: 'token expired',
    });
    expect(await verifyCredential(failing(new AppError(401, 'unauthorized', 'x')), 't')).toEqual({
      ok: false,
      reason: 'invalid token',
    });
  });

  it('lets anything else through (a store that is down is not a bad token)', async () => {
    const down = new AppError(503, 'unavailable', 'x');
    await expect(verifyCredential(failing(down), 't')).rejects.toBe(down);
    const bug = new TypeError('x');
    await expect(verifyCredential(failing(bug), 't')).rejects.toBe(bug);
  });
});
