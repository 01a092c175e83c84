import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { sendJson } from '../api/http';
import type { HostPolicy } from './host-policy';

/** Sent with every response: browsers must not guess a type other than the declared one. */
export const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** A Content-Security-Policy: this origin only, with the differences a page needs. */
function csp(host: string | undefined, o: { img: string; form: string; frameAncestors: string }): string {
  const ws = host ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    `connect-src 'self'${ws}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src ${o.img}`,
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    `form-action ${o.form}`,
    `frame-ancestors ${o.frameAncestors}`,
  ].join('; ');
}

/**
 * Headers for the console's pages: scripts and connections only from this origin (the console
 * uses fetch and WebSocket to its own server), inline styles allowed (React's style props,
 * CodeMirror's injected sheets), never framed.
 */
export function consoleHeaders(host: string | undefined): Record<string, string> {
  return {
    'content-security-policy': csp(host, {
      img: "'self' data: blob:",
      form: "'self'",
      frameAncestors: "'none'",
    }),
    'x-frame-options': 'DENY',
  };
}

/**
 * Headers for the display pages (kiosks): as the console's, but the console itself may frame them
 * (its live preview), and images in records may come from wherever their URLs point; fonts and
 * scripts stay on this server, so the page itself never reaches off the machine.
 */
export function displayHeaders(host: string | undefined): Record<string, string> {
  return {
    'content-security-policy': csp(host, {
      img: "'self' data: blob: http: https:",
      form: "'none'",
      frameAncestors: "'self'",
    }),
    'x-frame-options': 'SAMEORIGIN',
    'referrer-policy': 'no-referrer',
  };
}

/** Answers a request the HostPolicy refuses (wrong Host, foreign Origin); true when it did. */
export function refuseByPolicy(policy: HostPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const r = policy.check(req);
  if (!r) return false;
  sendJson(res, r.status, { error: { code: r.code, message: r.message, details: r.details } });
  return true;
}

// note: browsers cache a preflight this long (Chromium caps it at 2 h).
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * CORS for the apps in `allowedOrigins`, so a page served elsewhere can call the API with its
 * JSON body and bearer token. Other origins get no CORS headers (the browser keeps the answer
 * from them). Answers a preflight itself; true when it did.
 */
export function cors(policy: HostPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!policy.listed(origin)) return false;
  res.setHeader('access-control-allow-origin', origin!);
  res.setHeader('vary', 'Origin');
  res.setHeader('access-control-expose-headers', 'retry-after, x-trace-id');
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE',
    'access-control-allow-headers': 'authorization, content-type, last-event-id',
    'access-control-max-age': String(PREFLIGHT_MAX_AGE_S),
  });
  res.end();
  return true;
}

const CLIENT_ERRORS: Record<string, { status: number; text: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    text: 'Request Header Fields Too Large',
    message: 'The request headers are larger than the server accepts.',
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    status: 413,
    text: 'Payload Too Large',
    message: 'The chunk extensions of the body are larger than the server accepts.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    text: 'Request Timeout',
    message: 'The request did not arrive in time.',
  },
  HPE_INVALID_METHOD: { status: 400, text: 'Bad Request', message: 'The request method is not valid.' },
};

// note: after answering, a client that does not close gets 1 s before its socket is cut.
const CLIENT_ERROR_LINGER_MS = 1000;

/**
 * What Node's HTTP parser refuses (headers over the limit, a malformed request, an unknown
 * method, a header timeout) is answered with the JSON error envelope, not an empty response,
 * on every path (REST, SSE, upgrades alike): the parser fails before any route runs.
 */
export function answerClientErrors(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    // As Node's own handler: never write into a response that has started.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const known = CLIENT_ERRORS[err.code ?? ''] ?? {
      status: 400,
      text: 'Bad Request',
      message: 'The request is not valid HTTP.',
    };
    const code = known.status === 431 || known.status === 413 ? 'payload_too_large' : 'bad_request';
    const json = JSON.stringify({ error: { code, message: known.message } });
    socket.end(
      `HTTP/1.1 ${known.status} ${known.text}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${json}`,
    );
    setTimeout(() => socket.destroy(), CLIENT_ERROR_LINGER_MS).unref();
  });
}
