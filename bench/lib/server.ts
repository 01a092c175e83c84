import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trackPid, untrackPid } from './cleanup';
import { sleep } from './timing';

export const ADMIN_EMAIL = 'bench-admin@bench.local';
export const ADMIN_PASSWORD = 'bench-admin-password-1';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
// note: the server logs one line per request; keep only the tail for error messages.
const KEEP_OUTPUT = 16 * 1024;
// note: the per-request log line of src/main/server/index.ts.
const REQUEST_LINE = /^([A-Z]+ \/\S*) \d{3} ([\d.]+)ms trace=/;

/** The headless server (out/main/headless.js, built from src/main/headless.ts) as a child process, so its CPU is its own. */
export interface ChildServer {
  pid: number;
  url: string;
  /** The last few KiB of its stdout and stderr. */
  output(): string;
  /**
   * The server's own time for each `route` request (`POST /api/v1/...`, no query) since the
   * last call, in ms, from its log lines
   * (`POST /api/... 201 1.4ms trace=...`: from the request handler's start to the response's finish).
   */
  takeRequestTimes(route: string): Promise<number[]>;
  /** SIGTERM (graceful: drains, checkpoints the WAL), then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
}

/**
 * Starts the headless server on a free loopback port. `dataDir` null leaves `--data-dir` out
 * (a cluster edge); `extraArgs` are more CLI flags (`--redis URL`, `--edge --primary URL`).
 */
export function startServer(dataDir: string | null, extraArgs: string[] = []): Promise<ChildServer> {
  const proc: ChildProcess = spawn(
    process.execPath,
    [
      // note: the built output, as `npm run serve` runs it (bench/index.ts builds it first if stale).
      'out/main/headless.js',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      ...(dataDir === null ? [] : ['--data-dir', dataDir]),
      ...extraArgs,
    ],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL,
        SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  if (proc.pid === undefined) return Promise.reject(new Error('could not spawn the server'));
  const pid = proc.pid;
  trackPid(pid);
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * KEEP_OUTPUT) out = out.slice(-KEEP_OUTPUT);
  };
  let partial = '';
  let times: { route: string; ms: number }[] = [];
  const onStdout = (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!;
    for (const line of lines) {
      const m = REQUEST_LINE.exec(line);
      if (m) times.push({ route: m[1]!, ms: Number(m[2]) });
    }
  };
  proc.stdout!.on('data', onData);
  proc.stdout!.on('data', onStdout);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => untrackPid(pid));

  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the server did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const watch = () => {
      // note: onData ran first for this chunk, so `out` already holds it.
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', watch);
      resolve({
        pid,
        url: m[1]!,
        output: () => out.slice(-KEEP_OUTPUT),
        takeRequestTimes: async (route) => {
          // note: the last log lines may still be in the pipe when the last response arrived.
          await sleep(200);
          const t = times;
          times = [];
          return t.filter((x) => x.route === route).map((x) => x.ms);
        },
        stop,
      });
    };
    proc.stdout!.on('data', watch);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`));
    });
  });
}
