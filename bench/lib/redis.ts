import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';
import { trackPid, untrackPid } from './cleanup';
import { sleep } from './timing';

/**
 * A real redis-server for the cluster bench: its own loopback port and temp dir, no
 * persistence, stopped by PID (the logic of tests/helpers/redis.ts, which the bench must not
 * import).
 */

// note: Debian's package puts the binary here; `.ci/run` installs it.
const REDIS_SERVER = '/usr/bin/redis-server';
// note: a fresh redis-server answers PING in ~10 ms; 10 s covers a loaded 2-core box.
const READY_MS = 10_000;
// note: SIGTERM makes redis exit in milliseconds; after 5 s it gets SIGKILL.
const STOP_MS = 5_000;
// note: a port found free can be taken before redis binds it; three fresh ports make that race moot.
const BIND_ATTEMPTS = 3;

export interface BenchRedis {
  pid: number;
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL if it lingers. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket; true on +PONG. */
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

function exited(c: ChildProcess, ms: number): Promise<boolean> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts redis-server on a free loopback port with `dir` as its working dir; waits for PING. */
export async function startRedis(dir: string): Promise<BenchRedis> {
  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
    const port = await freePort();
    const c = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    if (c.pid === undefined) throw new Error(`could not spawn ${REDIS_SERVER}`);
    const pid = c.pid;
    trackPid(pid);
    c.once('exit', () => untrackPid(pid));
    let out = '';
    const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
    c.stdout!.on('data', keep);
    c.stderr!.on('data', keep);
    const stop = async () => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      process.kill(pid, 'SIGTERM');
      if (!(await exited(c, STOP_MS))) {
        process.kill(pid, 'SIGKILL');
        await exited(c, STOP_MS);
      }
    };
    const deadline = performance.now() + READY_MS;
    let ready = false;
    while (performance.now() < deadline) {
      if (c.exitCode !== null || c.signalCode !== null) break;
      if (await ping(port)) {
        ready = true;
        break;
      }
      await sleep(20);
    }
    if (ready) return { pid, url: `redis://127.0.0.1:${port}`, output: () => out, stop };
    await stop();
    if (!/address already in use/i.test(out))
      throw new Error(`redis-server on port ${port} did not start: ${out.slice(-1000)}`);
  }
  throw new Error(`redis-server could not bind a free port in ${BIND_ATTEMPTS} attempts`);
}

/**
 * `INFO section` of the redis-server at `url`, over a raw socket (one RESP bulk string), as
 * key -> value. For `commandstats`: `cmdstat_xadd` -> `calls=…,usec=…,usec_per_call=…,…`.
 */
export function redisInfo(url: string, section: string): Promise<Map<string, string>> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = createConnection({ host: u.hostname, port: Number(u.port) });
    let buf = Buffer.alloc(0);
    // note: INFO answers in well under a second on loopback.
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`redis INFO ${section}: no answer in 5 s`));
    }, 5000);
    sock.on('connect', () => sock.write(`INFO ${section}\r\n`));
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const eol = buf.indexOf('\r\n');
      if (eol < 0) return;
      const len = Number(buf.subarray(1, eol).toString());
      if (buf.length < eol + 2 + len) return;
      clearTimeout(timer);
      sock.destroy();
      const out = new Map<string, string>();
      for (const line of buf
        .subarray(eol + 2, eol + 2 + len)
        .toString()
        .split('\r\n')) {
        const i = line.indexOf(':');
        if (i > 0 && !line.startsWith('#')) out.set(line.slice(0, i), line.slice(i + 1));
      }
      resolve(out);
    });
  });
}
