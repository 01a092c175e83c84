/**
 * A real redis-server on its own loopback port and temp dir, stopped by PID. Free of vitest,
 * so tests, Playwright specs and `bench/` share it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { exitWithin } from './child';
import { removeDir, tempDir, trackPid, untrackPid } from './cleanup';

// note: Debian's package puts the binary here; `.ci/run` installs it.
const REDIS_SERVER = '/usr/bin/redis-server';
// note: a fresh redis-server answers PING in ~10 ms; 10 s covers replaying a large AOF on a busy box.
const READY_MS = 10_000;
// note: SIGTERM makes redis fsync and exit in milliseconds; after 5 s it gets SIGKILL.
const STOP_MS = 5_000;
// note: a port found free can be taken before redis binds it; three fresh ports make that race moot.
const BIND_ATTEMPTS = 3;

/** A real redis-server this test started: its own loopback port and temp data dir. */
export interface TestRedis {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** The PID of the running server (undefined while stopped). */
  pid(): number | undefined;
  /** Whether the server is running. */
  running(): boolean;
  /** Stops it: SIGTERM, then SIGKILL if it lingers (`kill: true` sends SIGKILL at once). */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same port and data dir (with AOF the stream survives). */
  start(): Promise<void>;
  /** Stop and start. */
  restart(): Promise<void>;
  /** Stops it and removes the data dir. */
  cleanup(): Promise<void>;
  /** What the server printed (for failure messages). */
  output(): string;
}

export interface RedisOptions {
  /** Persist with an append-only file fsynced on every write, so a restart keeps the stream. */
  aof?: boolean;
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket; true on +PONG (false on refusal, -LOADING, or silence). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ port, host: '127.0.0.1' });
    let buf = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(ok);
    };
    // note: a live local server answers in well under 500 ms.
    const timer = setTimeout(() => done(false), 500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
    sock.on('error', () => done(false));
  });
}

/** Starts a redis-server on a free loopback port with a temp dir, waiting until it answers PING. */
export async function startRedis(opts: RedisOptions = {}): Promise<TestRedis> {
  const dir = tempDir('sb-redis-');
  let child: ChildProcess | undefined;
  let out = '';
  let port = 0;

  const args = () => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    opts.aof ? 'yes' : 'no',
    '--appendfsync',
    'always',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];

  /** Spawns on `port`; resolves true when it answers PING, false when the port was taken. */
  const launch = async (): Promise<boolean> => {
    const c = spawn(REDIS_SERVER, args(), { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    // A crashed run must not leave servers behind (./cleanup kills tracked PIDs at exit).
    const pid = c.pid;
    if (pid !== undefined) {
      trackPid(pid);
      c.once('exit', () => untrackPid(pid));
    }
    c.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    c.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
    const deadline = Date.now() + READY_MS;
    while (Date.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) {
        if (/address already in use/i.test(out)) return false;
        throw new Error(`redis-server exited (${c.exitCode ?? c.signalCode}): ${out.slice(-1000)}`);
      }
      if (await ping(port)) return true;
      await new Promise((r) => setTimeout(r, 20));
    }
    c.kill('SIGKILL');
    throw new Error(`redis-server on port ${port} did not answer PING within ${READY_MS} ms: ${out}`);
  };

  const stop = async (o: { kill?: boolean } = {}) => {
    const c = child;
    if (!c) return;
    child = undefined;
    if (c.exitCode !== null || c.signalCode !== null) return;
    c.kill(o.kill ? 'SIGKILL' : 'SIGTERM');
    if (!(await exitWithin(c, STOP_MS))) {
      c.kill('SIGKILL');
      await exitWithin(c, STOP_MS);
    }
  };

  const start = async () => {
    if (child) throw new Error('redis-server already running');
    if (!(await launch())) throw new Error(`port ${port} is taken; cannot restart redis-server on it`);
  };

  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    if (await launch()) break;
    if (attempt >= BIND_ATTEMPTS) {
      removeDir(dir);
      throw new Error(`redis-server could not bind a free port in ${BIND_ATTEMPTS} attempts`);
    }
  }

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    pid: () => child?.pid,
    running: () => !!child && child.exitCode === null && child.signalCode === null,
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async cleanup() {
      await stop();
      removeDir(dir);
    },
    output: () => out,
  };
}
