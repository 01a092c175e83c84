/**
 * Frames as clients receive them, through the real transports on a real server: FastSchema's
 * one message per write (joined in its transport), every WebSocket dialect's event frame after
 * framing, and the SSE heartbeats.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvent } from '../../../shared/events';
import { realtimeServer, sseClient, until, wsClient } from './wire-kit';

const T = '2026-01-01T12:00:00.000Z';
let seq = 0;
const rec = (id: string, title = 'x') => ({ id, title, n: 1, published: true });
function ev(type: HubEvent['type'], id: string, trace?: string, title?: string): HubEvent {
  return {
    seq: ++seq,
    type,
    collection: 'posts',
    record_id: id,
    data: rec(id, title),
    ...(type === 'record.updated' ? { previous: rec(id, 'before') } : {}),
    account: 'default',
    actor: 'u1',
    timestamp: T,
    ...(trace ? { trace_id: trace } : {}),
  };
}
const R = (id: string, title = 'x') => JSON.stringify(rec(id, title));

let s: Awaited<ReturnType<typeof realtimeServer>>;
beforeEach(async () => {
  s = await realtimeServer({ options: { pingEveryMs: 150 } });
});
afterEach(() => s.stop());

/** A FastSchema socket whose subscription is live (its first echo proves it). */
async function fastschema(query: string) {
  const c = await wsClient(`${s.ws}/api/realtime/content?${query}`);
  c.send('ready?');
  await c.upTo(1);
  return c;
}

describe('FastSchema on the wire', () => {
  it("one message per write, in order: a write's updates or deletes joined, creates alone", async () => {
    const c = await fastschema('schema=posts');
    s.bus.publish([
      ev('record.updated', 'r1', 'T1'),
      ev('record.updated', 'r2', 'T1'),
      ev('record.deleted', 'r3', 'T2'),
      ev('record.created', 'r4', 'T3'),
      ev('record.updated', 'r5'),
      ev('record.updated', 'r6'),
    ]);
    // the same write's trace in a later commit is a message of its own
    s.bus.publish([ev('record.updated', 'r7', 'T1')]);
    c.send('after');
    await c.upTo(8);
    // a late or doubled frame would show here
    await new Promise((r) => setTimeout(r, 50));
    expect(c.texts).toEqual([
      'ready?',
      `{"event":"update","data":[${R('r1')},${R('r2')}]}`,
      `{"event":"delete","data":[${R('r3')}]}`,
      `{"event":"create","data":${R('r4')}}`,
      // an event without a trace stands alone
      `{"event":"update","data":[${R('r5')}]}`,
      `{"event":"update","data":[${R('r6')}]}`,
      `{"event":"update","data":[${R('r7')}]}`,
      'after',
    ]);
  });

  it('with id, one object per operation; select projects; sockets of different shapes share the event', async () => {
    const all = await fastschema('schema=posts');
    const one = await fastschema('schema=posts&id=r1');
    const titles = await fastschema('schema=posts&select=title&event=update');
    s.bus.publish([ev('record.updated', 'r1', 'T1', 'new'), ev('record.updated', 'r2', 'T1', 'new')]);
    s.bus.publish([ev('record.deleted', 'r1', 'T2')]);
    await all.upTo(3);
    await one.upTo(3);
    await titles.upTo(2);
    await new Promise((r) => setTimeout(r, 50));
    expect(all.texts.slice(1)).toEqual([
      `{"event":"update","data":[${R('r1', 'new')},${R('r2', 'new')}]}`,
      `{"event":"delete","data":[${R('r1')}]}`,
    ]);
    expect(one.texts.slice(1)).toEqual([
      `{"event":"update","data":${R('r1', 'new')}}`,
      `{"event":"delete","data":${R('r1')}}`,
    ]);
    expect(titles.texts.slice(1)).toEqual([
      '{"event":"update","data":[{"id":"r1","title":"new"},{"id":"r2","title":"new"}]}',
    ]);
  });

  it("frames sent outside a fan-out with the subscription's encoder (the monitor's test event, a replay) carry their write", async () => {
    const c = await fastschema('schema=posts');
    const conn = [...s.hub.connections.values()][0]!;
    const sub = [...conn.subs.values()][0]!;
    s.bus.publish([ev('record.updated', 'r1', 'T1')]);
    const sendOne = (e: HubEvent) =>
      s.hub.sendEncoded(conn, sub.encode({ ...e, seq: undefined }, undefined)!);
    sendOne(ev('record.created', 'm1', 'monitor-test'));
    // A replayed write's records are joined as live ones are.
    sendOne(ev('record.updated', 'r2', 'T2'));
    sendOne(ev('record.updated', 'r3', 'T2'));
    expect(await c.upTo(4)).toEqual([
      'ready?',
      `{"event":"update","data":[${R('r1')}]}`,
      `{"event":"create","data":${R('m1')}}`,
      `{"event":"update","data":[${R('r2')},${R('r3')}]}`,
    ]);
  });

  it('echoes any client frame as text, a control character first included', async () => {
    const c = await fastschema('schema=posts');
    c.send('\u0000x\u0000y');
    c.send('\u0001z');
    expect(await c.upTo(3)).toEqual(['ready?', '\u0000x\u0000y', '\u0001z']);
  });
});

describe('WebSocket event frames on the wire', () => {
  it('native, SnackBase and topics: the encoder text after framing', async () => {
    const native = await wsClient(`${s.ws}/api/v1/ws/realtime`);
    native.send({ action: 'subscribe', collection: 'posts' });
    const snack = await wsClient(`${s.ws}/api/v1/realtime/ws?token=user`);
    snack.send({ action: 'subscribe', collection: 'posts', operations: ['create'] });
    const topics = await wsClient(`${s.ws}/ws`);
    topics.send({ type: 'subscribe', topics: ['posts:r9'] });
    await until(() => s.hub.subscriptionCounts().posts === 3, 'three subscriptions');
    const e = ev('record.created', 'r9', 'T9');
    s.bus.publish([e]);
    await native.upTo(3);
    expect(native.texts[2]).toBe(
      `{"type":"event","data":{"type":"record.created","collection":"posts","record_id":"r9","data":${R('r9')},"timestamp":"${T}","seq":${e.seq},"trace_id":"T9","actor":"u1"},"timestamp":"${T}"}`,
    );
    expect(await snack.upTo(2)).toEqual([
      '{"type":"subscribed","status":"subscribed","collection":"posts"}',
      `{"type":"posts.create","timestamp":"${T}","data":${R('r9')}}`,
    ]);
    expect(await topics.upTo(1)).toEqual([
      `{"topic":"posts:r9","event":"ADDED","data":{"entity_id":"r9","payload":${R('r9')},"user_id":"u1","tenant_id":"default","timestamp":"${T}"},"trace_id":"T9"}`,
    ]);
  });
});

describe('SSE streams on the wire', () => {
  it('native: id, event and data per event; a comment heartbeat at each hub ping', async () => {
    const c = await sseClient(`${s.http}/api/v1/sse/realtime?collection=posts`);
    expect(c.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await until(() => s.hub.subscriptionCounts().posts === 1, 'the subscription');
    const e = ev('record.deleted', 'r1');
    s.bus.publish([e]);
    await c.has(': heartbeat\n\n');
    expect(c.body()).toContain(
      `id: ${e.seq}\nevent: record.deleted\ndata: {"type":"record.deleted","collection":"posts","record_id":"r1","data":${R('r1')},"timestamp":"${T}","seq":${e.seq},"actor":"u1"}\n\n`,
    );
    c.close();
  });

  it('SnackBase: event: message frames; event: heartbeat with its own timestamp only after an idle period', async () => {
    const c = await sseClient(`${s.http}/api/v1/realtime/subscribe?token=user&collection=posts`);
    await until(() => s.hub.subscriptionCounts().posts === 1, 'the subscription');
    const e = ev('record.created', 'r1');
    s.bus.publish([e]);
    await c.has('event: heartbeat\n');
    const body = c.body();
    expect(
      body.startsWith(
        `id: ${e.seq}\nevent: message\ndata: {"type":"posts.create","timestamp":"${T}","data":${R('r1')}}\n\n`,
      ),
    ).toBe(true);
    expect(body.slice(body.indexOf('event: heartbeat'))).toMatch(
      /^event: heartbeat\ndata: \{"timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"\}\n\n$/,
    );
    expect(body).not.toMatch(/^: heartbeat/m);
    c.close();
  });
});
