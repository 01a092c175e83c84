import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, Client, tempDir } from './server';
import { freePort, startRedis, type RedisOptions, type TestRedis } from './redis';
import { closeAll, eventually, native, subscribe, type Frame, type WsClient } from './ws';

// note: tsx compiles on the fly; a cold start takes ~2 s, 20 s covers a loaded 2-core box.
const START_MS = 20_000;
// note: SIGTERM stops a server in well under a second; after 5 s it gets SIGKILL.
const STOP_MS = 5_000;
// note: keeps failure messages useful without holding every log line in memory.
const OUTPUT_KEEP = 20_000;
/** A request log line (`POST /api/… 201 0.8ms trace=…`). */
const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S* \d{3} /;

/** The repository root: the CLI runs from here whatever the test runner's cwd. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Variables the CLI reads that must not leak in from the shell running the tests. */
const CLI_ENV = [
  'SWITCHBOARD_PORT',
  'SWITCHBOARD_HOST',
  'SWITCHBOARD_DATA_DIR',
  'SWITCHBOARD_REDIS_URL',
  'SWITCHBOARD_PRIMARY_URL',
];

function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  for (const k of CLI_ENV) delete env[k];
  return env;
}

const live = new Set<ChildProcess>();
// A test that crashes must not leave servers behind; only our own children, by PID.
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

function spawnCli(args: string[]): ChildProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', ...args], {
    cwd: ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

const isDone = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;

/** Resolves when `proc` has exited (true) or after `ms` (false). */
function exitWithin(proc: ChildProcess, ms: number): Promise<boolean> {
  if (isDone(proc)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** One headless CLI process (primary or edge) that printed `listening on URL`. */
export interface NodeProc {
  proc: ChildProcess;
  pid: number;
  url: string;
  port: number;
  args: string[];
  /** The last ~20 KB it printed (stdout and stderr), request log lines left out. */
  output(): string;
  /** Sends a signal to this PID. */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it lingers; resolves once it has exited. */
  stop(): Promise<void>;
  /** Resolves once it has exited. */
  exited(): Promise<void>;
}

/** Spawns `headless.ts args…` and waits until it listens; a process that exits first rejects. */
export function spawnNode(args: string[]): Promise<NodeProc> {
  const proc = spawnCli(args);
  let out = '';
  let url = '';
  return new Promise<NodeProc>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start within ${START_MS} ms (${args.join(' ')}):\n${out}`));
    }, START_MS);
    let partial = '';
    const onData = (d: Buffer) => {
      // Request log lines are dropped: what matters in a failure is what the cluster code said.
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      const kept = lines.filter((l) => !REQUEST_LINE.test(l));
      if (kept.length) out = (out + kept.join('\n') + '\n').slice(-OUTPUT_KEEP);
      if (url) return;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      url = m[1]!;
      clearTimeout(timer);
      resolve({
        proc,
        pid: proc.pid!,
        url,
        port: Number(new URL(url).port),
        args,
        output: () => out,
        kill: (signal = 'SIGTERM') => {
          if (!isDone(proc)) proc.kill(signal);
        },
        async stop() {
          if (isDone(proc)) return;
          proc.kill('SIGTERM');
          if (!(await exitWithin(proc, STOP_MS))) {
            proc.kill('SIGKILL');
            await exitWithin(proc, STOP_MS);
          }
        },
        async exited() {
          await exitWithin(proc, STOP_MS * 4);
        },
      });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!url) reject(new Error(`server exited with ${code ?? signal} before listening:\n${out}`));
    });
  });
}

/** How a CLI run that should fail ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its exit (bounded: SIGKILL after `timeoutMs`, reported as signal SIGKILL). */
export function runCli(args: string[], timeoutMs = START_MS): Promise<CliRun> {
  const proc = spawnCli(args);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      // 'exit' can come before the pipes are drained; 'close' comes after.
      proc.once('close', () => resolve({ code, signal, stdout, stderr }));
      if (proc.stdout!.closed && proc.stderr!.closed) resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A primary: the CLI with a data dir and `--redis`. */
export interface Primary extends NodeProc {
  dataDir: string;
}

/** Starts a primary on `port` (0: any), on `dataDir` (a new temp dir when not given). */
export async function startPrimary(o: {
  redisUrl: string;
  dataDir?: string;
  port?: number;
}): Promise<Primary> {
  const dataDir = o.dataDir ?? tempDir('sb-primary-');
  try {
    const p = await spawnNode([
      '--port',
      String(o.port ?? 0),
      '--host',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--redis',
      o.redisUrl,
    ]);
    return Object.assign(p, { dataDir });
  } catch (e) {
    if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Starts an edge of the primary at `primaryUrl`. */
export function startEdge(o: { redisUrl: string; primaryUrl: string; port?: number }): Promise<NodeProc> {
  return spawnNode([
    '--edge',
    '--port',
    String(o.port ?? 0),
    '--host',
    '127.0.0.1',
    '--redis',
    o.redisUrl,
    '--primary',
    o.primaryUrl,
  ]);
}

/** A redis-server, a primary and edges, each its own process on loopback. */
export interface TestCluster {
  redis: TestRedis;
  primary: Primary;
  edges: NodeProc[];
  /** The superuser, signed in on the primary. */
  admin: Client;
  /** SIGKILLs the primary and waits until it is gone. */
  killPrimary(): Promise<void>;
  /** Starts the primary again on the same port and data dir (SIGKILLing it first if it runs). */
  restartPrimary(): Promise<Primary>;
  /** Everything the cluster printed, for failure messages. */
  output(): string;
  /** Stops every process by PID (edges, primary, Redis) and removes the temp dirs. */
  stop(): Promise<void>;
}

/** Starts Redis, then a primary on a port picked here (so it can restart on it), then `edges` edges. */
export async function startCluster(o: { edges?: number } & RedisOptions = {}): Promise<TestCluster> {
  const redis = await startRedis({ aof: o.aof });
  const dataDir = tempDir('sb-primary-');
  const edges: NodeProc[] = [];
  let primary: Primary | undefined;
  const stop = async () => {
    await Promise.all(edges.map((e) => e.stop()));
    await primary?.stop();
    await redis.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    primary = await startPrimary({ redisUrl: redis.url, dataDir, port });
    const primaryUrl = primary.url;
    edges.push(
      ...(await Promise.all(
        Array.from({ length: o.edges ?? 2 }, () => startEdge({ redisUrl: redis.url, primaryUrl })),
      )),
    );
    const admin = new Client(primary.url);
    await admin.login();
    const cluster: TestCluster = {
      redis,
      get primary() {
        return primary!;
      },
      edges,
      admin,
      async killPrimary() {
        primary!.kill('SIGKILL');
        await primary!.exited();
      },
      async restartPrimary() {
        await cluster.killPrimary();
        primary = await startPrimary({ redisUrl: redis.url, dataDir, port });
        return primary;
      },
      output: () =>
        [
          `--- primary ${primary?.url}\n${primary?.output().slice(-3000)}`,
          ...edges.map((e, i) => `--- edge ${i} ${e.url}\n${e.output().slice(-3000)}`),
          `--- redis\n${redis.output().slice(-2000)}`,
        ].join('\n'),
      stop,
    };
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * One cluster for a test file (call at file level): started before its tests, stopped after
 * them; test clients are closed after each test, and a failing test prints what the
 * processes said. `env.c` is the cluster once started.
 */
export function useCluster(o: { edges?: number } & RedisOptions = {}): { c: TestCluster } {
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
