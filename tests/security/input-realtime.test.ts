/**
 * Bad realtime input gets an error in the dialect's own format and the connection stays:
 * `filter: []`, unsubscribing what is not a name or was never subscribed, SnackBase SSE with an
 * empty collection, and messages nested far deeper than any real one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCollection, uniq, useServer } from '../api/support';
import { closeAll, is, native, openWs, sse, wsUrl, type Frame, type WsClient } from '../helpers/ws';

const env = useServer();
afterEach(closeAll);

const FIELDS = [{ name: 'title', type: 'text' }];
const RULES = { list: 'public', view: 'public', create: 'auth', update: 'auth', delete: 'auth' };

async function publicCollection(): Promise<string> {
  const name = uniq('rt');
  await createCollection(env.admin, { name, fields: FIELDS, rules: RULES });
  return name;
}

/** `[[[…]]]` nested `depth` levels, inside a message the dialect would otherwise accept. */
const deep = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const errorFrame = (f: Frame) => f.type === 'error' || typeof f.error === 'string';

describe('native: subscribe and unsubscribe', () => {
  it('answers invalid_filter for filter [], and still acknowledges {}', async () => {
    const name = await publicCollection();
    const c = await native(env.s.url);
    c.send({ action: 'subscribe', collection: name, filter: [] });
    const f = await c.next((x) => x.type === 'error' || x.type === 'subscribed');
    expect(f).toMatchObject({ type: 'error', data: { code: 'invalid_filter', collection: name } });
    expect(f.data.message).toMatch(/^Invalid filter: filter: expected an object, got array$/);
    c.send({ action: 'subscribe', collection: name, filter: {} });
    expect(await c.next((x) => x.type === 'error' || x.type === 'subscribed')).toMatchObject({
      type: 'subscribed',
      data: { collection: name, filter: null },
    });
  });

  it('refuses to unsubscribe a name that is not an identifier, or was never subscribed', async () => {
    const name = await publicCollection();
    const c = await native(env.s.url);
    c.send({ action: 'unsubscribe', collection: 'Not A Name!' });
    expect(await c.next(errorFrame)).toEqual({
      type: 'error',
      data: {
        code: 'invalid_collection',
        message: "Invalid collection name 'Not A Name!': use ^[a-z][a-z0-9_]{0,62}$ or '*'",
      },
    });
    c.send({ action: 'unsubscribe', collection: name });
    expect(await c.next(errorFrame)).toEqual({
      type: 'error',
      data: { code: 'not_subscribed', message: `Not subscribed to '${name}'`, collection: name },
    });
    c.send({ action: 'unsubscribe', collection: '' });
    expect((await c.next(errorFrame)).data.code).toBe('invalid_collection');
    // a real subscription still unsubscribes, once
    c.send({ action: 'subscribe', collection: name });
    await c.next(is('subscribed'));
    c.send({ action: 'unsubscribe', collection: name });
    expect(await c.next((x) => x.type === 'unsubscribed' || x.type === 'error')).toEqual({
      type: 'unsubscribed',
      data: { collection: name },
    });
    c.send({ action: 'unsubscribe', collection: name });
    expect((await c.next(errorFrame)).data.code).toBe('not_subscribed');
  });
});

describe('SnackBase: unsubscribe and SSE', () => {
  it('answers {"error"} for an unsubscribe of a bad name or one never subscribed', async () => {
    const name = await publicCollection();
    const c = await openWs(wsUrl(env.s.url, '/api/v1/realtime/ws', env.admin.token));
    c.send({ action: 'unsubscribe', collection: '../etc' });
    expect(await c.next(errorFrame)).toEqual({
      error: "Invalid collection name '../etc': use ^[a-z][a-z0-9_]{0,62}$",
    });
    c.send({ action: 'unsubscribe', collection: name });
    expect(await c.next(errorFrame)).toEqual({ error: `Not subscribed to '${name}'` });
    c.send({ action: 'subscribe', collection: name });
    await c.next(is('subscribed'));
    c.send({ action: 'unsubscribe', collection: name });
    expect(await c.next(is('unsubscribed'))).toEqual({
      type: 'unsubscribed',
      status: 'unsubscribed',
      collection: name,
    });
  });

  it('answers 400 before the stream for an empty collection name', async () => {
    const name = await publicCollection();
    const t = `token=${env.admin.token}`;
    for (const q of [
      'collection=',
      `collection=${name}&collection=`,
      'collections=',
      `collections=${name};`,
      'collection=%20',
    ]) {
      const s = await sse(`${env.s.url}/api/v1/realtime/subscribe?${t}&${q}`);
      expect([q, s.status, s.body]).toEqual([q, 400, { detail: 'Missing collection' }]);
    }
  });
});

describe('topics: unsubscribe', () => {
  it('answers {"type":"error"} for a topic that is not one, or was never subscribed', async () => {
    const name = await publicCollection();
    const c = await openWs(wsUrl(env.s.url, '/ws'));
    c.send({ type: 'unsubscribe', topics: ['Bad Topic'] });
    expect(await c.next(errorFrame)).toEqual({
      type: 'error',
      code: 'invalid_topic',
      topic: 'Bad Topic',
      message: "Invalid topic 'Bad Topic': use collection or collection:record_id",
    });
    c.send({ type: 'unsubscribe', topics: [`${name}:abc`] });
    expect(await c.next(errorFrame)).toEqual({
      type: 'error',
      code: 'not_subscribed',
      topic: `${name}:abc`,
      message: `Not subscribed to '${name}:abc'`,
    });
    // subscribed, then unsubscribed: no answer (as the document has it), so ping behind it
    c.send({ type: 'subscribe', topics: [name] });
    c.send({ type: 'unsubscribe', topics: [name] });
    c.send({ type: 'ping' });
    expect(await c.next()).toEqual({ type: 'pong' });
  });
});

describe('messages nested deeper than 100 levels', () => {
  const cases: {
    dialect: string;
    open: () => Promise<WsClient>;
    msg: string;
    ping: unknown;
    error: Frame;
  }[] = [
    {
      dialect: 'native',
      // presence state is measured with JSON.stringify: 20,000 levels overflowed the stack (1013)
      open: () => native(env.s.url, { token: env.admin.token }),
      msg: `{"action":"presence","state":{"a":${deep(20_000)}}}`,
      ping: { action: 'ping' },
      error: {
        type: 'error',
        data: { code: 'invalid_message', message: 'Invalid message: nests deeper than 100 levels' },
      },
    },
    {
      dialect: 'snackbase',
      open: () => openWs(wsUrl(env.s.url, '/api/v1/realtime/ws', env.admin.token)),
      msg: `{"action":"subscribe","collection":${deep(20_000)}}`,
      ping: { action: 'ping' },
      error: { error: 'Invalid message: nests deeper than 100 levels' },
    },
    {
      dialect: 'topics',
      open: () => openWs(wsUrl(env.s.url, '/ws')),
      msg: `{"type":"subscribe","topics":${deep(20_000)}}`,
      ping: { type: 'ping' },
      error: {
        type: 'error',
        code: 'invalid_message',
        message: 'Invalid message: nests deeper than 100 levels',
      },
    },
  ];

  it.each(cases)('$dialect: an error frame, and the connection stays open', async (t) => {
    const c = await t.open();
    const logged = env.s.logs.length;
    c.send(t.msg);
    expect(await c.next(errorFrame)).toEqual(t.error);
    c.send(t.ping);
    expect(await c.next((f) => f.type === 'pong')).toMatchObject({ type: 'pong' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    expect(env.s.logs.slice(logged).filter((l) => /error|1013/i.test(l))).toEqual([]);
  });

  it('FastSchema: a deep frame is echoed like any other', async () => {
    const name = await publicCollection();
    const c = await openWs(wsUrl(env.s.url, `/api/realtime/content?schema=${name}`));
    const text = `{"x":${deep(20_000)}}`;
    const raw = new Promise<string>((r) => c.ws.once('message', (d) => r(d.toString())));
    c.send(text);
    expect((await raw) === text).toBe(true);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });
});
