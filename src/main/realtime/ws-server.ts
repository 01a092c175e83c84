import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { AnonymousLimit } from './anonymous-limit';
import type { Hub } from './hub';
import type { Connection } from './types';

/** A wire dialect served over WebSocket at some paths. */
export interface WsDialect {
  readonly name: string;
  readonly paths: readonly string[];
  /** Not a hub connection (the monitor feed): the connection limit does not apply, so admins can watch a full server. */
  readonly unlimited?: boolean;
  /** Picks the subprotocol to answer with (FastSchema's `Authorization, <token>` handshake). */
  handleProtocols?: (protocols: Set<string>, req: IncomingMessage) => string | false;
  /** Takes over an upgraded socket. */
  open(ws: WebSocket, req: IncomingMessage, url: URL): void;
}

/** What an upgrade is checked against before it reaches a dialect. */
export interface UpgradeAccess {
  /** Host and Origin (HostPolicy): a refusal is answered with its status and JSON error. */
  check?: (
    req: IncomingMessage,
  ) => { status: number; code: string; message: string; details?: unknown } | undefined;
  /** The per-address cap on anonymous connections. */
  anonymous?: AnonymousLimit;
}

const STATUS_TEXT: Record<number, string> = { 403: 'Forbidden', 503: 'Service Unavailable' };

function reject(socket: Duplex, status: number, text: string, body: unknown): void {
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${json}`,
  );
}

/**
 * Whether an upgrade carries something a dialect may take as a credential (`?token=`, a bearer,
 * FastSchema's header, cookie or subprotocol). Only decides whether the anonymous cap is asked
 * before the upgrade; a connection that turns out anonymous is still counted after it.
 */
function mayCarryCredential(req: IncomingMessage, url: URL): boolean {
  const h = req.headers;
  return (
    url.searchParams.has('token') ||
    !!h.authorization ||
    !!h['x-auth-token'] ||
    /(^|;)\s*token=/.test(h.cookie ?? '') ||
    /^\s*authorization\s*,/i.test(h['sec-websocket-protocol'] ?? '')
  );
}

/**
 * Routes WebSocket upgrades on the one HTTP server to dialects by path (`noServer` +
 * `handleUpgrade`, as the ws README shows). A full server answers 503 before upgrading.
 */
export function attachWebSockets(
  server: Server,
  hub: Hub,
  dialects: WsDialect[],
  maxPayload: number,
  access: UpgradeAccess = {},
): () => void {
  const byPath = new Map<string, { dialect: WsDialect; wss: WebSocketServer }>();
  for (const d of dialects) {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload,
      perMessageDeflate: false,
      ...(d.handleProtocols ? { handleProtocols: d.handleProtocols } : {}),
    });
    for (const p of d.paths) byPath.set(p, { dialect: d, wss });
  }
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      reject(socket, 400, 'Bad Request', {
        error: { code: 'bad_request', message: 'The request URL is not valid.' },
      });
      return;
    }
    const refused = access.check?.(req);
    if (refused) {
      const { status, code, message, details } = refused;
      reject(socket, status, STATUS_TEXT[status] ?? 'Forbidden', { error: { code, message, details } });
      return;
    }
    const route = byPath.get(url.pathname.replace(/\/+$/, '') || '/');
    if (!route) {
      reject(socket, 404, 'Not Found', {
        error: { code: 'not_found', message: `No WebSocket endpoint at ${url.pathname}.` },
      });
      return;
    }
    if (!route.dialect.unlimited && !hub.hasRoom()) {
      reject(socket, 503, 'Service Unavailable', {
        error: {
          code: 'unavailable',
          message: `The server is at its connection limit (${hub.opts.maxConnections}).`,
        },
      });
      return;
    }
    if (!route.dialect.unlimited && access.anonymous) {
      const address = access.anonymous.note(req);
      if (!access.anonymous.hasRoom(address) && !mayCarryCredential(req, url)) {
        reject(socket, 503, 'Service Unavailable', {
          error: { code: 'unavailable', message: access.anonymous.message() },
        });
        return;
      }
    }
    route.wss.handleUpgrade(req, socket, head, (ws) => route.dialect.open(ws, req, url));
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const { wss } of byPath.values()) wss.close();
  };
}

/** Runs async message handlers one at a time, in arrival order. */
export function serial(onError: (e: unknown) => void = () => {}): (task: () => Promise<void> | void) => void {
  let tail: Promise<void> = Promise.resolve();
  return (task) => {
    tail = tail.then(task).catch(onError);
  };
}

/** The size of a ws message, whatever form `ws` hands it in. */
export function rawBytes(raw: RawData): number {
  return Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
}

/**
 * Wires a socket to its hub connection the way every dialect does: inbound frames count as
 * life and go to `onMessage` one at a time in arrival order, protocol pongs count as life,
 * and a close or error detaches. Returns the queue, so a dialect can run its own steps (a
 * token check) in the same order.
 */
export function wireSocket(
  ws: WebSocket,
  hub: Hub,
  conn: Connection,
  onMessage: (conn: Connection, raw: RawData) => Promise<void> | void,
): (task: () => Promise<void> | void) => void {
  // A step that fails for a reason of ours (Redis away while checking a key) must not leave the
  // socket open and silent: close it as overloaded, so the client retries with backoff.
  const queue = serial(() => hub.close(conn, 1013, 'try again later'));
  ws.on('message', (raw: RawData) => {
    hub.received(conn, rawBytes(raw), raw);
    queue(() => onMessage(conn, raw));
  });
  ws.on('pong', () => (conn.lastSeen = Date.now()));
  ws.on('close', (code, reason) => hub.detach(conn, code, reason.toString()));
  ws.on('error', () => hub.detach(conn, 1006, 'socket error'));
  return queue;
}
