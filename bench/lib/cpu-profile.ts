/**
 * A V8 CPU profile of a child process over an exact window, through the inspector: the child
 * is started with `NODE_OPTIONS=--inspect-port=127.0.0.1:0` (see {@link INSPECT_NODE_OPTIONS}),
 * {@link InspectorProfiler.attach} sends it SIGUSR1 (Node then opens the inspector on a free
 * port and prints its URL on stderr), and `start`/`stop` bracket the phase of interest.
 * Opt-in only: sampling and the open inspector perturb the figures.
 */
import WebSocket from 'ws';
import { sleep, withTimeout } from './timing';

/** What to add to a child's NODE_OPTIONS so SIGUSR1 opens the inspector on a free loopback port. */
export const INSPECT_NODE_OPTIONS = '--inspect-port=127.0.0.1:0';

interface CallFrame {
  functionName: string;
  url: string;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export class InspectorProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error.message));
      else p.resolve(m.result);
    });
  }

  /** Opens the inspector of `pid` (SIGUSR1) and connects; `output` is the child's stderr so far. */
  static async attach(pid: number, output: () => string, timeoutMs = 10_000): Promise<InspectorProfiler> {
    process.kill(pid, 'SIGUSR1');
    const deadline = performance.now() + timeoutMs;
    let url: string | undefined;
    while (!url) {
      url = /Debugger listening on (ws:\/\/\S+)/.exec(output())?.[1];
      if (url) break;
      if (performance.now() > deadline) throw new Error(`pid ${pid}: no inspector URL in ${timeoutMs} ms`);
      await sleep(50);
    }
    const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1024 * 2 ** 20 });
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      timeoutMs,
      'inspector connect',
    );
    const p = new InspectorProfiler(ws);
    await p.call('Profiler.enable');
    return p;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return withTimeout(
      new Promise((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        this.ws.send(JSON.stringify({ id, method, params }));
      }),
      60_000,
      method,
    );
  }

  async start(intervalUs = 1000): Promise<void> {
    await this.call('Profiler.setSamplingInterval', { interval: intervalUs });
    await this.call('Profiler.start');
  }

  async stop(): Promise<CpuProfile> {
    const r = (await this.call('Profiler.stop')) as { profile: CpuProfile };
    return r.profile;
  }

  close(): void {
    this.ws.terminate();
  }
}

// note: better-sqlite3's native methods show up as frames with no script URL.
const SQLITE_NATIVE = new Set(['run', 'get', 'all', 'iterate', 'exec', 'pragma', 'prepare']);

/** Which part of the program a frame belongs to, from its script URL. */
function category(f: CallFrame): string {
  const u = f.url;
  if (!u) {
    if (f.functionName === '(idle)') return '(idle)';
    if (f.functionName === '(garbage collector)') return 'GC';
    if (f.functionName === '(program)') return '(program: V8/native, no JS frame)';
    if (SQLITE_NATIVE.has(f.functionName))
      return 'SQLite (better-sqlite3 native calls, incl. COMMIT + fsync)';
    if (/^write/.test(f.functionName)) return 'socket writes (native writev/writeBuffer…)';
    return 'other native builtins';
  }
  // note: the server under test is the built output, one bundle: its own code is one part here,
  // and the inclusive rows (by function name) split it.
  if (u.includes('/out/main/')) return 'Switchboard (built: out/main)';
  if (u.includes('/node_modules/ws/')) return 'ws library';
  if (u.includes('/node_modules/better-sqlite3/')) return 'better-sqlite3 JS';
  if (u.includes('/node_modules/jose/')) return 'jose';
  if (u.includes('/node_modules/')) return 'other node_modules';
  if (u.includes('/src/main/realtime/')) return 'src/main/realtime (hub, dialects)';
  if (u.includes('/src/main/store/')) return 'src/main/store';
  if (u.includes('/src/main/api/')) return 'src/main/api';
  if (u.includes('/src/main/auth/')) return 'src/main/auth';
  if (u.includes('/src/main/server/')) return 'src/main/server (router, log)';
  if (u.includes('/src/shared/')) return 'src/shared';
  if (u.startsWith('node:_http') || u.startsWith('node:http')) return 'node http';
  if (u.startsWith('node:net') || u.includes('stream') || u.startsWith('node:internal/stream_base'))
    return 'node net/streams';
  if (u.startsWith('node:')) return 'node other';
  return 'other';
}

function shortUrl(u: string): string {
  const i = u.search(/\/(src|node_modules|out)\//);
  return i >= 0 ? u.slice(i + 1) : u.replace(/^file:\/\//, '');
}

export interface ProfileSummary {
  wallMs: number;
  /**
   * Sampled time not idle, ms: the main thread running JS or native code, or blocked in a
   * synchronous call such as SQLite's fsync (the sampler records the stack either way).
   */
  busyMs: number;
  categories: [string, number][];
  topSelf: [string, number][];
  /** Inclusive (self + callees) time of frames picked by `inclusive`, ms. */
  inclusive: [string, number][];
}

/**
 * Self time by category and by function, plus inclusive time of some frames. `inclusive`
 * maps a label to a predicate on frames; nested matches of the same predicate count once.
 */
export function summarizeProfile(
  p: CpuProfile,
  inclusive: Record<string, (f: CallFrame) => boolean>,
  top = 15,
): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const hits = new Map<number, number>();
  if (p.samples?.length) for (const s of p.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  else for (const n of p.nodes) hits.set(n.id, n.hitCount ?? 0);
  const total = [...hits.values()].reduce((a, b) => a + b, 0);
  const wallMs = (p.endTime - p.startTime) / 1000;
  const msPer = total ? wallMs / total : 0;

  const cats = new Map<string, number>();
  const funcs = new Map<string, number>();
  for (const [id, h] of hits) {
    const f = byId.get(id)!.callFrame;
    const c = category(f);
    cats.set(c, (cats.get(c) ?? 0) + h);
    if (c === '(idle)') continue;
    // note: no line numbers: a bundle's (or tsx's transformed) lines are not the source's.
    const label = `${f.functionName || '(anonymous)'} ${f.url ? shortUrl(f.url) : ''}`.trim();
    funcs.set(label, (funcs.get(label) ?? 0) + h);
  }

  // Inclusive hits: a post-order walk from the root (ids are not guaranteed to be ordered).
  const incl = new Map<number, number>();
  const root = p.nodes[0]!;
  const stack: { node: ProfileNode; i: number }[] = [{ node: root, i: 0 }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const kids = top.node.children ?? [];
    if (top.i < kids.length) {
      stack.push({ node: byId.get(kids[top.i++]!)!, i: 0 });
      continue;
    }
    stack.pop();
    incl.set(top.node.id, (hits.get(top.node.id) ?? 0) + kids.reduce((a, k) => a + (incl.get(k) ?? 0), 0));
  }
  const inclusiveOut: [string, number][] = [];
  for (const [label, pred] of Object.entries(inclusive)) {
    let sum = 0;
    const walk: { node: ProfileNode; inside: boolean }[] = [{ node: root, inside: false }];
    while (walk.length) {
      const { node, inside } = walk.pop()!;
      const match = !inside && pred(node.callFrame);
      if (match) sum += incl.get(node.id) ?? 0;
      for (const k of node.children ?? []) walk.push({ node: byId.get(k)!, inside: inside || match });
    }
    inclusiveOut.push([label, sum * msPer]);
  }

  const idle = cats.get('(idle)') ?? 0;
  return {
    wallMs,
    busyMs: (total - idle) * msPer,
    categories: [...cats.entries()]
      .filter(([c]) => c !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .map(([c, h]) => [c, h * msPer]),
    topSelf: [...funcs.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([l, h]) => [l, h * msPer]),
    inclusive: inclusiveOut,
  };
}
