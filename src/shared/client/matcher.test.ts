import { describe, expect, it } from 'vitest';
import { parseFilter } from '../filter';
import { FilterResolver } from './filters';
import { inferFieldTypes, matchEvent } from './matcher';
import { SubscriptionBook } from './subscriptions';
import type { ClientEvent } from './types';

const ev = (over: Partial<ClientEvent>): ClientEvent => ({
  seq: 1,
  type: 'record.created',
  collection: 'posts',
  record_id: 'a',
  data: { id: 'a', title: 'x', n: 1 },
  timestamp: '2024-01-01T00:00:00.000Z',
  ...over,
});

describe('inferFieldTypes', () => {
  it('guesses from the compared values and keeps system field types', () => {
    expect(
      inferFieldTypes({
        title: 'x',
        n: { $gt: 1 },
        flag: true,
        meta: null,
        tags: { $in: ['a', 'b'] },
        $or: [{ owner: '@user.id' }, { score: { $null: true } }],
        created_at: { $gt: '2024' },
      }),
    ).toEqual({
      title: 'text',
      n: 'number',
      flag: 'bool',
      meta: 'json',
      tags: 'text',
      owner: 'text',
      score: 'json',
      id: 'text',
      created_at: 'date',
      updated_at: 'date',
      account: 'text',
    });
  });
});

describe('matchEvent', () => {
  const node = parseFilter({ title: 'x' }, inferFieldTypes({ title: 'x' }));

  it('checks collection, events and id; presence events reach * and presence', () => {
    const t = (collection: string, options = {}) => ({ collection, options });
    expect(matchEvent(ev({}), t('tags'), undefined, {})).toBeNull();
    expect(matchEvent(ev({}), t('*'), undefined, {})).not.toBeNull();
    expect(matchEvent(ev({}), t('posts', { events: ['record.updated'] }), undefined, {})).toBeNull();
    expect(matchEvent(ev({}), t('posts', { id: 'b' }), undefined, {})).toBeNull();
    const joined = ev({ type: 'user.joined', collection: undefined, record_id: undefined, seq: undefined });
    expect(matchEvent(joined, t('presence'), undefined, {})).toBe(joined);
    expect(matchEvent(joined, t('*'), node, {})).toBe(joined);
    expect(matchEvent(joined, t('posts'), undefined, {})).toBeNull();
  });

  it('computes enter / stay / leave from previous and data', () => {
    const t = { collection: 'posts', options: { filter: { title: 'x' } } };
    const upd = (from: string, to: string) =>
      matchEvent(ev({ type: 'record.updated', previous: { title: from }, data: { title: to } }), t, node, {})
        ?.match;
    expect(upd('y', 'x')).toBe('enter');
    expect(upd('x', 'x')).toBe('stay');
    expect(upd('x', 'y')).toBe('leave');
    expect(upd('y', 'z')).toBeUndefined();
    expect(matchEvent(ev({}), t, node, {})?.match).toBe('enter');
    expect(matchEvent(ev({ type: 'record.deleted' }), t, node, {})?.match).toBe('leave');
    expect(matchEvent(ev({ data: { title: 'q' } }), t, node, {})).toBeNull();
  });

  it('trims to select (keeping id) without touching the original', () => {
    const e = ev({ type: 'record.updated', previous: { id: 'a', title: 'w', n: 0 } });
    const out = matchEvent(e, { collection: 'posts', options: { select: ['n'] } }, undefined, {});
    expect(out!.data).toEqual({ id: 'a', n: 1 });
    expect(out!.previous).toEqual({ id: 'a', n: 0 });
    expect(e.data).toEqual({ id: 'a', title: 'x', n: 1 });
  });

  it('resolves @user references from the context', () => {
    const f = { owner: '@user.id' };
    const n = parseFilter(f, inferFieldTypes(f));
    const t = { collection: 'posts', options: { filter: f } };
    const e = ev({ data: { owner: 'u1' } });
    expect(matchEvent(e, t, n, { user: { id: 'u1' } })).not.toBeNull();
    expect(matchEvent(e, t, n, { user: { id: 'u2' } })).toBeNull();
    expect(matchEvent(e, t, n, {})).toBeNull();
  });
});

describe('SubscriptionBook.wireOptions', () => {
  const http = {
    baseUrl: () => 'http://127.0.0.1:1',
    token: () => undefined,
    fetch: () => Promise.reject(new Error('offline')),
  };
  const make = () => new SubscriptionBook(new FilterResolver(http, () => {}), () => {});

  it('sends the common filter/select/id and the union of events', () => {
    const r = make();
    r.add('posts', { filter: { a: 1 }, events: ['record.created'], id: 'x', select: ['a'] }, () => {});
    r.add('posts', { filter: { a: 1 }, events: ['record.deleted'], id: 'x', select: ['a'] }, () => {});
    expect(r.wireOptions(r.groups.get('posts')!)).toEqual({
      collection: 'posts',
      filter: { a: 1 },
      events: ['record.created', 'record.deleted'],
      id: 'x',
      select: ['a'],
    });
  });

  it('drops what handlers disagree on; a common select only when no filter runs here', () => {
    const r = make();
    const h = r.add('posts', { filter: { a: 1 }, select: ['b'] }, () => {});
    r.add('posts', { filter: { a: 2 }, events: ['record.created'], select: ['b'] }, () => {});
    expect(r.wireOptions(r.groups.get('posts')!)).toEqual({ collection: 'posts' });
    r.remove(h);
    expect(r.wireOptions(r.groups.get('posts')!)).toEqual({
      collection: 'posts',
      filter: { a: 2 },
      events: ['record.created'],
      select: ['b'],
    });
  });

  it("lets an unrestricted '*' carry every group when '*' overlaps others; never sends a '*' filter", () => {
    const r = make();
    const star = r.add('*', { filter: { a: 1 }, events: ['record.created'] }, () => {});
    expect(r.wireOptions(r.groups.get('*')!)).toEqual({ collection: '*', events: ['record.created'] });
    r.groups.get('*')!.cursor = 7;
    r.add('posts', { filter: { a: 2 } }, () => {});
    expect(r.wireOptions(r.groups.get('*')!)).toEqual({ collection: '*' });
    expect(r.wireOptions(r.groups.get('posts')!)).toBeNull();
    expect(r.groups.get('posts')!.cursor).toBe(7);
    r.remove(star);
    expect(r.wireOptions(r.groups.get('posts')!)).toEqual({ collection: 'posts', filter: { a: 2 } });
  });

  it('forgets a group with its last handler', () => {
    const r = make();
    const h = r.add('posts', {}, () => {});
    r.remove(h);
    r.remove(h);
    expect(r.groups.size).toBe(0);
  });
});
