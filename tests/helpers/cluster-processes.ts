/**
 * A cluster as processes: a redis-server, a primary and edges, each the headless CLI in its
 * own child process on loopback, started and stopped by PID. Free of vitest and of server
 * imports, so the integration tests (through ./cluster) and the Playwright specs share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './credentials';
import { freePort, startRedis, type RedisOptions, type TestRedis } from './redis';

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

/**
 * Which CLI a process runs: `source` is src/main/headless.ts through tsx (integration tests,
 * no build needed), `built` is out/main/headless.js (Playwright specs, after their global setup builds).
 */
export type Entry = 'source' | 'built';

const ENTRY_ARGS: Record<Entry, string[]> = {
  source: ['--import', 'tsx', 'src/main/headless.ts'],
  built: ['out/main/headless.js'],
};

function spawnCli(args: string[], entry: Entry): ChildProcess {
  const proc = spawn(process.execPath, [...ENTRY_ARGS[entry], ...args], {
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

/** Spawns the CLI with `args` and waits until it listens; a process that exits first rejects. */
function spawnNode(args: string[], entry: Entry = 'source'): Promise<NodeProc> {
  const proc = spawnCli(args, entry);
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
  const proc = spawnCli(args, 'source');
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
async function startPrimary(o: {
  redisUrl: string;
  dataDir?: string;
  port?: number;
  entry?: Entry;
}): Promise<Primary> {
  const dataDir = o.dataDir ?? tempDir();
  try {
    const p = await spawnNode(
      ['--port', String(o.port ?? 0), '--host', '127.0.0.1', '--data-dir', dataDir, '--redis', o.redisUrl],
      o.entry,
    );
    return Object.assign(p, { dataDir });
  } catch (e) {
    if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

/** Starts an edge of the primary at `primaryUrl`. */
export function startEdge(o: {
  redisUrl: string;
  primaryUrl: string;
  port?: number;
  entry?: Entry;
}): Promise<NodeProc> {
  return spawnNode(
    [
      '--edge',
      '--port',
      String(o.port ?? 0),
      '--host',
      '127.0.0.1',
      '--redis',
      o.redisUrl,
      '--primary',
      o.primaryUrl,
    ],
    o.entry,
  );
}

/** A redis-server, a primary and edges, each its own process on loopback. */
export interface ClusterProcesses {
  redis: TestRedis;
  primary: Primary;
  edges: NodeProc[];
  /** SIGKILLs the primary and waits until it is gone. */
  killPrimary(): Promise<void>;
  /** Starts the primary again on the same port and data dir (SIGKILLing it first if it runs). */
  restartPrimary(): Promise<Primary>;
  /** Everything the cluster printed, for failure messages. */
  output(): string;
  /** Stops every process by PID (edges, primary, Redis) and removes the temp dirs. */
  stop(): Promise<void>;
}

/** How many edges (default 2), which CLI they run, and the Redis options. */
export type ClusterOptions = { edges?: number; entry?: Entry } & RedisOptions;

/**
 * Starts Redis, then a primary on a port picked here (so it can restart on it), then `edges`
 * edges; whatever started is stopped again if a later step fails.
 */
export async function startClusterProcesses(o: ClusterOptions = {}): Promise<ClusterProcesses> {
  const redis = await startRedis({ aof: o.aof });
  const dataDir = tempDir();
  const entry = o.entry;
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
    primary = await startPrimary({ redisUrl: redis.url, dataDir, port, entry });
    const primaryUrl = primary.url;
    edges.push(
      ...(await Promise.all(
        Array.from({ length: o.edges ?? 2 }, () => startEdge({ redisUrl: redis.url, primaryUrl, entry })),
      )),
    );
    const cluster: ClusterProcesses = {
      redis,
      get primary() {
        return primary!;
      },
      edges,
      async killPrimary() {
        primary!.kill('SIGKILL');
        await primary!.exited();
      },
      async restartPrimary() {
        await cluster.killPrimary();
        primary = await startPrimary({ redisUrl: redis.url, dataDir, port, entry });
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

/** A fresh temp data dir for a primary. */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sb-primary-'));
}
