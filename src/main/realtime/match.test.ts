import { describe, expect, it } from 'vitest';
import type { Collection } from '../../shared/schema';
import { matchEvent, MISS, newViewCache } from './match';
import { posts, principal, recordEvent, spec, testHub, transport } from './test-kit';
import type { Subscription } from './types';

/** A subscription of a connection as `p` (no hub index needed: matchEvent reads the spec and the caller). */
function subOf(o: Parameters<typeof spec>[0] = {}, p = principal(), c: Collection = posts()): Subscription {
  const { hub } = testHub(c);
  const conn = hub.attach(transport(), p);
  hub.stop();
  conn.principal = p;
  return { ...spec(o, c), conn, lastSeq: 0 };
}

const update = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  recordEvent({
    type: 'record.updated',
    previous: { id: 'x', title: 't', n: 1, published: true, ...before },
    data: { id: 'x', title: 't', n: 1, published: true, ...after },
  });

describe('matchEvent', () => {
  it("live queries: enter, stay, leave, and hide when the record leaves the subscriber's sight", () => {
    const c = posts({ published: true } as never);
    const s = subOf({ filter: { n: { $gt: 5 } } }, principal(), c);
    expect(matchEvent(s, update({ n: 1 }, { n: 9 }), c)).toBe('enter');
    expect(matchEvent(s, update({ n: 7 }, { n: 9 }), c)).toBe('stay');
    expect(matchEvent(s, update({ n: 7 }, { n: 1 }), c)).toBe('leave');
    expect(matchEvent(s, update({ n: 7 }, { n: 7, published: false }), c)).toBe('hide');
    expect(matchEvent({ ...s, leaves: false }, update({ n: 7 }, { n: 1 }), c)).toBeNull();
    const plain = subOf({}, principal(), c);
    expect(matchEvent(plain, update({}, { title: 'u' }), c)).toBeUndefined();
    expect(matchEvent(plain, update({ published: false }, {}), c)).toBe('enter');
  });

  it('created and deleted: enter and leave a filtered subscription, no match kind without a filter', () => {
    const s = subOf({ filter: { n: { $gt: 5 } } });
    const big = { id: 'x', title: 't', n: 9, published: true };
    expect(matchEvent(s, recordEvent({ data: big }), posts())).toBe('enter');
    expect(matchEvent(s, recordEvent({ type: 'record.deleted', data: big }), posts())).toBe('leave');
    expect(matchEvent(subOf(), recordEvent({ type: 'record.deleted' }), posts())).toBeUndefined();
    expect(matchEvent(subOf(), recordEvent(), posts())).toBeUndefined();
  });

  it('schema events reach admins in scope: every one on `*`, those of its events on a collection', () => {
    const admin = principal({ role: 'admin' });
    const schema = recordEvent({ type: 'collection.updated', record_id: undefined, data: undefined });
    expect(matchEvent(subOf({}, admin), schema, posts())).toBeUndefined();
    expect(
      matchEvent(subOf({ events: new Set(['collection.updated']) }, admin), schema, posts()),
    ).toBeUndefined();
    expect(matchEvent(subOf({ events: new Set(['record.created']) }, admin), schema, posts())).toBeNull();
    expect(
      matchEvent(subOf({ collection: '*', events: new Set(['record.created']) }, admin), schema, posts()),
    ).toBeUndefined();
    const keyed = principal({ role: 'admin', kind: 'key', collections: ['other'] });
    expect(matchEvent(subOf({}, keyed), schema, posts())).toBeNull();
  });

  it('says why not: the view rule or account, the filter, the operation list, or the event kind', () => {
    const c = posts({ published: true } as never);
    let views = newViewCache();
    const fresh = () => (views = newViewCache());
    const s = subOf({ filter: { n: { $gt: 5 } } }, principal(), c);
    expect(matchEvent(s, recordEvent({ data: { id: 'x', n: 9, published: false } }), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.rule);
    expect(matchEvent(s, recordEvent({ data: { id: 'x', n: 1, published: true } }), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.filter);
    expect(matchEvent(s, update({ n: 1 }, { n: 2 }), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.filter);
    expect(matchEvent(s, update({ published: false }, { published: false }), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.rule);
    const other = subOf({}, principal({ account: 'b' }), c);
    expect(matchEvent(other, recordEvent(), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.rule);
    const ops = subOf({ events: new Set(['record.deleted']) }, principal(), c);
    expect(matchEvent(ops, recordEvent(), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.filter);
    const one = subOf({ recordId: 'other' }, principal(), c);
    expect(matchEvent(one, recordEvent(), c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.filter);
    const schema = recordEvent({ type: 'collection.updated', record_id: undefined, data: undefined });
    expect(matchEvent(subOf({ collection: '*' }, principal(), c), schema, c, fresh())).toBeNull();
    expect(views.miss).toBe(MISS.other);
    expect(
      matchEvent(subOf({ collection: '*' }, principal({ role: 'admin' }), c), schema, c),
    ).toBeUndefined();
  });

  it('presence reaches presence subscriptions of the same account (the superuser: all)', () => {
    const joined = recordEvent({
      type: 'user.joined',
      collection: undefined,
      seq: undefined as never,
      account: 'b',
    });
    expect(
      matchEvent(subOf({ presence: true }, principal({ account: 'b' })), joined, undefined),
    ).toBeUndefined();
    expect(matchEvent(subOf({ presence: true }, principal()), joined, undefined)).toBeNull();
    expect(
      matchEvent(subOf({ presence: true }, principal({ superuser: true })), joined, undefined),
    ).toBeUndefined();
    expect(matchEvent(subOf({ presence: false }, principal({ account: 'b' })), joined, undefined)).toBeNull();
  });

  it('decides a view rule once per caller per event', () => {
    const c = posts({ published: true } as never);
    const views = newViewCache();
    const p = principal();
    const ev = recordEvent();
    matchEvent(subOf({}, p, c), ev, c, views);
    matchEvent(subOf({ key: 'b' }, p, c), ev, c, views);
    expect(views.data.size).toBe(1);
  });
});
