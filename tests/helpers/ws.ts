import { get, type IncomingHttpHeaders } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

/** A decoded JSON frame; tests read whatever fields the dialect sends. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Frame = Record<string, any>;
export type Pred = (f: Frame) => boolean;

/** How a socket ended, as the client saw it. */
export interface Closed {
  code: number;
  reason: string;
}

// note: generous for a loaded CI box, still far below the test timeout.
export const WAIT_MS = 5000;

/** A WebSocket client that collects JSON frames and lets a test await the one it wants. */
export interface WsClient {
  ws: WebSocket;
  /** Every frame received, in order (consumed or not). */
  frames: Frame[];
  /** Sends a JSON-encoded value, or a string as-is. */
  send(msg: unknown): void;
  /** The first not-yet-taken frame matching `pred` (waits for it); takes it. */
  next(pred?: Pred, timeoutMs?: number): Promise<Frame>;
  /** `n` frames matching `pred`, in arrival order. */
  take(n: number, pred: Pred, timeoutMs?: number): Promise<Frame[]>;
  /** Frames not taken yet that match `pred`. */
  pending(pred?: Pred): Frame[];
  /** Resolves when the socket closes (with a timeout). */
  waitClose(timeoutMs?: number): Promise<Closed>;
  /** Closes the socket and waits until it is closed. */
  close(): Promise<void>;
}

const open = new Set<WsClient>();

/** Rejects after `ms` with a message that says what was awaited. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Polls `probe` every 20 ms until it returns a value that passes `ok` (bounded); returns that value. */
export async function eventually<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v).slice(0, 400)}`,
      );
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Frames as they arrive; a test takes the first one matching a predicate, waiting if needed. */
class Inbox<T> {
  readonly all: T[] = [];
  private readonly queue: T[] = [];
  private readonly waiters: { pred: (f: T) => boolean; resolve: (f: T) => void }[] = [];

  push(f: T): void {
    this.all.push(f);
    const i = this.waiters.findIndex((w) => w.pred(f));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(f);
    else this.queue.push(f);
  }

  next(pred: (f: T) => boolean = () => true, timeoutMs = WAIT_MS): Promise<T> {
    const i = this.queue.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.queue.splice(i, 1)[0]!);
    const w = { pred, resolve: (_f: T) => {} };
    this.waiters.push(w);
    const what = `a frame matching ${pred.toString().slice(0, 160)}; last frames: ${JSON.stringify(this.all.slice(-3)).slice(0, 600)}`;
    return within(new Promise<T>((r) => (w.resolve = r)), timeoutMs, what).catch((e: unknown) => {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      throw e;
    });
  }

  async take(n: number, pred: (f: T) => boolean, timeoutMs = WAIT_MS): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    const out: T[] = [];
    while (out.length < n) out.push(await this.next(pred, Math.max(1, deadline - Date.now())));
    return out;
  }

  pending(pred: (f: T) => boolean = () => true): T[] {
    return this.queue.filter(pred);
  }
}

/** `http://…` -> `ws://…` plus a path and an optional `?token=`. */
export function wsUrl(base: string, path: string, token?: string): string {
  const u = new URL(path, base.replace(/^http/, 'ws'));
  if (token) u.searchParams.set('token', token);
  return u.toString();
}

/**
 * Opens a WebSocket (offering `protocols`, if any) and resolves once it is open; a refused upgrade rejects
 * with its status.
 */
export function openWs(url: string, opts: ClientOptions = {}, protocols: string[] = []): Promise<WsClient> {
  const ws = new WebSocket(url, protocols, opts);
  const inbox = new Inbox<Frame>();
  const closed = new Promise<Closed>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  // A socket error ends in 'close', which the test observes; never let it crash the run.
  ws.on('error', () => {});
  ws.on('message', (data) => {
    try {
      inbox.push(JSON.parse(data.toString()) as Frame);
    } catch {
      inbox.push({ raw: data.toString() });
    }
  });
  const client: WsClient = {
    ws,
    frames: inbox.all,
    send: (msg) => ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg)),
    next: (pred, timeoutMs) => inbox.next(pred, timeoutMs),
    take: (n, pred, timeoutMs) => inbox.take(n, pred, timeoutMs),
    pending: (pred) => inbox.pending(pred),
    waitClose: (timeoutMs = WAIT_MS) => within(closed, timeoutMs, 'the socket to close'),
    async close() {
      open.delete(client);
      if (ws.readyState === WebSocket.CLOSED) return;
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close();
      await within(closed, WAIT_MS, 'our close to complete').catch(() => ws.terminate());
    },
  };
  open.add(client);
  return within(
    new Promise<WsClient>((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }),
          ),
        );
      });
    }),
    WAIT_MS,
    `${url} to open`,
  );
}

/** Closes every client a test left open; call from afterEach. */
export async function closeAll(): Promise<void> {
  for (const c of sseOpen) c.close();
  await Promise.all([...open].map((c) => c.close()));
}

/** Frame predicates. */
export const is =
  (type: string): Pred =>
  (f) =>
    f.type === type;
export const event =
  (type?: string, collection?: string): Pred =>
  (f) =>
    f.type === 'event' &&
    (!type || f.data.type === type) &&
    (!collection || f.data.collection === collection);

/** Opens the native endpoint, waits for `connected` and, with a token, `authenticated`. */
export async function native(
  base: string,
  opts: { token?: string; bearer?: string; auth?: string; ws?: ClientOptions } = {},
): Promise<WsClient & { connectionId: string }> {
  const headers = opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : undefined;
  const c = await openWs(wsUrl(base, '/api/v1/ws/realtime', opts.token), { ...opts.ws, headers });
  const hello = await c.next(is('connected'));
  if (opts.token || opts.bearer) await c.next(is('authenticated'));
  if (opts.auth) {
    c.send({ action: 'auth', token: opts.auth });
    await c.next(is('authenticated'));
  }
  return Object.assign(c, { connectionId: hello.data.connection_id as string });
}

/** Sends a native subscribe and returns its answer (`subscribed` or `error`). */
export function subscribe(c: WsClient, body: Record<string, unknown>): Promise<Frame> {
  c.send({ action: 'subscribe', ...body });
  return c.next((f) => f.type === 'subscribed' || f.type === 'error');
}

/** Subscribes and fails the test unless the server acknowledged. */
export async function subscribed(c: WsClient, body: Record<string, unknown>): Promise<Frame> {
  const f = await subscribe(c, body);
  if (f.type !== 'subscribed')
    throw new Error(`subscribe ${JSON.stringify(body)} failed: ${JSON.stringify(f)}`);
  return f;
}

/** One Server-Sent Events frame: `data` parsed as JSON when it is JSON; `text` as sent, when asked for. */
export interface SseFrame {
  id?: string;
  event?: string;
  data?: Frame;
  text?: string;
  comment?: string;
}

/** An SSE response read frame by frame (node:http, so closing it really closes the socket). */
export interface SseClient {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body of a non-200 answer, parsed. */
  body?: Frame;
  frames: SseFrame[];
  next(pred?: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  take(n: number, pred: (f: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame[]>;
  pending(pred?: (f: SseFrame) => boolean): SseFrame[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

const sseOpen = new Set<SseClient>();

/** One block as EventSource reads it: several `data:` lines join with a newline. */
function parseSse(block: string, keepText: boolean): SseFrame {
  const f: SseFrame = {};
  const data: string[] = [];
  for (const line of block.split('\n')) {
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === '') f.comment = value;
    else if (field === 'id') f.id = value;
    else if (field === 'event') f.event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length) {
    const text = data.join('\n');
    if (keepText) f.text = text;
    try {
      f.data = JSON.parse(text) as Frame;
    } catch {
      f.data = { raw: text };
    }
  }
  return f;
}

/** GETs an SSE endpoint; resolves once the status is known. `keepText` keeps each frame's data as sent. */
export function sse(url: string, headers: Record<string, string> = {}, keepText = false): Promise<SseClient> {
  return within(
    new Promise<SseClient>((resolve, reject) => {
      const req = get(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        const inbox = new Inbox<SseFrame>();
        let buf = '';
        const ended = new Promise<void>((r) => res.on('close', () => r()));
        const client: SseClient = {
          status: res.statusCode!,
          headers: res.headers,
          frames: inbox.all,
          next: (pred, timeoutMs) => inbox.next(pred, timeoutMs),
          take: (n, pred, timeoutMs) => inbox.take(n, pred, timeoutMs),
          pending: (pred) => inbox.pending(pred),
          ended,
          close() {
            sseOpen.delete(client);
            req.destroy();
          },
        };
        if (res.statusCode !== 200) {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => {
            try {
              client.body = JSON.parse(text) as Frame;
            } catch {
              client.body = { raw: text };
            }
            resolve(client);
          });
          return;
        }
        sseOpen.add(client);
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            inbox.push(parseSse(buf.slice(0, i), keepText));
            buf = buf.slice(i + 2);
          }
        });
        res.on('error', () => {});
        resolve(client);
      });
      req.on('error', reject);
    }),
    WAIT_MS,
    `${url} to answer`,
  );
}
