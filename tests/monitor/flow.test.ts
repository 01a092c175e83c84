import { afterEach, describe, expect, it } from 'vitest';
import { userClient } from '../helpers/server';
import { closeAll, event, is, native, subscribed, type Frame, type WsClient } from '../helpers/ws';
import { useServer } from '../api/support';
import { openCollection, watcher } from './support';

const env = useServer();
afterEach(closeAll);

let n = 0;
const user = (role: 'editor' | 'admin', account?: string) =>
  userClient(env.admin, `mon-flow-${++n}@test.local`, role, account);

/** The summary of record `id`'s event, from the watcher's `events` batches (waits for it). */
async function summaryOf(m: WsClient, id: string): Promise<Frame> {
  const batch = await m.next(
    (f) => f.type === 'events' && f.data.events.some((e: Frame) => e.record_id === id),
  );
  return batch.data.events.find((e: Frame) => e.record_id === id);
}

/** A watcher that asked for the flow, once the server has said yes. */
async function flowWatcher(token: string) {
  const m = await watcher(env.s.url, token);
  m.send({ type: 'flow', on: true });
  expect((await m.next(is('flow'))).data).toEqual({ on: true, max: 200 });
  return m;
}

const sorted = (l: string[]) => [...l].sort();

describe('monitor feed: the flow (per-connection outcomes)', () => {
  it("lists each connection's outcome for watchers that ask, cut to an account admin's own connections", async () => {
    const name = await openCollection(env.admin, { published: true });
    const admin = await user('admin');
    const editor = await user('editor');
    const elsewhereAdmin = await user('admin', 'acct_flow_b');
    const gets = await native(env.s.url, { token: admin.token });
    await subscribed(gets, { collection: name });
    const filteredOut = await native(env.s.url, { token: admin.token });
    await subscribed(filteredOut, { collection: name, filter: { title: 'something else' } });
    const denied = await native(env.s.url, { token: editor.token });
    await subscribed(denied, { collection: name });
    const elsewhere = await native(env.s.url, { token: elsewhereAdmin.token });
    await subscribed(elsewhere, { collection: name });

    const superFlow = await flowWatcher(env.admin.token!);
    const accountFlow = await flowWatcher(admin.token!);
    const plain = await watcher(env.s.url, env.admin.token!);
    const otherAccount = await flowWatcher(elsewhereAdmin.token!);

    const r = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'x', published: false });
    expect(r.status).toBe(201);
    await gets.next(event('record.created', name));

    const all = await summaryOf(superFlow, r.body.id);
    expect(all.fanout).toMatchObject({
      candidates: 4,
      sent: 1,
      skipped_filter: 1,
      skipped_rule: 2,
      dropped: 0,
    });
    expect({ ...all.flow, denied: sorted(all.flow.denied) }).toEqual({
      delivered: [gets.connectionId],
      filtered: [filteredOut.connectionId],
      denied: sorted([denied.connectionId, elsewhere.connectionId]),
      dropped: [],
      capped: false,
    });
    // The default account's admin: its own connections only (the figures stay the hub's).
    expect((await summaryOf(accountFlow, r.body.id)).flow).toEqual({
      delivered: [gets.connectionId],
      filtered: [filteredOut.connectionId],
      denied: [denied.connectionId],
      dropped: [],
      capped: false,
    });
    // A watcher that did not ask gets no list.
    expect(await summaryOf(plain, r.body.id)).not.toHaveProperty('flow');

    // In the other account: its admin sees its own event's flow and nothing of the default account.
    const theirs = await elsewhereAdmin.post(`/api/v1/collections/${name}/records`, {
      title: 'b',
      published: true,
    });
    expect(theirs.status).toBe(201);
    await elsewhere.next(event('record.created', name));
    const b = await summaryOf(otherAccount, theirs.body.id);
    expect(b.flow).toEqual({
      delivered: [elsewhere.connectionId],
      filtered: [],
      denied: [],
      dropped: [],
      capped: false,
    });
    expect(
      otherAccount.frames.some(
        (f) => f.type === 'events' && f.data.events.some((e: Frame) => e.record_id === r.body.id),
      ),
    ).toBe(false);
    expect(JSON.stringify(otherAccount.frames)).not.toContain(gets.connectionId);
  }, 30_000);

  it('without a flow watcher the summaries carry no list; turning it off stops it', async () => {
    const name = await openCollection(env.admin);
    const c = await native(env.s.url);
    await subscribed(c, { collection: name });
    const m = await watcher(env.s.url, env.admin.token!);
    const before = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'a' });
    expect(await summaryOf(m, before.body.id)).not.toHaveProperty('flow');

    m.send({ type: 'flow', on: true });
    await m.next(is('flow'));
    const during = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'b' });
    expect((await summaryOf(m, during.body.id)).flow.delivered).toEqual([c.connectionId]);

    m.send({ type: 'flow', on: false });
    expect((await m.next(is('flow'))).data).toEqual({ on: false, max: 200 });
    const after = await env.admin.post(`/api/v1/collections/${name}/records`, { title: 'c' });
    expect(await summaryOf(m, after.body.id)).not.toHaveProperty('flow');
  }, 30_000);
});
