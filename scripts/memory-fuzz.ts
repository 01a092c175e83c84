/**
 * Memory under bad input: starts a real server in a child process (`--expose-gc`, temp data dir),
 * drives rounds of random bad inputs across the five WebSocket dialects, REST and SSE, closes every
 * client, and prints the server's memory after a full GC before and after each round. Growth
 * that stays after the clients are gone is memory the server holds.
 *
 *   node --import tsx scripts/memory-fuzz.ts [--inputs 5000] [--rounds 3] [--snapshot] [--only ws|rest|sse|big]
 *
 * `big` is not bad input: large valid writes and wide reads, to tell the SQLite page cache and
 * allocator retention (RSS) from objects the server holds (heapUsed).
 *
 * With --snapshot the server writes a heap snapshot after the baseline and after the last round
 * (open both in Chrome DevTools > Memory and compare). The last line is JSON, for scripts.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics, writeHeapSnapshot } from 'node:v8';
import WebSocket from 'ws';

/** What the child reports after a full GC. */
interface Measure {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  mallocedMemory: number;
  connections: number;
  snapshot?: string;
}

type FromChild = { type: 'ready'; url: string; token: string } | ({ type: 'measure' } & Measure);

// ---------------------------------------------------------------- child: the server

async function child(): Promise<void> {
  const { createServer } = await import('../src/main/server');
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-memfuzz-'));
  const server = createServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    env: { SWITCHBOARD_ADMIN_EMAIL: 'admin@fuzz.local', SWITCHBOARD_ADMIN_PASSWORD: 'admin-password-1' },
    log: () => {},
  });
  await server.start();
  const token = await server.issueAdminToken();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run the child with --expose-gc');
  // The parent is gone (it crashed, or was killed): so is this server.
  process.on('disconnect', () => process.exit(1));
  process.on('message', async (m: { type: string; snapshot?: string }) => {
    if (m.type === 'stop') {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    }
    if (m.type !== 'measure') return;
    // Several full GCs with turns of the event loop between them: finalizers and weak callbacks run.
    for (let i = 0; i < 4; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
    }
    const mu = process.memoryUsage();
    const stats = (await fetch(`${server.url}/api/v1/stats`, {
      headers: { authorization: `Bearer ${token}` },
    }).then((r) => r.json())) as { total_connections?: number };
    const snapshot = m.snapshot ? writeHeapSnapshot(m.snapshot) : undefined;
    process.send!({
      type: 'measure',
      rss: mu.rss,
      heapUsed: mu.heapUsed,
      external: mu.external,
      arrayBuffers: mu.arrayBuffers,
      mallocedMemory: getHeapStatistics().malloced_memory,
      connections: stats.total_connections ?? -1,
      snapshot,
    } satisfies FromChild);
  });
  process.send!({ type: 'ready', url: server.url, token } satisfies FromChild);
}

// ---------------------------------------------------------------- parent: the fuzz

let seed = 0x5eed;
/** A small deterministic PRNG (mulberry32), so runs are comparable. */
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
/** encodeURIComponent that tolerates the lone surrogates a sliced emoji leaves. */
const enc = (s: string) => encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '?'));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const int = (n: number) => Math.floor(rnd() * n);

/** Random text: mostly short, sometimes long, sometimes odd characters. */
function str(): string {
  const len = pick([0, 1, 5, 12, 40, 200, 2_000, 30_000]);
  const alphabet = pick([
    'abcdefghij_0123',
    'ABC xyz:*/.?"\'\\',
    '\u0000\u00e9\u2028\ud83d\ude00<>{}[]',
    'a',
  ]);
  let s = '';
  for (let i = 0; i < len; i++) s += alphabet[int(alphabet.length)];
  return s;
}

/** A unique-ish name, valid or not: fuzzers invent new collection names, topics, emails all the time. */
const name = () => pick(['posts', 'c' + int(1e9).toString(36), str(), '*', 'presence', 'x'.repeat(70)]);
const filter = () =>
  pick([
    str(),
    `title = "${str().slice(0, 100)}"`,
    `title ~ "${int(1e9)}" && id != "${int(1e9)}"`,
    `(((${str().slice(0, 50)}`,
    `n > ${int(1e6)}`,
  ]);

function value(depth = 0): unknown {
  switch (int(depth > 2 ? 5 : 8)) {
    case 0:
      return str();
    case 1:
      return int(1e9) - 5e8;
    case 2:
      return rnd() < 0.5;
    case 3:
      return null;
    case 4:
      return name();
    case 5:
      return Array.from({ length: int(6) }, () => value(depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: int(6) }, () => [pick(['a', 'id', name()]), value(depth + 1)]),
      );
  }
}

function message(dialect: string, token: string): string | Buffer {
  const r = rnd();
  if (r < 0.08) return str();
  if (r < 0.1) return Buffer.from(str());
  const tok = pick([token, str(), '', 'eyJ' + str()]);
  switch (dialect) {
    case 'native':
      return JSON.stringify(
        pick([
          {
            action: 'subscribe',
            collection: name(),
            filter: filter(),
            events: value(),
            since: value(),
            select: value(),
          },
          { action: 'unsubscribe', collection: name() },
          { action: 'auth', token: tok },
          { action: pick(['ping', 'presence', str()]), id: value() },
          value(),
        ]),
      );
    case 'snackbase':
      return JSON.stringify(
        pick([
          { action: 'subscribe', collection: name(), operations: value() },
          { action: 'unsubscribe', collection: name() },
          { action: pick(['ping', str()]) },
          value(),
        ]),
      );
    case 'topics':
      return JSON.stringify(
        pick([
          { type: 'subscribe', topics: [name(), `${name()}:${str().slice(0, 30)}`, str()] },
          { type: 'unsubscribe', topics: [name(), str()] },
          { type: 'auth', token: tok },
          { type: pick(['ping', str()]), data: value() },
          value(),
        ]),
      );
    default:
      // fastschema, monitor: the server mostly reads the URL; messages are noise or pings.
      return JSON.stringify(pick([{ type: 'ping' }, value(), { event: str(), data: value() }]));
  }
}

const WS_PATHS: Record<string, (token: string) => string> = {
  native: (t) => `/api/v1/ws/realtime${rnd() < 0.5 ? `?token=${pick([t, str().slice(0, 300)])}` : ''}`,
  fastschema: (t) =>
    `/api/realtime/content?schema=${enc(name())}&event=${enc(pick(['*', 'create', str()]))}&filter=${enc(filter())}${rnd() < 0.5 ? `&token=${t}` : ''}`,
  snackbase: (t) => `/api/v1/realtime/ws${rnd() < 0.5 ? `?token=${pick([t, str().slice(0, 300)])}` : ''}`,
  topics: (t) => `/ws${rnd() < 0.5 ? `?token=${t}` : ''}`,
  monitor: (t) => `/api/v1/monitor${rnd() < 0.7 ? `?token=${t}` : ''}`,
};

/** One WebSocket: connect to a dialect, send a few random messages, leave one way or another. */
function wsInput(base: string, token: string): Promise<void> {
  const dialect = pick(Object.keys(WS_PATHS));
  return new Promise((resolve) => {
    const ws = new WebSocket(base.replace(/^http/, 'ws') + WS_PATHS[dialect]!(token), {
      headers: rnd() < 0.2 ? { authorization: `Bearer ${pick([token, str().slice(0, 200)])}` } : {},
    });
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      ws.terminate();
      done();
    }, 3_000);
    ws.on('error', () => undefined);
    ws.on('close', done);
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      done();
    });
    ws.on('open', async () => {
      const n = 1 + int(12);
      for (let i = 0; i < n && ws.readyState === WebSocket.OPEN; i++) {
        const m = message(dialect, token);
        // note: the monitor has no 'error' listener: a frame over the limit crashes the server
        // (tests/security/rest-ws-protocol-error.test.ts); --oversize-monitor sends them anyway.
        if (
          dialect !== 'monitor' ||
          Buffer.byteLength(m) < 65_536 ||
          process.argv.includes('--oversize-monitor')
        )
          ws.send(m);
        if (rnd() < 0.3) await new Promise((r) => setTimeout(r, int(20)));
      }
      await new Promise((r) => setTimeout(r, int(50)));
      if (rnd() < 0.3) ws.terminate();
      else ws.close(pick([1000, 1001, 4000]), pick(['', 'bye', 'x'.repeat(100)]));
    });
  });
}

async function rest(base: string, token: string): Promise<void> {
  const auth: Record<string, string> =
    rnd() < 0.5
      ? { authorization: `Bearer ${pick([token, str().slice(0, 500), 'sb_' + str().slice(0, 60)])}` }
      : {};
  const q = (o: Record<string, string>) => new URLSearchParams(o).toString();
  const [method, path, body] = pick<[string, string, unknown]>([
    ['POST', '/api/v1/auth/login', { email: `${str().slice(0, 300)}@${int(1e9)}.x`, password: str() }],
    ['POST', '/api/v1/auth/login', value()],
    ['POST', '/api/v1/auth/refresh', { refresh_token: str() }],
    [
      'GET',
      `/api/v1/collections/posts/records?${q({ filter: filter(), sort: str().slice(0, 80), select: str().slice(0, 80), page: String(value()), per_page: String(value()) })}`,
      undefined,
    ],
    ['GET', `/api/v1/collections/${enc(name())}/records?${q({ filter: filter() })}`, undefined],
    ['POST', '/api/v1/collections/posts/records', value()],
    ['POST', '/api/v1/collections/posts/records', { title: str().slice(0, 1000) }],
    ['PATCH', `/api/v1/collections/posts/records/${enc(str().slice(0, 40))}`, value()],
    ['POST', '/api/v1/collections', { name: name(), fields: value() }],
    [
      'GET',
      `/api/v1/events?${q({ since: String(value()), collection: name(), limit: String(value()) })}`,
      undefined,
    ],
    ['GET', `/${enc(str().slice(0, 200))}`, undefined],
    [pick(['PUT', 'DELETE', 'OPTIONS', 'PATCH']), `/api/v1/${enc(name())}`, str()],
  ]);
  const res = await fetch(base + path, {
    method,
    // note: a request the server holds longer than this is a finding of its own, not this script's subject.
    signal: AbortSignal.timeout(10_000),
    headers: {
      ...auth,
      'content-type': 'application/json',
      'x-forwarded-for': `10.${int(255)}.${int(255)}.${int(255)}`,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  }).catch(() => undefined);
  await res?.arrayBuffer().catch(() => undefined);
}

/** A large valid write or a wide read: the database grows and its page cache fills (RSS outside the JS heap). */
async function big(base: string, token: string): Promise<void> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const write = rnd() < 0.6;
  const res = await fetch(
    write
      ? `${base}/api/v1/collections/posts/records`
      : `${base}/api/v1/collections/posts/records?per_page=${1 + int(100)}&page=${1 + int(20)}&sort=${pick(['-created', 'title', 'created'])}`,
    {
      method: write ? 'POST' : 'GET',
      headers,
      body: write ? JSON.stringify({ title: 'x'.repeat(50_000 + int(200_000)) }) : undefined,
      signal: AbortSignal.timeout(10_000),
    },
  ).catch(() => undefined);
  await res?.arrayBuffer().catch(() => undefined);
}

async function sse(base: string, token: string): Promise<void> {
  const q = new URLSearchParams();
  const native = rnd() < 0.5;
  if (rnd() < 0.5) q.set('token', pick([token, str().slice(0, 300)]));
  if (native) {
    q.set('collection', name());
    if (rnd() < 0.7) q.set('filter', filter());
    if (rnd() < 0.3) q.set('events', str().slice(0, 50));
    if (rnd() < 0.3) q.set('select', str().slice(0, 50));
  } else for (let i = int(4); i > 0; i--) q.append(pick(['collection', 'collections']), name());
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 50 + int(300));
  try {
    const res = await fetch(`${base}${native ? '/api/v1/sse/realtime' : '/api/v1/realtime/subscribe'}?${q}`, {
      signal: ac.signal,
      headers: rnd() < 0.3 ? { 'last-event-id': str().slice(0, 50) } : {},
    });
    const reader = res.body?.getReader();
    while (reader) if ((await reader.read()).done) break;
  } catch {
    // aborted: the client went away, as fuzzers' clients do
  } finally {
    clearTimeout(timer);
  }
}

/** Sends `inputs` random bad inputs (WebSocket dialects, REST, SSE; or only one kind) to the server at `base`, 24 at a time. */
export async function drive(
  base: string,
  token: string,
  inputs: number,
  opts: { only?: string; progress?: boolean } = {},
): Promise<void> {
  const only = opts.only;
  const kinds = only ? [only] : ['ws', 'ws', 'rest', 'rest', 'sse'];
  let next = 0;
  // note: 24 clients at once: enough to overlap connections, few enough for a shared 2-core box.
  const worker = async () => {
    while (next < inputs) {
      next++;
      if (next % 500 === 0 && opts.progress) process.stderr.write(`  ${next} inputs\n`);
      const k = pick(kinds);
      try {
        await (k === 'ws'
          ? wsInput(base, token)
          : k === 'rest'
            ? rest(base, token)
            : k === 'big'
              ? big(base, token)
              : sse(base, token));
      } catch {
        // an input the client library itself refuses (a header with a control character): next
      }
    }
  };
  await Promise.all(Array.from({ length: 24 }, worker));
}

const mb = (n: number) => (n / 1048576).toFixed(1);

async function parent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inputs: { type: 'string', default: '5000' },
      rounds: { type: 'string', default: '3' },
      snapshot: { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  const inputs = Number(values.inputs);
  const rounds = Number(values.rounds);
  const proc = fork(process.argv[1]!, ['--child'], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.on('exit', () => proc.kill());
  const next = () =>
    new Promise<FromChild>((resolve) => proc.once('message', (m) => resolve(m as FromChild)));
  const ready = (await next()) as Extract<FromChild, { type: 'ready' }>;
  const { url, token } = ready;
  const measure = async (snapshot?: string) => {
    proc.send({ type: 'measure', snapshot });
    return (await next()) as Measure;
  };
  await fetch(`${url}/api/v1/collections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'posts', fields: [{ name: 'title', type: 'text' }] }),
  });
  // Warm-up: code paths compiled, caches of fixed size filled, pools allocated.
  await drive(url, token, Math.min(500, inputs), { only: values.only, progress: true });
  const stamp = Date.now();
  const base = await measure(values.snapshot ? join(tmpdir(), `sb-heap-${stamp}-0.heapsnapshot`) : undefined);
  const rows: (Measure & { after: number })[] = [{ ...base, after: 0 }];
  console.log('after   rss MB  heapUsed MB  external MB  malloced MB  connections');
  const line = (m: Measure & { after: number }) =>
    console.log(
      `${String(m.after).padStart(6)}  ${mb(m.rss).padStart(6)}  ${mb(m.heapUsed).padStart(11)}  ${mb(m.external).padStart(11)}  ${mb(m.mallocedMemory).padStart(11)}  ${m.connections}`,
    );
  line(rows[0]!);
  for (let r = 1; r <= rounds; r++) {
    await drive(url, token, inputs, { only: values.only, progress: true });
    // Let the server see every close.
    await new Promise((res) => setTimeout(res, 1_000));
    const last = r === rounds && values.snapshot;
    const m = {
      ...(await measure(last ? join(tmpdir(), `sb-heap-${stamp}-${r}.heapsnapshot`) : undefined)),
      after: r * inputs,
    };
    rows.push(m);
    line(m);
  }
  for (const m of rows) if (m.snapshot) console.log(`heap snapshot: ${m.snapshot}`);
  proc.send({ type: 'stop' });
  await new Promise((res) => proc.once('exit', res));
  const lastRow = rows[rows.length - 1]!;
  console.log(
    JSON.stringify({
      inputs: rounds * inputs,
      heapGrowthMB: Number(mb(lastRow.heapUsed - base.heapUsed)),
      rssGrowthMB: Number(mb(lastRow.rss - base.rss)),
      connectionsLeft: lastRow.connections,
      parentHeapMB: Number(mb(getHeapStatistics().used_heap_size)),
    }),
  );
}

// Run as a script (not when a test imports drive()).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--child')) void child();
  else void parent();
}
