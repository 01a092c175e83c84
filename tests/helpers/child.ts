/**
 * Node child processes that print `listening on URL`: the headless CLI (from source or built)
 * and the bench's raw-`ws` baseline. Each is tracked by PID (./cleanup kills it at exit) and
 * stopped by PID. Free of vitest and of server imports, so tests, Playwright specs and
 * `bench/` share it; the PID is there for /proc CPU readings.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackPid, untrackPid } from './cleanup';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './credentials';

// note: tsx compiles on the fly; a cold start takes ~2 s, 20 s covers a loaded 2-core box.
const START_MS = 20_000;
// note: SIGTERM stops a server in well under a second; after 5 s it gets SIGKILL.
const STOP_MS = 5_000;
// note: keeps failure messages useful without holding every log line in memory.
const OUTPUT_KEEP = 20_000;
/** A request log line (`POST /api/… 201 0.8ms trace=…`). */
const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S* \d{3} /;

/** The repository root: children run from here whatever the runner's cwd. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Variables the CLI reads that must not leak in from the shell running the tests. */
const CLI_ENV = [
  'SWITCHBOARD_PORT',
  'SWITCHBOARD_HOST',
  'SWITCHBOARD_DATA_DIR',
  'SWITCHBOARD_REDIS_URL',
  'SWITCHBOARD_PRIMARY_URL',
];

/** This process's environment (read now) with the test superuser and without CLI_ENV. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
    SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
  };
  for (const k of CLI_ENV) delete env[k];
  return env;
}

/**
 * Which CLI a process runs: `source` is src/main/headless.ts through tsx (integration tests,
 * no build needed), `built` is out/main/headless.js (Playwright specs and the bench, after a build).
 */
export type Entry = 'source' | 'built';

const ENTRY_ARGS: Record<Entry, string[]> = {
  source: ['--import', 'tsx', 'src/main/headless.ts'],
  built: ['out/main/headless.js'],
};

/** Spawns `node nodeArgs…` from ROOT with the CLI's environment, tracked by PID until it exits. */
function spawnNode(nodeArgs: string[]): ChildProcess {
  const proc = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) throw new Error(`could not spawn node ${nodeArgs.join(' ')}`);
  const pid = proc.pid;
  trackPid(pid);
  proc.once('exit', () => untrackPid(pid));
  return proc;
}

const isDone = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;

/** Resolves when `proc` has exited (true) or after `ms` (false). */
export function exitWithin(proc: ChildProcess, ms: number): Promise<boolean> {
  if (isDone(proc)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Calls `onLine` with each complete line of `stream`. */
function eachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let partial = '';
  stream.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const l of lines) onLine(l);
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
    partial = '';
  });
}

/** A child process that printed `listening on URL`. */
export interface NodeProc {
  proc: ChildProcess;
  pid: number;
  url: string;
  port: number;
  /** The arguments after the entry (the CLI's flags). */
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

/** How to start and stop a child. */
export interface ChildOptions {
  /** What error messages call it (default `server`). */
  name?: string;
  /** How long it may take to print `listening on` (default 20 s). */
  startMs?: number;
  /** How long SIGTERM may take before SIGKILL (default 5 s). */
  stopMs?: number;
  /** Each complete line it prints, request log lines included (for per-request timings). */
  onLine?: (line: string) => void;
}

/**
 * Spawns `node entryArgs… args…` and waits until it prints `listening on URL`; a child that
 * exits first or is too slow rejects with what it printed.
 */
export function startListening(entryArgs: string[], args: string[], o: ChildOptions = {}): Promise<NodeProc> {
  const { name = 'server', startMs = START_MS, stopMs = STOP_MS } = o;
  const proc = spawnNode([...entryArgs, ...args]);
  let out = '';
  let url = '';
  return new Promise<NodeProc>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${startMs} ms (${args.join(' ')}):\n${out}`));
    }, startMs);
    const onLine = (line: string) => {
      o.onLine?.(line);
      // Request log lines are dropped: what matters in a failure is what the code said.
      if (!REQUEST_LINE.test(line)) out = (out + line + '\n').slice(-OUTPUT_KEEP);
      const m = url ? null : /listening on (http:\/\/\S+)/.exec(line);
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
          if (!(await exitWithin(proc, stopMs))) {
            proc.kill('SIGKILL');
            await exitWithin(proc, stopMs);
          }
        },
        async exited() {
          await exitWithin(proc, stopMs * 4);
        },
      });
    };
    eachLine(proc.stdout!, onLine);
    eachLine(proc.stderr!, onLine);
    // 'close' comes after the pipes are drained, so the message holds the child's last line.
    proc.once('close', (code, signal) => {
      clearTimeout(timer);
      if (!url) reject(new Error(`${name} exited with ${code ?? signal}:\n${out}`));
    });
  });
}

/** Starts the headless CLI with `args` (`entry` defaults to the sources) and waits until it listens. */
export function startCli(args: string[], o: ChildOptions & { entry?: Entry } = {}): Promise<NodeProc> {
  return startListening(ENTRY_ARGS[o.entry ?? 'source'], args, o);
}

/** How a CLI run that should fail ended. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source to its exit (bounded: SIGKILL after `timeoutMs`, reported as signal SIGKILL). */
export function runCli(args: string[], timeoutMs = START_MS): Promise<CliRun> {
  const proc = spawnNode([...ENTRY_ARGS.source, ...args]);
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
