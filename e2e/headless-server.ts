import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The repository root. */
export const root = join(import.meta.dirname, '..');

/** note: a cold start builds nothing (global setup did) but may create the database; generous on slow CI. */
const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

/** `node out/main/headless.js` in a child process, started and stopped by the tests. */
export class HeadlessServer {
  private child: ChildProcess | undefined;
  private lines: string[] = [];
  /** Base URL once started, e.g. `http://127.0.0.1:41234`. */
  url = '';
  /** The port it listens on; kept after stop() so a restart can take the same one. */
  port = 0;

  constructor(readonly dataDir: string) {}

  /** Everything the server printed (stdout and stderr), for the report of a failed test. */
  get log(): string {
    return this.lines.join('\n');
  }

  /** Starts the server (on `port`, default a free one) and resolves once it prints `listening on URL`. */
  async start(port = 0): Promise<void> {
    if (this.child) throw new Error('server already running');
    const child = spawn(
      process.execPath,
      [join(root, 'out/main/headless.js'), '--port', String(port), '--data-dir', this.dataDir],
      {
        cwd: root,
        env: {
          ...process.env,
          SWITCHBOARD_ADMIN_EMAIL: 'admin@example.test',
          SWITCHBOARD_ADMIN_PASSWORD: 'e2e-admin-password',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.child = child;
    createInterface({ input: child.stderr! }).on('line', (line) => this.lines.push(`[stderr] ${line}`));
    const stdout = createInterface({ input: child.stdout! });

    this.url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => fail(`no "listening on" line within ${START_TIMEOUT_MS} ms`),
        START_TIMEOUT_MS,
      );
      const fail = (why: string): void => {
        clearTimeout(timer);
        reject(new Error(`headless server did not start: ${why}\n${this.log}`));
      };
      stdout.on('line', (line) => {
        this.lines.push(line);
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.once('error', (err) => fail(err.message));
      child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
    });
    this.port = Number(new URL(this.url).port);
  }

  /** Stops the server by PID (SIGTERM, then SIGKILL if it hangs) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, 'SIGTERM');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), STOP_TIMEOUT_MS);
    });
    if (await Promise.race([exited.then(() => false), timedOut])) {
      this.lines.push(`[e2e] no exit ${STOP_TIMEOUT_MS} ms after SIGTERM; sending SIGKILL`);
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  }
}
