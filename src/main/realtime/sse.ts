import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator, Principal } from '../auth';
import { ruleAccess } from '../auth/rules';
import { AppError } from '../errors';
import type { Collection } from '../../shared/schema';
import type { AnonymousLimit } from './anonymous-limit';
import type { Hub } from './hub';
import { checkParams, nativeEvent, nativeSpec, verifyCredential } from './spec';
import type { Encoder, SubscriptionSpec, Transport } from './types';
import { remoteOf } from './ws-transport';
import { credentialOf } from '../auth/credential';

// note: proxies commonly cut idle responses after 30-60 s; a comment every 15 s keeps them open.
export const SSE_HEARTBEAT_MS = 15_000;

/** One SSE message: `id:` when given, `event:`, and `data` (one line: JSON never holds a raw newline). */
export function sseMessage(event: string, data: string, id?: number): string {
  return `${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${data}\n\n`;
}

/** What a dialect's SSE stream says besides its events. */
export interface SseStream {
  /** The dialect's name (stats, monitor). */
  dialect: string;
  /** The heartbeat frame, made afresh each time (SnackBase's carries its own timestamp). */
  heartbeat: () => string;
  heartbeatMs: number;
  /**
   * Beat only after `heartbeatMs` without any frame (SnackBase) instead of on a fixed beat
   * plus the hub's periodic heartbeat (native).
   */
  beatWhenIdle?: boolean;
  /** The reason the closing `event: close` gives for a close code (a dialect's own words). */
  closeReason?: (code: number, reason: string) => string;
}

/** A Transport over a Server-Sent Events response. */
export class SseTransport implements Transport {
  readonly passive = true;
  readonly dialect: string;
  private readonly timer: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly res: ServerResponse,
    readonly remote: string,
    private readonly stream: SseStream,
  ) {
    this.dialect = stream.dialect;
    this.timer = setInterval(() => this.beat(), stream.heartbeatMs);
    this.timer.unref();
    res.on('close', () => this.stop());
  }

  send(frame: string | Buffer): void {
    if (this.ended || this.res.writableEnded) return;
    this.res.write(frame);
    if (this.stream.beatWhenIdle) this.timer.refresh();
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

  close(code: number, reason: string): void {
    this.stop();
    if (this.res.writableEnded) return;
    const said = this.stream.closeReason?.(code, reason) ?? reason;
    this.res.end(sseMessage('close', JSON.stringify({ reason: said })));
  }

  /** The hub's periodic call: a beat, unless this stream beats on idleness. */
  heartbeat(): void {
    if (!this.stream.beatWhenIdle) this.beat();
  }

  private beat(): void {
    this.send(this.stream.heartbeat());
  }

  private stop(): void {
    this.ended = true;
    clearInterval(this.timer);
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

/**
 * The seq a reconnecting EventSource resumes after (`Last-Event-ID`, or `?last_event_id=`):
 * undefined without one, the reason when it is not a seq.
 */
export function resumeAfter(req: IncomingMessage, q: URLSearchParams): number | undefined | string {
  const last = String(req.headers['last-event-id'] ?? q.get('last_event_id') ?? '');
  if (last === '') return undefined;
  return /^\d+$/.test(last) ? Number(last) : `Last-Event-ID must be a seq, got '${last.slice(0, 32)}'`;
}

/**
 * Starts an SSE stream, once the dialect has checked the request, and subscribes it on the
 * hub. A resume (`since`) whose events are no longer retained says so with `event: resume_gap`
 * and goes on live; any other refusal ends the stream.
 */
export async function openSse(
  hub: Hub,
  req: IncomingMessage,
  res: ServerResponse,
  opts: {
    stream: SseStream;
    principal: Principal | null;
    specs: Omit<SubscriptionSpec, 'since'>[];
    since?: number;
  },
): Promise<void> {
  startSse(res);
  const transport = new SseTransport(res, remoteOf(req), opts.stream);
  const conn = hub.attach(transport, opts.principal);
  if (conn.closed) return;
  res.on('close', () => hub.detach(conn, 1000, 'client closed'));
  for (const spec of opts.specs) {
    let r = await hub.subscribe(conn, { ...spec, since: opts.since });
    if (!r.ok && r.code === 'resume_gap') {
      transport.send(sseMessage('resume_gap', JSON.stringify({ code: 'resume_gap', message: r.message })));
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
  return (ev, match) => sseMessage(ev.type, JSON.stringify(nativeEvent(ev, match, select)), ev.seq);
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
    const since = resumeAfter(req, q);
    if (typeof since === 'string') throw new AppError(400, 'bad_request', `${since}.`);
    if (!hub.hasRoom()) throw new AppError(503, 'unavailable', 'The server is at its connection limit.');
    if (!hub.hasRoomFor(principal))
      throw new AppError(
        503,
        'unavailable',
        `Too many connections for this user (at most ${hub.opts.maxConnectionsPerUser}).`,
      );
    if (!principal && anonymous && address !== undefined && !anonymous.hasRoom(address))
      throw new AppError(503, 'unavailable', anonymous.message());
    const p = checked.params;
    await openSse(hub, req, res, {
      stream: { dialect: 'sse', heartbeat: () => ': heartbeat\n\n', heartbeatMs: SSE_HEARTBEAT_MS },
      principal,
      since,
      specs: [nativeSpec(p, 'sse', nativeSseEncoder(p.select))],
    });
  };
}
