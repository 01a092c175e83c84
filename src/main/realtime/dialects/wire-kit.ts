/**
 * Test support for dialect tests on the wire: the realtime side alone (hub, dialects, SSE routes)
 * on a real HTTP server with an in-memory bus instead of the store, a token table instead of
 * the auth service, and clients that keep every frame as text.
 */
import { createServer, get, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import type { Collection } from '../../../shared/schema';
import type { Authenticator, Principal } from '../../auth';
import { AppError } from '../../errors';
import { EventBus } from '../../store/bus';
import { createRealtime, DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from '../index';
import { posts, principal } from '../test-kit';
import type { EventHistory } from '../types';

/** The tokens the fake authenticator knows. */
export const TOKENS: Record<string, Principal> = {
  user: principal({ id: 'u1' }),
  admin: principal({ id: 'a1', role: 'admin' }),
};

const EMPTY: EventHistory = {
  since: () => [],
  hasGapAfter: () => false,
  oldestSeq: () => 0,
  lastSeq: () => 0,
};

/** Polls until `ok()` holds (fails after 3 s, saying what was awaited). */
export async function until(ok: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The realtime side on a real server: `bus.publish` stands for a commit. */
export async function realtimeServer(
  o: { history?: EventHistory; collection?: Collection; options?: Partial<RealtimeOptions> } = {},
) {
  const c = o.collection ?? posts();
  const bus = new EventBus();
  const errors: unknown[] = [];
  const auth: Authenticator = {
    authenticate: async (token) => {
      const p = TOKENS[token];
      if (!p) throw new AppError(401, 'unauthorized', 'Invalid token.');
      return p;
    },
  };
  const server = createServer();
  const rt = createRealtime(
    server,
    { source: bus, history: o.history ?? EMPTY, collection: (n) => (n === c.name ? c : undefined) },
    auth,
    { ...DEFAULT_REALTIME_OPTIONS, ...o.options },
    (line) => void errors.push(line),
  );
  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = rt.routes.get(url.pathname);
    if (!route) return void res.writeHead(404).end();
    route(req, res, url).catch((e: unknown) => {
      const status = e instanceof AppError ? e.status : 500;
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: (e as Error).message } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    http: `http://${base}`,
    ws: `ws://${base}`,
    hub: rt.hub,
    bus,
    errors,
    async stop() {
      rt.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A WebSocket client that keeps every message as text. */
export async function wsClient(url: string, protocols: string[] = []) {
  const ws = new WebSocket(url, protocols);
  const texts: string[] = [];
  ws.on('message', (data) => void texts.push(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.once('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return {
    ws,
    texts,
    closed,
    send: (m: unknown) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    /** Waits for the n-th message (1-based) and returns all so far. */
    async upTo(n: number): Promise<string[]> {
      await until(() => texts.length >= n, `${n} messages (have ${JSON.stringify(texts)})`);
      return texts;
    },
  };
}

/** An SSE client that keeps the raw response body. */
export async function sseClient(url: string, headers: Record<string, string> = {}) {
  let body = '';
  const res = await new Promise<IncomingMessage>((resolve, reject) =>
    get(url, { headers }, resolve).once('error', reject),
  );
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  return {
    res,
    body: () => body,
    /** Waits until the body holds `text`. */
    async has(text: string): Promise<string> {
      await until(() => body.includes(text), `${JSON.stringify(text)} in ${JSON.stringify(body)}`);
      return body;
    },
    close: () => res.destroy(),
  };
}
