import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { freePort } from './redis';
import { tempDir } from './server';
import { ROOT } from './cluster';

// note: Debian's package puts the binary here; `.ci/run` installs it.
export const NGINX = '/usr/sbin/nginx';
/** The configuration docs/scaling.md shows; the test runs this file, not a copy of it. */
export const EXAMPLE_CONF = join(ROOT, 'docs/nginx.conf.example');
// note: nginx binds in milliseconds; 10 s covers a loaded box.
const READY_MS = 10_000;
// note: SIGTERM is nginx's fast shutdown (open connections are closed); after 5 s, SIGKILL.
const STOP_MS = 5_000;
// note: a port found free can be taken before nginx binds it; three fresh ports make that race moot.
const BIND_ATTEMPTS = 3;

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/**
 * docs/nginx.conf.example with its edges and listen address replaced. Throws when the
 * example no longer has the lines this relies on, so the doc and the test cannot drift apart.
 */
export function renderConfig(
  edges: string[],
  port: number,
  template = readFileSync(EXAMPLE_CONF, 'utf8'),
): string {
  const serverLine = /^(\s*)server 127\.0\.0\.1:\d+( [^;\n]*)?;\n/gm;
  const lines = template.match(serverLine) ?? [];
  if (lines.length < 1)
    throw new Error('nginx.conf.example: no `server 127.0.0.1:PORT …;` line in the upstream');
  const [, indent, opts] = /^(\s*)server 127\.0\.0\.1:\d+( [^;\n]*)?;/.exec(lines[0]!)!;
  const servers = edges.map((e) => `${indent}server ${new URL(e).host}${opts ?? ''};\n`).join('');
  let first = true;
  let out = template.replace(serverLine, () => {
    const r = first ? servers : '';
    first = false;
    return r;
  });
  const listen = /^(\s*)listen 127\.0\.0\.1:\d+;$/m;
  if (!listen.test(out)) throw new Error('nginx.conf.example: no `listen 127.0.0.1:PORT;` line');
  out = out.replace(listen, `$1listen 127.0.0.1:${port};`);
  return out;
}

/** A running nginx (master started by this test) on 127.0.0.1:port. */
export interface TestNginx {
  url: string;
  port: number;
  dir: string;
  pid: number;
  /** The access log (one line per request; WebSocket and SSE lines once they end). */
  accessLog(): string;
  /** What it printed and its error log, for failure messages. */
  output(): string;
  /** SIGTERM, then SIGKILL (master and workers, by PID); removes the temp dir. */
  stop(): Promise<void>;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    // note: a listening local socket accepts in well under 500 ms.
    const timer = setTimeout(() => done(false), 500);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function exitWithin(c: ChildProcess, ms: number): Promise<boolean> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    c.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** PIDs whose parent is `ppid` (nginx's workers), read from /proc. */
function childrenOf(ppid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces, so split after the last ')'.
      const ppidField = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppidField === ppid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Renders the example for `edges` into a temp prefix and runs nginx on a free port. */
export async function startNginx(edges: string[]): Promise<TestNginx> {
  const dir = tempDir('sb-nginx-');
  // Workers run as an unprivileged user when the master is root: they must reach the prefix.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'temp'));
  const conf = join(dir, 'nginx.conf');
  let out = '';
  const errorLog = () => {
    const f = join(dir, 'logs', 'error.log');
    return existsSync(f) ? readFileSync(f, 'utf8') : '';
  };
  const args = ['-p', `${dir}/`, '-c', conf];
  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      writeFileSync(conf, renderConfig(edges, port));
      const test = spawnSync(NGINX, [...args, '-t'], { encoding: 'utf8', timeout: READY_MS });
      if (test.status !== 0)
        throw new Error(`nginx -t rejected the config:\n${test.stderr}\n${readFileSync(conf, 'utf8')}`);
      const proc = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
      live.add(proc);
      proc.once('exit', () => live.delete(proc));
      proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
      proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-8000)));
      const deadline = Date.now() + READY_MS;
      let up = false;
      while (Date.now() < deadline) {
        if (proc.exitCode !== null || proc.signalCode !== null) break;
        if (await accepts(port)) {
          up = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      if (up) {
        const stop = async () => {
          if (proc.exitCode === null && proc.signalCode === null) {
            const workers = childrenOf(proc.pid!);
            proc.kill('SIGTERM');
            if (!(await exitWithin(proc, STOP_MS))) {
              for (const w of workers) {
                try {
                  process.kill(w, 'SIGKILL');
                } catch {
                  // already gone
                }
              }
              proc.kill('SIGKILL');
              await exitWithin(proc, STOP_MS);
            }
          }
          rmSync(dir, { recursive: true, force: true });
        };
        return {
          url: `http://127.0.0.1:${port}`,
          port,
          dir,
          pid: proc.pid!,
          accessLog: () => {
            const f = join(dir, 'logs', 'access.log');
            return existsSync(f) ? readFileSync(f, 'utf8') : '';
          },
          output: () => `${out}\n--- error.log\n${errorLog()}`,
          stop,
        };
      }
      proc.kill('SIGKILL');
      await exitWithin(proc, STOP_MS);
      const why = `${out}\n${errorLog()}`;
      if (!/address already in use/i.test(why) || attempt >= BIND_ATTEMPTS)
        throw new Error(`nginx did not start on port ${port}:\n${why}`);
    }
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
