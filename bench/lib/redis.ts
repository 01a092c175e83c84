import { createConnection } from 'node:net';
import { startRedis as startTestRedis } from '../../tests/helpers/redis';

/** A real redis-server for the cluster bench: its own loopback port and temp dir, stopped by PID. */
export interface BenchRedis {
  pid: number;
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL if it lingers; removes its data dir. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server with the launcher the tests use (free loopback port, waits for PING,
 * tracked by PID for the shared cleanup, stops by PID).
 */
export async function startRedis(): Promise<BenchRedis> {
  const r = await startTestRedis();
  return { pid: r.pid()!, url: r.url, output: () => r.output(), stop: () => r.cleanup() };
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
