import { ROOT, startCli, type NodeProc } from '../tests/helpers/child';

/** The repository root. */
export const root = ROOT;

// note: a cold start builds nothing (global setup did) but may create the database; generous on slow CI.
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * `node out/main/headless.js` in a child process, started and stopped by the tests through
 * the tests' and the bench's spawner (tests/helpers/child.ts: tracked by PID, killed at exit),
 * with the tests' superuser (tests/helpers/credentials.ts). Unlike a NodeProc it can start
 * again on its port after a stop.
 */
export class HeadlessServer {
  private proc: NodeProc | undefined;
  private past = '';
  /** Base URL once started, e.g. `http://127.0.0.1:41234`. */
  url = '';
  /** The port it listens on; kept after stop() so a restart can take the same one. */
  port = 0;

  constructor(readonly dataDir: string) {}

  /** What the server printed (the last ~20 KB of each start, request log lines left out), for the report of a failed test. */
  get log(): string {
    return this.past + (this.proc?.output() ?? '');
  }

  /** Starts the server (on `port`, default a free one) and resolves once it prints `listening on URL`. */
  async start(port = 0): Promise<void> {
    if (this.proc) throw new Error('server already running');
    this.proc = await startCli(['--port', String(port), '--data-dir', this.dataDir], {
      name: 'headless server',
      entry: 'built',
      startMs: START_TIMEOUT_MS,
      stopMs: STOP_TIMEOUT_MS,
    });
    this.url = this.proc.url;
    this.port = this.proc.port;
  }

  /** Stops the server by PID (SIGTERM, then SIGKILL if it hangs) and waits for it to exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc) return;
    await proc.stop();
    this.past += proc.output();
  }
}
