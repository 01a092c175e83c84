/**
 * A short seeded fuzz of every input surface: WebSocket messages in three dialects, REST list
 * queries and record bodies, and SSE URLs. The server must never crash, every answer must be a
 * well-formed ok or error in its dialect's envelope, sockets stay open, and a control subscriber
 * receives every event written meanwhile. `FUZZ_SEED=n` reproduces a run; a failure prints the
 * seed, the step and the input.
 */
import { get } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollection, eventsSince, lastSeq, useServer } from '../api/support';
import { rng } from '../helpers/rng';
import { closeAll, native, openWs, wsUrl, type Frame, type WsClient } from '../helpers/ws';

const env = useServer();
afterEach(closeAll);

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
// note: bounded both ways, so the file stays well under 20 s on a loaded 2-core box.
const MAX_INPUTS = 3000;
const MAX_MS = 10_000;

const PROTO = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];
const OPS = [
  '$eq',
  '$neq',
  '$gt',
  '$lt',
  '$like',
  '$notlike',
  '$contains',
  '$containsfold',
  '$in',
  '$nin',
  '$null',
  '$and',
  '$or',
  '$x',
];
const NAMES = ['fz', 'title', 'n', 'flag', 'id', '*', 'presence', '', 'Bad Name', 'nosuch', ...PROTO];
const ACTIONS = [
  'subscribe',
  'unsubscribe',
  'ping',
  'pong',
  'auth',
  'presence',
  'SUBSCRIBE',
  'nope',
  ...PROTO,
];

class Gen {
  constructor(readonly r: () => number) {}
  int = (n: number) => Math.floor(this.r() * n);
  pick = <T>(xs: readonly T[]): T => xs[this.int(xs.length)]!;
  chance = (p: number) => this.r() < p;

  str(): string {
    if (this.chance(0.05)) return 'a'.repeat(this.pick([300, 5000]));
    const units = ['a', 'A', '%', '_', '"', '\\', '\u0000', '😀', '\uD800', ' ', '{', '@user.id'];
    return Array.from({ length: this.int(8) }, () => this.pick(units)).join('');
  }

  value(depth = 0): unknown {
    const k = this.int(depth > 3 ? 5 : 8);
    if (k === 0) return null;
    if (k === 1) return this.chance(0.5);
    if (k === 2) return this.pick([0, -1, 1.5, 1e308, 2 ** 53]);
    if (k === 3 || k === 4) return this.chance(0.5) ? this.str() : this.pick(NAMES);
    if (k === 5) return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
    return this.object(depth + 1);
  }

  object(depth = 0): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (let i = this.int(4); i > 0; i--) {
      const key = this.pick([...NAMES, ...OPS]);
      Object.defineProperty(o, key, { value: this.value(depth), enumerable: true, writable: true });
    }
    return o;
  }

  filter(): unknown {
    if (this.chance(0.2)) return this.value();
    const field = this.pick(['title', 'n', 'flag', 'id', ...PROTO.slice(0, 3)]);
    const op = this.pick(OPS);
    const operand = op === '$in' || op === '$nin' ? [this.value(), this.value()] : this.value(2);
    return this.chance(0.3)
      ? { $or: [{ [field]: { [op]: operand } }, this.object()] }
      : { [field]: { [op]: operand } };
  }

  /** A message as text: mostly JSON of the dialect's shape, sometimes garbage or very deep. */
  message(shape: 'action' | 'type'): string {
    const roll = this.int(20);
    if (roll === 0) return this.pick(['{', 'null', '[]', '"x"', '{"action":', '\u0000', '']);
    if (roll === 1)
      return `{"${shape}":"subscribe","collection":"fz","filter":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const m: Record<string, unknown> = { [shape]: this.pick(ACTIONS) };
    if (shape === 'action') {
      m.collection = this.pick(NAMES);
      if (this.chance(0.5)) m.filter = this.filter();
      if (this.chance(0.2)) m.events = this.value();
      if (this.chance(0.2)) m.select = this.chance(0.5) ? [this.pick(NAMES)] : this.value();
      if (this.chance(0.1)) m.since = this.value();
      if (this.chance(0.1))
        m.operations = this.chance(0.5) ? [this.pick([...PROTO, 'create'])] : this.value();
      if (this.chance(0.1)) m.state = this.value();
      if (this.chance(0.1)) m.token = this.str();
    } else {
      m.topics = this.chance(0.8) ? [this.pick(NAMES), `fz:${this.str()}`] : this.value();
    }
    return JSON.stringify(m);
  }

  query(): string {
    const q = new URLSearchParams();
    if (this.chance(0.7)) q.set('filter', this.chance(0.9) ? JSON.stringify(this.filter()) : this.str());
    if (this.chance(0.3)) q.set('sort', `${this.pick(['', '-', '+'])}${this.pick(NAMES)}`);
    if (this.chance(0.3)) q.set('select', [this.pick(NAMES), this.pick(NAMES)].join(','));
    if (this.chance(0.2)) q.set('page', JSON.stringify(this.value()) ?? '');
    if (this.chance(0.2)) q.set('per_page', JSON.stringify(this.value()) ?? '');
    return q.toString();
  }
}

/** Whether a frame is a well-formed answer of its dialect. */
const WELL_FORMED: Record<string, (f: Frame) => boolean> = {
  native: (f) =>
    f.type === 'error'
      ? typeof f.data?.message === 'string' && typeof f.data?.code === 'string'
      : [
          'connected',
          'authenticated',
          'subscribed',
          'unsubscribed',
          'pong',
          'ping',
          'event',
          'presence',
          'resumed',
        ].includes(f.type),
  snackbase: (f) =>
    typeof f.error === 'string'
      ? Object.keys(f).length === 1
      : ['subscribed', 'unsubscribed', 'pong', 'heartbeat', 'fz.create', 'fz.update', 'fz.delete'].includes(
          f.type,
        ),
  topics: (f) =>
    f.type === 'error'
      ? typeof f.message === 'string' && typeof f.code === 'string'
      : f.type === 'pong' ||
        (typeof f.topic === 'string' && ['ADDED', 'UPDATED', 'DELETED'].includes(f.event)),
};

/** Status and parsed body of an SSE GET; the stream is closed as soon as its status is known. */
function sseStatus(url: string): Promise<{ status: number; body?: Frame }> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      if (res.statusCode === 200) {
        req.destroy();
        resolve({ status: 200 });
        return;
      }
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Frame }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
  });
}

describe(`seeded fuzz (FUZZ_SEED=${SEED})`, () => {
  it('never crashes, always answers in the right envelope, and loses no event', async () => {
    const g = new Gen(rng(SEED));
    await createCollection(env.admin, {
      name: 'fz',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'flag', type: 'bool' },
      ],
      rules: { list: 'public', view: 'public', create: 'public', update: 'public', delete: 'public' },
    });
    const token = env.admin.token!;
    const control = await native(env.s.url, { token });
    control.send({ action: 'subscribe', collection: 'fz' });
    await control.next((f) => f.type === 'subscribed');
    const since = await lastSeq(env.admin);

    const socks: { dialect: string; c: WsClient; shape: 'action' | 'type'; ping: unknown }[] = [
      { dialect: 'native', c: await native(env.s.url), shape: 'action', ping: { action: 'ping' } },
      { dialect: 'native', c: await native(env.s.url, { token }), shape: 'action', ping: { action: 'ping' } },
      {
        dialect: 'snackbase',
        c: await openWs(wsUrl(env.s.url, '/api/v1/realtime/ws', token)),
        shape: 'action',
        ping: { action: 'ping' },
      },
      { dialect: 'topics', c: await openWs(wsUrl(env.s.url, '/ws')), shape: 'type', ping: { type: 'ping' } },
    ];
    const recs = `${env.s.url}/api/v1/collections/fz/records`;
    const started = Date.now();
    let step = 0;
    let input = '';
    const fail = (e: unknown): never => {
      throw new Error(
        `FUZZ_SEED=${SEED} step ${step} input ${input.slice(0, 500)}\n${String((e as Error)?.stack ?? e)}`,
      );
    };
    try {
      for (; step < MAX_INPUTS && Date.now() - started < MAX_MS; step++) {
        const kind = g.int(10);
        if (kind < 6) {
          const s = g.pick(socks);
          const msg = g.message(s.shape);
          input = `${s.dialect} ws: ${msg}`;
          s.c.send(msg);
        } else if (kind < 8) {
          const q = g.query();
          input = `GET ?${q}`;
          const r = await fetch(`${recs}?${q}`);
          const body = (await r.json()) as Frame;
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400)
            expect(typeof body.error?.code === 'string' && typeof body.error?.message === 'string').toBe(
              true,
            );
          else expect(Array.isArray(body.items)).toBe(true);
        } else if (kind < 9) {
          const text = g.chance(0.1)
            ? g.message('action')
            : JSON.stringify(g.chance(0.5) ? g.object() : { title: g.str(), n: g.value() });
          input = `POST ${text}`;
          const r = await fetch(recs, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: text,
          });
          const body = (await r.json()) as Frame;
          expect(r.status).toBeLessThan(500);
          if (r.status >= 400)
            expect(typeof body.error?.code === 'string' && typeof body.error?.message === 'string').toBe(
              true,
            );
          else expect(typeof body.id).toBe('string');
        } else {
          const snack = g.chance(0.5);
          const q = new URLSearchParams({ token });
          for (let i = g.int(3); i > 0; i--)
            q.append(
              g.pick(['collection', 'collections', 'filter', 'events', 'select']),
              g.chance(0.5) ? g.pick(NAMES) : JSON.stringify(g.filter()),
            );
          const path = snack ? '/api/v1/realtime/subscribe' : '/api/v1/sse/realtime';
          input = `SSE ${path}?${q}`;
          const r = await sseStatus(`${env.s.url}${path}?${q}`);
          expect(r.status).toBeLessThan(500);
          if (r.status !== 200) {
            if (snack) expect(typeof r.body?.detail).toBe('string');
            else expect(typeof r.body?.error?.code).toBe('string');
          }
        }
        if (step % 50 === 49) {
          input = 'a valid write, then a ping on every socket';
          expect((await env.admin.post('/api/v1/collections/fz/records', { title: `w${step}` })).status).toBe(
            201,
          );
          for (const s of socks) {
            s.c.send(s.ping);
            await s.c.next((f) => f.type === 'pong');
            for (const f of s.c.frames)
              if (!WELL_FORMED[s.dialect]!(f))
                throw new Error(`bad ${s.dialect} frame ${JSON.stringify(f).slice(0, 300)}`);
          }
        }
      }
    } catch (e) {
      fail(e);
    }
    for (const s of socks) expect(s.c.ws.readyState, s.dialect).toBe(s.c.ws.OPEN);
    // every event of the collection written during the fuzz reached the control subscriber
    const written = (await eventsSince(env.admin, since, 'fz')).map((e) => e.seq as number);
    expect(written.length).toBeGreaterThan(10);
    const seen = await control.take(written.length, (f) => f.type === 'event');
    expect(seen.map((f) => f.data.seq)).toEqual(written);
    expect((await fetch(`${env.s.url}/api/v1/collections/fz/records?per_page=1`)).status).toBe(200);
    expect(step).toBeGreaterThan(200);
  });
});
