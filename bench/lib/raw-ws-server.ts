/**
 * The raw-`ws` baseline for the realtime bench: the least a server can do to turn an HTTP
 * write into a WebSocket broadcast on this machine, so Switchboard's figures have a floor to
 * be read against.
 *
 * Run as a child process (`node --import tsx bench/lib/raw-ws-server.ts`), it listens on
 * 127.0.0.1 on a free port and prints `listening on http://127.0.0.1:PORT`:
 * - every WebSocket connection (any path) joins the broadcast set at once and is told
 *   `{"type":"subscribed"}`;
 * - `POST /publish` with a JSON object body parses it, wraps it in an event envelope shaped
 *   like the native dialect's (`{"type":"event","data":{"type":"record.created",…,"data":BODY}}`),
 *   turns that into bytes once and `ws.send`s the same buffer to every open client, then
 *   answers 200 `{"seq","sent"}`. No storage, no auth, no per-subscriber checks.
 *
 * The parent side is {@link startRawServer}.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { trackPid, untrackPid } from './cleanup';

const THIS_FILE = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
const BODY_LIMIT = 64 * 1024;

function main(): void {
  let seq = 0;
  const clients = new Set<WebSocket>();
  const http = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/publish') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid JSON"}');
        return;
      }
      seq++;
      const now = new Date().toISOString();
      const frame = Buffer.from(
        JSON.stringify({
          type: 'event',
          data: { type: 'record.created', collection: 'feed', data: body, timestamp: now, seq },
          timestamp: now,
        }),
      );
      let sent = 0;
      for (const ws of clients) {
        if (ws.readyState !== 1) continue;
        ws.send(frame, { binary: false });
        sent++;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ seq, sent }));
    });
  });
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.send('{"type":"subscribed"}');
  });
  http.listen(0, '127.0.0.1', () => {
    const a = http.address();
    console.log(`listening on http://127.0.0.1:${typeof a === 'object' && a ? a.port : '?'}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

/** The baseline server as a running child process. */
export interface RawServer {
  pid: number;
  url: string;
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited in time. */
  stop(): Promise<void>;
}

/** Starts the baseline in a child process (tracked for cleanup by PID). */
export function startRawServer(): Promise<RawServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', THIS_FILE], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (proc.pid === undefined) return Promise.reject(new Error('could not spawn the raw ws server'));
  const pid = proc.pid;
  trackPid(pid);
  let out = '';
  const onData = (d: Buffer) => {
    out = (out + d.toString()).slice(-8192);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  void exited.then(() => untrackPid(pid));
  const stop = async () => {
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
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the raw ws server did not start within ${START_TIMEOUT_MS} ms:\n${out}`));
    }, START_TIMEOUT_MS);
    const watch = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', watch);
      resolveStart({ pid, url: m[1]!, output: () => out, stop });
    };
    proc.stdout!.on('data', watch);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the raw ws server exited with ${proc.exitCode ?? proc.signalCode}:\n${out}`));
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) main();
