import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth';
import { AppError } from '../errors';

/** What a handler gets for one request. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  traceId: string;
  ip: string;
  /** The caller, resolved from the bearer credential before the handler runs; null when anonymous. */
  principal: Principal | null;
  /** The parsed JSON body (undefined when empty). */
  body(): Promise<unknown>;
}

/** An answer with an explicit status (and optional body); anything else a handler returns is a 200 body. */
export class Explicit {
  constructor(
    readonly status: number,
    readonly body?: unknown,
    readonly headers?: Record<string, string>,
  ) {}
}

/** `reply(201, record)`, `reply(204)`. */
export const reply = (status: number, body?: unknown, headers?: Record<string, string>): Explicit =>
  new Explicit(status, body, headers);

export type Reply = Explicit | Record<string, unknown> | unknown[];
export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

/** A small path router: `/api/v1/collections/:name/records/:id`. */
export class Router {
  private routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    this.routes.push({ method, parts: path.split('/').filter(Boolean), handler });
    return this;
  }

  /** The handler and params for a request; 404 or 405 when none fits. */
  match(method: string, pathname: string): { handler: Handler; params: Record<string, string> } {
    const segs = pathname.split('/').filter(Boolean);
    let pathMatched = false;
    let undecodable = false;
    for (const r of this.routes) {
      if (r.parts.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < segs.length && ok; i++) {
        const p = r.parts[i]!;
        if (p.startsWith(':')) {
          try {
            params[p.slice(1)] = decodeURIComponent(segs[i]!);
          } catch {
            undecodable = true;
            ok = false;
          }
        } else ok = p === segs[i];
      }
      if (!ok) continue;
      pathMatched = true;
      if (r.method === method || (method === 'HEAD' && r.method === 'GET'))
        return { handler: r.handler, params };
    }
    if (pathMatched)
      throw new AppError(405, 'method_not_allowed', `${method} is not allowed on ${pathname}.`);
    if (undecodable)
      throw new AppError(400, 'bad_request', `The path ${pathname} has invalid percent-encoding.`);
    throw new AppError(404, 'not_found', `No route for ${method} ${pathname}.`);
  }
}
