/**
 * A client that leaves while the hub subscribes it, in every dialect: the hub's guarantee that
 * the dialects rely on (they do not check `conn.closed` after `hub.subscribe`).
 *
 * `Hub.subscribe` checks `conn.closed` after its last await and registers synchronously after
 * that, `Hub.detach` removes every subscription of a connection, and `Hub.send`/`Hub.close` do
 * nothing on a closed one. So whatever a dialect does with the answer, a gone client gets no
 * frame and leaves nothing behind. Here the history's `lastSeq` (the hub's last await, a Redis
 * round trip on an edge) is held open until the client has gone.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Hub } from '../hub';
import type { EventHistory } from '../types';
import { realtimeServer, sseClient, until, wsClient } from './wire-kit';

let held: (() => void) | undefined;
let holding = false;
const history: EventHistory = {
  since: () => [],
  hasGapAfter: () => false,
  oldestSeq: () => 0,
  lastSeq: () => (holding ? new Promise<number>((r) => (held = () => r(0))) : 0),
};

let s: Awaited<ReturnType<typeof realtimeServer>>;
/** Frames handed to a transport after its client had gone. */
let late: string[];
let gone: Set<string>;
beforeEach(async () => {
  holding = true;
  held = undefined;
  late = [];
  gone = new Set();
  s = await realtimeServer({ history });
  s.hub.hooks.on('on_realtime_connect', (conn) => {
    const t = conn.transport;
    const send = t.send.bind(t);
    t.send = (frame) => {
      if (gone.has(conn.id)) late.push(frame.toString());
      send(frame);
    };
  });
  s.hub.hooks.on('on_realtime_disconnect', (conn) => void gone.add(conn.id));
});
afterEach(() => s.stop());

/** Listeners of one hook (private to Hooks: read only to show none is left behind). */
const listeners = (hub: Hub, name: 'on_fanout') =>
  (hub.hooks as unknown as { listeners: Record<string, Set<unknown>> }).listeners[name]!.size;

/** Waits until the hub is inside `subscribe`, ends the client, then lets the hub answer. */
async function leaveMidSubscribe(end: () => void): Promise<void> {
  await until(() => held !== undefined, 'the hub to await the history');
  end();
  await until(() => s.hub.connections.size === 0, 'the server to see the client go');
  held!();
  // the dialect's answer (an acknowledgement, an error frame, a close) would go out now
  await new Promise((r) => setTimeout(r, 50));
}

function expectNothingLeft(fanoutListeners: number): void {
  expect(late).toEqual([]);
  expect(s.hub.subscriptionCounts()).toEqual({});
  expect(s.hub.connections.size).toBe(0);
  expect(listeners(s.hub, 'on_fanout')).toBe(fanoutListeners);
  expect(s.errors).toEqual([]);
}

describe('a client that leaves while the hub subscribes it gets no frame and leaves nothing', () => {
  it('native', async () => {
    const c = await wsClient(`${s.ws}/api/v1/ws/realtime`);
    c.send({ action: 'subscribe', collection: 'posts' });
    await leaveMidSubscribe(() => c.ws.terminate());
    expectNothingLeft(1);
  });

  it('FastSchema', async () => {
    const before = listeners(s.hub, 'on_fanout');
    const c = await wsClient(`${s.ws}/api/realtime/content?schema=posts`);
    await leaveMidSubscribe(() => c.ws.terminate());
    expectNothingLeft(before);
  });

  it('SnackBase WebSocket', async () => {
    const c = await wsClient(`${s.ws}/api/v1/realtime/ws?token=user`);
    c.send({ action: 'subscribe', collection: 'posts' });
    await leaveMidSubscribe(() => c.ws.terminate());
    expectNothingLeft(1);
  });

  it('SnackBase SSE', async () => {
    const c = await sseClient(`${s.http}/api/v1/realtime/subscribe?token=user&collection=posts`);
    await leaveMidSubscribe(() => c.close());
    expectNothingLeft(1);
  });

  it('topics, with more topics still to subscribe', async () => {
    const c = await wsClient(`${s.ws}/ws`);
    c.send({ type: 'subscribe', topics: ['posts', 'posts:a', 'posts:b'] });
    await leaveMidSubscribe(() => c.ws.terminate());
    expectNothingLeft(1);
  });

  it('native SSE', async () => {
    const c = await sseClient(`${s.http}/api/v1/sse/realtime?collection=posts`);
    await leaveMidSubscribe(() => c.close());
    expectNothingLeft(1);
  });
});

describe('a client that leaves right after the hub subscribed it', () => {
  it('loses its subscription with the connection (SnackBase acknowledges first)', async () => {
    holding = false;
    const c = await wsClient(`${s.ws}/api/v1/realtime/ws?token=user`);
    c.send({ action: 'subscribe', collection: 'posts' });
    await c.upTo(1);
    expect(s.hub.subscriptionCounts()).toEqual({ posts: 1 });
    c.ws.terminate();
    await until(() => s.hub.connections.size === 0, 'the server to see the client go');
    expectNothingLeft(1);
  });
});
