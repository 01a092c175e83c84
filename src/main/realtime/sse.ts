import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator, Principal } from '../auth';
import { ruleAccess } from '../auth/rules';
import { AppError } from '../errors';
import type { Collection } from '../../shared/schema';
import type { AnonymousLimit } from './anonymous-limit';
import type { Hub } from './hub';
import { checkParams, nativeEvent, verifyCredential, type SubscriptionParams } from './spec';
import type { Encoder, Transport } from './types';
import { remoteOf } from './ws-transport';
import { credentialOf } from '../auth/credential';

// note: proxies commonly cut idle responses after 30-60 s; a comment every 15 s keeps them open.
export const SSE_HEARTBEAT_MS = 15_000;

/** A Transport over a Server-Sent Events response. */
export class SseTransport implements Transport {
  readonly passive = true;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    readonly dialect: string,
    readonly remote: string,
    private readonly heartbeatFrame: string,
    heartbeatMs: number,
  ) {
    this.timer = setInterval(() => this.heartbeat(), heartbeatMs);
    this.timer.unref();
    res.on('close', () => clearInterval(this.timer));
  }

  send(frame: string | Buffer): void {
    if (!this.res.writableEnded) this.res.write(frame);
  }

  cork(): void {
    this.res.cork();
  }

  uncork(): void {
    this.res.uncork();
  }

  bufferedAmount(): number {
    return this.res.writableLength;
  }

  close(_code: number, reason: string): void {
    clearInterval(this.timer);
    if (this.res.writableEnded) return;
    this.res.end(`event: close\ndata: ${JSON.stringify({ reason })}\n\n`);
  }

  heartbeat(): void {
    this.send(this.heartbeatFrame);
  }
}

/** Starts an SSE response with headers that stop buffering and caching. */
export function startSse(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...headers,
  });
  res.flushHeaders();
}

/** Opens an SSE subscription on the hub; answers bad input with a JSON error before the stream starts. */
export async function openSse(
  hub: Hub,
  req: IncomingMessage,
  res: ServerResponse,
  opts: {
    dialect: string;
    principal: Principal | null;
    params: SubscriptionParams[];
    since?: number;
    heartbeatFrame: string;
    heartbeatMs: number;
    encode: (p: SubscriptionParams) => Encoder;
    shape: (p: SubscriptionParams) => string;
    onGap: (message: string) => string;
  },
): Promise<void> {
  startSse(res);
  const transport = new SseTransport(res, opts.dialect, remoteOf(req), opts.heartbeatFrame, opts.heartbeatMs);
  const conn = hub.attach(transport, opts.principal);
  if (conn.closed) return;
  res.on('close', () => hub.detach(conn, 1000, 'client closed'));
  for (const p of opts.params) {
    const spec = {
      key: p.collection,
      collection: p.collection,
      filter: p.filter,
      events: p.events,
      recordId: p.recordId,
      leaves: true,
      presence: p.collection === '*' || p.collection === 'presence',
      shape: opts.shape(p),
      encode: opts.encode(p),
    };
    let r = await hub.subscribe(conn, { ...spec, since: opts.since });
    if (!r.ok && r.code === 'resume_gap') {
      transport.send(opts.onGap(r.message));
      r = await hub.subscribe(conn, spec);
    }
    if (!r.ok) {
      hub.close(conn, 1008, r.message);
      return;
    }
  }
}

/** The native SSE frame: `id: SEQ`, `event: TYPE`, `data: {native event}`. */
export function nativeSseEncoder(select: string[] | undefined): Encoder {
  return (ev, match) =>
    `${ev.seq !== undefined ? `id: ${ev.seq}\n` : ''}event: ${ev.type}\ndata: ${JSON.stringify(nativeEvent(ev, match, select))}\n\n`;
}

/** The native SSE endpoint (DIALECTS.md §5): `id: SEQ`, `event: TYPE`, `data: {native event}`. */
export function nativeSse(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
  anonymous?: AnonymousLimit,
) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const q = url.searchParams;
    const address = anonymous?.note(req);
    const token = credentialOf(req, url);
    let principal: Principal | null = null;
    if (token) {
      const v = await verifyCredential(auth, token);
      if (!v.ok)
        throw new AppError(
          401,
          v.reason === 'token expired' ? 'token_expired' : 'unauthorized',
          `Realtime: ${v.reason}.`,
        );
      principal = v.principal;
    }
    const checked = checkParams(
      {
        collection: q.get('collection') ?? undefined,
        filter: q.get('filter') ?? undefined,
        events: q.get('events') ?? undefined,
        id: q.get('id') ?? undefined,
        select: q.get('select') ?? undefined,
      },
      collection,
    );
    if (!checked.ok)
      throw new AppError(
        checked.code === 'not_found' ? 404 : 400,
        checked.code === 'not_found' ? 'not_found' : 'bad_request',
        checked.message,
      );
    // A refusal after a 200 would make EventSource reconnect forever: answer 401/403 as REST does.
    const c = collection(checked.params.collection);
    const access = c ? ruleAccess(principal, c, 'view') : undefined;
    if (access && !access.allowed) {
      throw new AppError(principal ? 403 : 401, principal ? 'forbidden' : 'unauthorized', access.reason);
    }
    const last = req.headers['last-event-id'] ?? q.get('last_event_id') ?? undefined;
    let since: number | undefined;
    if (last !== undefined && last !== '') {
      if (!/^\d+$/.test(String(last)))
        throw new AppError(
          400,
          'bad_request',
          `Last-Event-ID must be a seq, got '${String(last).slice(0, 32)}'.`,
        );
      since = Number(last);
    }
    if (!hub.hasRoom()) throw new AppError(503, 'unavailable', 'The server is at its connection limit.');
    if (!hub.hasRoomFor(principal))
      throw new AppError(
        503,
        'unavailable',
        `Too many connections for this user (at most ${hub.opts.maxConnectionsPerUser}).`,
      );
    if (!principal && anonymous && address !== undefined && !anonymous.hasRoom(address))
      throw new AppError(503, 'unavailable', anonymous.message());
    await openSse(hub, req, res, {
      dialect: 'sse',
      principal,
      params: [checked.params],
      since,
      heartbeatFrame: ': heartbeat\n\n',
      heartbeatMs: SSE_HEARTBEAT_MS,
      shape: (p) => `sse|${p.select?.join(',') ?? ''}`,
      encode: (p) => nativeSseEncoder(p.select),
      onGap: (message) => `event: resume_gap\ndata: ${JSON.stringify({ code: 'resume_gap', message })}\n\n`,
    });
  };
}
