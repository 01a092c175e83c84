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
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import { startListening, type NodeProc } from '../../tests/helpers/child';

const THIS_FILE = fileURLToPath(import.meta.url);
// note: as long as the server's own start may take (bench/lib/server.ts).
const START_TIMEOUT_MS = 30_000;
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
export type RawServer = NodeProc;

/** Starts the baseline in a child process (tracked for cleanup by PID). */
export function startRawServer(): Promise<RawServer> {
  return startListening(['--import', 'tsx', THIS_FILE], [], {
    name: 'the raw ws server',
    startMs: START_TIMEOUT_MS,
  });
}

if (process.argv[1] && resolve(process.argv[1]) === THIS_FILE) main();
