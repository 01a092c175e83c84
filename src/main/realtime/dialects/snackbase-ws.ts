import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Collection } from '../../../shared/schema';
import type { Authenticator } from '../../auth';
import { credentialOf } from '../../auth/credential';
import { CLOSE, type Hub } from '../hub';
import { verifyCredential } from '../spec';
import type { Connection, Encoder } from '../types';
import { WsTransport } from '../ws-transport';
import { wireSocket, type WsDialect } from '../ws-server';
import { eventsOf } from './operations';
import { readMessage } from './read-message';
import { closeReason, collectionError, eventBody, nameError, parseOps } from './snackbase';

/**
 * The token of a SnackBase WebSocket, read by `credentialOf`: `Authorization: Bearer`, then the
 * raw `Sec-WebSocket-Protocol` value (what browsers can send), then `?token=`.
 */
function wsToken(req: IncomingMessage, url: URL): string | undefined {
  return credentialOf(req, url, () => {
    const raw = (req.headers['sec-websocket-protocol'] ?? '').trim();
    // The original takes the header as is; a client that lists more than one value (`Bearer, T`) means the last.
    return raw
      .split(',')
      .map((s) => s.trim())
      .findLast(Boolean);
  });
}

/** SnackBase's WebSocket transport: its heartbeat message, and token expiry as a 1008 close. */
class SnackbaseTransport extends WsTransport {
  constructor(ws: WebSocket, req: IncomingMessage) {
    super(ws, 'snackbase', req, () =>
      JSON.stringify({ type: 'heartbeat', timestamp: new Date().toISOString() }),
    );
  }

  override close(code: number, reason: string): void {
    super.close(code === CLOSE.tokenExpired.code ? 1008 : code, closeReason(code, reason));
  }
}

/**
 * The SnackBase WebSocket dialect (DIALECTS.md §3): authentication required, then
 * `subscribe`/`unsubscribe`/`ping` actions; one event message per record.
 */
export function snackbaseDialect(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
): WsDialect {
  const reply = (conn: Connection, body: Record<string, unknown>) => hub.send(conn, JSON.stringify(body));
  const error = (conn: Connection, message: string): void => {
    reply(conn, { error: message });
  };
  const encode: Encoder = (ev) => eventBody(ev);

  async function onMessage(conn: Connection, raw: RawData): Promise<void> {
    if (conn.closed || !conn.principal) return;
    const read = readMessage(raw, 'an action');
    if (!read.ok) return error(conn, read.message);
    const m = read.msg;
    hub.message(conn, m);
    const action = typeof m.action === 'string' ? m.action.toLowerCase() : '';
    switch (action) {
      case 'ping':
        reply(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
      case 'subscribe': {
        const name = m.collection;
        if (typeof name !== 'string' || name === '') return error(conn, 'Missing collection');
        const bad = collectionError(name, collection);
        if (bad) return error(conn, bad);
        const ops = parseOps(m.operations);
        if (typeof ops === 'string') return error(conn, ops);
        const r = await hub.subscribe(conn, {
          key: name,
          collection: name,
          events: eventsOf(ops),
          leaves: false,
          presence: false,
          shape: 'snackbase',
          encode,
        });
        if (!r.ok) return error(conn, r.message);
        // The server sends `status`, the SDK waits for `type`: both (DIALECTS.md §3).
        reply(conn, { type: 'subscribed', status: 'subscribed', collection: name });
        return;
      }
      case 'unsubscribe': {
        const name = m.collection;
        if (typeof name !== 'string' || name === '') return error(conn, 'Missing collection');
        const bad = nameError(name);
        if (bad) return error(conn, bad);
        if (!hub.unsubscribe(conn, name)) return error(conn, `Not subscribed to '${name}'`);
        reply(conn, { type: 'unsubscribed', status: 'unsubscribed', collection: name });
        return;
      }
      default:
        error(conn, `Unknown action: ${String(m.action ?? '').slice(0, 64)}`);
    }
  }

  return {
    name: 'snackbase',
    paths: ['/api/v1/realtime/ws'],
    // A browser that sends the token as its subprotocol aborts unless the server picks one.
    handleProtocols: (protocols) => protocols.values().next().value ?? false,
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      const token = wsToken(req, url);
      const conn = hub.attach(new SnackbaseTransport(ws, req), null, !!token);
      const queue = wireSocket(ws, hub, conn, onMessage);
      // SnackBase accepts, then closes with 1008 when authentication fails.
      if (!token) {
        hub.close(conn, 1008, 'Missing token');
        return;
      }
      // Messages queue behind the check, so a subscribe sent right after open is not lost.
      queue(async () => {
        const v = await verifyCredential(auth, token);
        // a connection that closed meanwhile must not join presence
        if (conn.closed) return;
        if (!v.ok) hub.close(conn, 1008, 'Authentication failed');
        else hub.authenticate(conn, v.principal);
      });
    },
  };
}
