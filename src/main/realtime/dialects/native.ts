import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { Authenticator } from '../../auth';
import { credentialOf } from '../../auth/credential';
import { NAME_PATTERN, type Collection } from '../../../shared/schema';
import { CLOSE, type Hub } from '../hub';
import { checkParams, nativeEvent, nativeSpec, verifyCredential } from '../spec';
import type { Connection, Encoder } from '../types';
import { WsTransport } from '../ws-transport';
import { wireSocket, type WsDialect } from '../ws-server';
import { readMessage } from './read-message';

// note: presence state is shown to everyone present; 1 KiB is a status line, not a document.
const MAX_PRESENCE_STATE = 1024;

const frame = (type: string, data?: unknown): string =>
  JSON.stringify(data === undefined ? { type, timestamp: new Date().toISOString() } : { type, data });

/** The native event frame: `{"type":"event","data":{native event},"timestamp"}`. */
export function nativeEncoder(select: string[] | undefined): Encoder {
  return (ev, match) =>
    JSON.stringify({ type: 'event', data: nativeEvent(ev, match, select), timestamp: ev.timestamp });
}

/**
 * The native dialect: FastCMS's actions (DIALECTS.md §1) plus `since`, `events`, `id`,
 * `select`, live-query `match` and presence state.
 */
export function nativeDialect(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
): WsDialect {
  const send = (conn: Connection, type: string, data?: unknown) => hub.send(conn, frame(type, data));
  const error = (conn: Connection, message: string, extra: Record<string, unknown> = {}) =>
    send(conn, 'error', { message, ...extra });

  async function onMessage(conn: Connection, raw: RawData): Promise<void> {
    const read = readMessage(raw, 'an action');
    if (!read.ok) {
      // FastCMS's words for text that is not JSON.
      error(conn, read.code === 'invalid_json' ? 'Invalid JSON format' : read.message, { code: read.code });
      return;
    }
    const m = read.msg;
    hub.message(conn, m);
    const action = typeof m.action === 'string' ? m.action.toLowerCase() : '';
    switch (action) {
      case 'ping':
        send(conn, 'pong');
        return;
      case 'pong':
        return;
      case 'auth': {
        if (typeof m.token !== 'string' || m.token === '') {
          error(conn, 'Invalid or expired token', { code: 'invalid_token' });
          return;
        }
        const v = await verifyCredential(auth, m.token);
        if (!v.ok) {
          error(conn, 'Invalid or expired token', {
            code: v.reason === 'token expired' ? 'token_expired' : 'invalid_token',
          });
          return;
        }
        if (hub.authenticate(conn, v.principal)) {
          send(conn, 'authenticated', { user_id: v.principal.id, email: v.principal.email ?? null });
        }
        return;
      }
      case 'subscribe': {
        const checked = checkParams(m, collection);
        if (!checked.ok) {
          error(conn, checked.message, {
            code: checked.code,
            ...(typeof m.collection === 'string' ? { collection: m.collection } : {}),
          });
          return;
        }
        const p = checked.params;
        const result = await hub.subscribe(conn, {
          ...nativeSpec(p, 'native', nativeEncoder(p.select)),
          since: p.since,
          onReplayed: (last) => send(conn, 'resumed', { collection: p.collection, last_seq: last }),
        });
        if (!result.ok) {
          error(conn, result.message, { code: result.code, collection: p.collection, ...result.details });
          return;
        }
        send(conn, 'subscribed', {
          collection: p.collection,
          filter: p.rawFilter ?? null,
          last_seq: result.lastSeq,
        });
        return;
      }
      case 'unsubscribe': {
        const name = m.collection;
        if (typeof name !== 'string' || name === '') {
          error(conn, 'Missing collection', { code: 'invalid_collection' });
          return;
        }
        if (name !== '*' && name !== 'presence' && !NAME_PATTERN.test(name)) {
          error(conn, `Invalid collection name '${name.slice(0, 64)}': use ^[a-z][a-z0-9_]{0,62}$ or '*'`, {
            code: 'invalid_collection',
          });
          return;
        }
        if (!hub.unsubscribe(conn, name)) {
          error(conn, `Not subscribed to '${name}'`, { code: 'not_subscribed', collection: name });
          return;
        }
        send(conn, 'unsubscribed', { collection: name });
        return;
      }
      case 'presence': {
        if (!conn.principal) {
          error(conn, 'Authenticate before setting presence', { code: 'unauthorized' });
          return;
        }
        const s = m.state;
        if (
          typeof s !== 'object' ||
          s === null ||
          Array.isArray(s) ||
          JSON.stringify(s).length > MAX_PRESENCE_STATE
        ) {
          error(conn, `Presence state must be a JSON object of at most ${MAX_PRESENCE_STATE} bytes`, {
            code: 'invalid_state',
          });
          return;
        }
        hub.setPresenceState(conn, s as Record<string, unknown>);
        send(conn, 'presence', { state: s });
        return;
      }
      default:
        error(conn, `Unknown action: ${String(m.action ?? '').slice(0, 64)}`, { code: 'unknown_action' });
    }
  }

  return {
    name: 'native',
    paths: ['/api/v1/ws/realtime'],
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      // The ping carries the last seq fanned out: a live subscription has seen everything up to it.
      const ping = () =>
        JSON.stringify({ type: 'ping', timestamp: new Date().toISOString(), last_seq: hub.lastSeq });
      const transport = new WsTransport(ws, 'native', req, ping);
      const token = credentialOf(req, url);
      const conn = hub.attach(transport, null, !!token);
      const queue = wireSocket(ws, hub, conn, onMessage);
      send(conn, 'connected', { connection_id: conn.id, server_time: new Date().toISOString() });
      if (token) {
        queue(async () => {
          const v = await verifyCredential(auth, token);
          if (!v.ok) hub.close(conn, CLOSE.tokenExpired.code, v.reason);
          else if (hub.authenticate(conn, v.principal)) {
            send(conn, 'authenticated', { user_id: v.principal.id, email: v.principal.email ?? null });
          }
        });
      }
    },
  };
}
