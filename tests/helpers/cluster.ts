import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startClusterProcesses, type ClusterOptions, type ClusterProcesses } from './cluster-processes';
import { Client } from './server';
import { closeAll, eventually, native, subscribe, type Frame, type WsClient } from './ws';

export { ROOT, runCli, startEdge, type CliRun, type NodeProc } from './cluster-processes';

/** A cluster's processes and its superuser, signed in on the primary. */
export interface TestCluster extends ClusterProcesses {
  admin: Client;
}

/** Starts a cluster (see startClusterProcesses) and signs the superuser in on its primary. */
export async function startCluster(o: ClusterOptions = {}): Promise<TestCluster> {
  const procs = await startClusterProcesses(o);
  try {
    const admin = new Client(procs.primary.url);
    await admin.login();
    // Object.assign keeps `primary` a getter (it changes on restartPrimary).
    return Object.assign(procs, { admin });
  } catch (e) {
    await procs.stop();
    throw e;
  }
}

/**
 * One cluster for a test file (call at file level): started before its tests, stopped after
 * them; test clients are closed after each test, and a failing test prints what the
 * processes said. `env.c` is the cluster once started.
 */
export function useCluster(o: ClusterOptions = {}): { c: TestCluster } {
  const env = {} as { c: TestCluster };
  beforeAll(async () => {
    env.c = await startCluster(o);
  });
  afterAll(() => env.c?.stop());
  afterEach(closeAll);
  printOutputOnFailure(() => env.c);
  return env;
}

/** A collection anyone signed in may read (the usual fixture); returns its name. */
export async function createCollection(
  admin: Client,
  name: string,
  rules: Record<string, unknown> = {
    list: 'auth',
    view: 'auth',
    create: 'auth',
    update: 'auth',
    delete: 'auth',
  },
  fields: Record<string, unknown>[] = [
    { name: 'title', type: 'text' },
    { name: 'n', type: 'number' },
  ],
): Promise<string> {
  const r = await admin.post('/api/v1/collections', { name, fields, rules });
  if (r.status !== 201) throw new Error(`create collection ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return name;
}

/**
 * Subscribes on a native connection, retrying while the instance does not know the
 * collection yet (an edge learns a new schema from the stream, a moment after the primary).
 */
export async function subscribeWhenKnown(c: WsClient, body: Record<string, unknown>): Promise<Frame> {
  const f = await eventually(
    () => subscribe(c, body),
    (f) => f.type === 'subscribed' || f.data?.code !== 'not_found',
  );
  if (f.type !== 'subscribed')
    throw new Error(`subscribe ${JSON.stringify(body)} failed: ${JSON.stringify(f)}`);
  return f;
}

/** Every event after `since` on the primary's log (follows next_since to the end). */
export async function eventLog(admin: Client, since: number, collection?: string): Promise<Frame[]> {
  const out: Frame[] = [];
  let cursor = since;
  // note: 1,000 pages of 1,000 is far beyond any test here; the bound only stops a runaway loop.
  for (let page = 0; page < 1000; page++) {
    const q = `/api/v1/events?since=${cursor}&limit=1000${collection ? `&collection=${collection}` : ''}`;
    const r = await admin.get(q);
    if (r.status !== 200) throw new Error(`GET ${q}: ${r.status} ${JSON.stringify(r.body)}`);
    out.push(...(r.body.events as Frame[]));
    if (r.body.next_since === cursor) return out;
    cursor = r.body.next_since;
  }
  throw new Error('event log did not end within 1,000 pages');
}

/** The newest seq of the primary's log. */
export async function lastSeq(admin: Client): Promise<number> {
  const r = await admin.get('/api/v1/events?since=0&limit=1');
  if (r.status !== 200) throw new Error(`GET /api/v1/events: ${r.status}`);
  return r.body.last_seq as number;
}

/**
 * A native subscriber that survives its instance: it records the record events of one
 * collection across connections, and `moveTo` resumes on another instance with `since`
 * = the last seq it saw, as a client library would.
 */
export class Follower {
  /** Every record event received, over all connections, in arrival order. */
  readonly events: Frame[] = [];
  /** Close codes of connections that ended without our asking. */
  readonly drops: number[] = [];
  ws?: WsClient;
  private since: number;

  constructor(
    readonly collection: string,
    private readonly token: string,
    since: number,
  ) {
    this.since = since;
  }

  /** The last seq received (or the starting point). */
  get lastSeq(): number {
    return this.since;
  }

  /** Connects to `base` and subscribes with `since`; events before the ack are impossible. */
  async connect(base: string, opts: { since?: boolean } = { since: true }): Promise<void> {
    const c = await native(base, { token: this.token });
    this.ws = c;
    c.ws.on('message', (data) => {
      let f: Frame;
      try {
        f = JSON.parse(data.toString()) as Frame;
      } catch {
        return;
      }
      if (f.type !== 'event' || f.data?.collection !== this.collection) return;
      if (!String(f.data.type).startsWith('record.')) return;
      this.events.push(f.data);
      this.since = Math.max(this.since, f.data.seq as number);
    });
    c.ws.once('close', (code) => {
      if (this.ws === c) this.drops.push(code);
    });
    await subscribeWhenKnown(c, {
      collection: this.collection,
      ...(opts.since ? { since: this.since } : {}),
    });
  }

  /** Resumes on `base` (after its connection died, or to move it). */
  async moveTo(base: string): Promise<void> {
    const old = this.ws;
    this.ws = undefined;
    await old?.close();
    await this.connect(base);
  }

  /** Waits until it has seen `seq` (bounded). */
  async reach(seq: number, timeoutMs = 15_000): Promise<void> {
    await eventually(
      async () => this.since,
      (s) => s >= seq,
      timeoutMs,
    );
  }

  /** The seqs received, in arrival order. */
  seqs(): number[] {
    return this.events.map((e) => e.seq as number);
  }

  async close(): Promise<void> {
    const c = this.ws;
    this.ws = undefined;
    await c?.close();
  }
}

/** A collection of the usual fixture, named `name`, and the primary's newest seq before any write to it. */
export interface FollowedCollection {
  name: string;
  before: number;
  /** `perEdge` followers on each edge, in edge order, connected with `since` = `before`. */
  followers: Follower[];
}

/**
 * Creates `name` (see createCollection) and connects `perEdge` admin followers to each edge
 * (see Follower): the start of every test that writes through an outage and then checks that
 * each edge delivered the primary's log exactly once.
 */
export async function followOnEdges(c: TestCluster, name: string, perEdge = 1): Promise<FollowedCollection> {
  await createCollection(c.admin, name);
  const before = await lastSeq(c.admin);
  const followers: Follower[] = [];
  for (const e of c.edges)
    for (let i = 0; i < perEdge; i++) {
      const f = new Follower(name, c.admin.token!, before);
      await f.connect(e.url);
      followers.push(f);
    }
  return { name, before, followers };
}

/** A native connection on each edge with `token`, subscribed to `collection` (see subscribeWhenKnown). */
export async function subscribeOnEdges(
  c: TestCluster,
  collection: string,
  token: string,
): Promise<WsClient[]> {
  const subs: WsClient[] = [];
  for (const e of c.edges) {
    const ws = await native(e.url, { token });
    await subscribeWhenKnown(ws, { collection });
    subs.push(ws);
  }
  return subs;
}

/**
 * `writers` writers, each creating `each` records `{ title: 'w<writer>', n }` in `collection`
 * through the primary as the admin, paced (a short pause every 10 writes) so that whatever a
 * test does meanwhile lands mid-stream. `onWrite` runs after each write with the count so
 * far. A write not answered 201 rejects.
 */
export async function writePaced(
  c: TestCluster,
  collection: string,
  o: { writers: number; each: number; onWrite?: (written: number) => void },
): Promise<void> {
  let written = 0;
  await Promise.all(
    Array.from({ length: o.writers }, async (_, w) => {
      for (let i = 0; i < o.each; i++) {
        const r = await c.admin.post(`/api/v1/collections/${collection}/records`, { title: `w${w}`, n: i });
        if (r.status !== 201)
          throw new Error(`write ${i} of writer ${w}: ${r.status} ${JSON.stringify(r.body)}`);
        o.onWrite?.(++written);
        // note: 5 ms every 10 writes keeps the stream going for the length of an outage.
        if (i % 10 === 0) await pause(5);
      }
    }),
  );
}

/** Stops redis-server (SIGTERM), leaves it down `ms`, and starts it again (with or without its data: see useCluster's `aof`). */
export async function redisOutage(c: TestCluster, ms: number): Promise<void> {
  await c.redis.stop();
  await pause(ms);
  await c.redis.start();
}

/**
 * A collection anyone may list and view, named `<prefix>_<now>`, and an anonymous native
 * connection on `base` subscribed to it: the start of the cluster monitor's tests.
 */
export async function publicSubscriber(
  c: TestCluster,
  prefix: string,
  base: string,
): Promise<{ name: string; sub: WsClient & { connectionId: string } }> {
  const name = await createCollection(c.admin, `${prefix}_${Date.now()}`, {
    list: 'public',
    view: 'public',
    create: 'auth',
    update: 'auth',
    delete: 'auth',
  });
  const sub = await native(base);
  await subscribeWhenKnown(sub, { collection: name });
  return { name, sub };
}

/** A sleep for pacing writers (never used to wait for an outcome). */
export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The connection names Redis lists (CLIENT LIST), e.g. `switchboard-edge-reader` once per edge. */
export async function redisClientNames(url: string): Promise<string[]> {
  const r = createClient({ url, socket: { connectTimeout: 2000, reconnectStrategy: false } });
  r.on('error', () => {});
  try {
    await r.connect();
    const list = String(await r.sendCommand(['CLIENT', 'LIST']));
    return list
      .split('\n')
      .map((line) => / name=(\S*)/.exec(line)?.[1] ?? '')
      .filter(Boolean);
  } finally {
    r.destroy();
  }
}

/**
 * Waits (bounded) until every process of the cluster has its Redis connections open again:
 * the primary's relay and sync, and each edge's state, revocation subscriber, history and
 * stream reader. This is how a test sees that the cluster recovered by itself.
 */
export async function clusterConnected(c: TestCluster, timeoutMs = 15_000): Promise<void> {
  const want: Record<string, number> = {
    'switchboard-relay': 1,
    'switchboard-primary-sync': 1,
    'switchboard-edge-state': c.edges.length,
    'switchboard-edge-revocations': c.edges.length,
    'switchboard-edge': c.edges.length,
    'switchboard-edge-reader': c.edges.length,
  };
  await eventually(
    async () => {
      const names = await redisClientNames(c.redis.url).catch(() => [] as string[]);
      const have: Record<string, number> = {};
      for (const k of Object.keys(want)) have[k] = names.filter((n) => n === k).length;
      return have;
    },
    (have) => Object.entries(want).every(([k, n]) => have[k]! >= n),
    timeoutMs,
  );
}

/** Prints what the cluster's processes said after a test that failed (call at file level). */
export function printOutputOnFailure(get: () => { output(): string } | undefined): void {
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.error(get()?.output() ?? '(no cluster)');
  });
}
