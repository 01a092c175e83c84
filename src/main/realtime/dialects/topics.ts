import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import type { EventType } from '../../../shared/events';
import { NAME_PATTERN, type Collection } from '../../../shared/schema';
import type { Authenticator } from '../../auth';
import { CLOSE, type Hub } from '../hub';
import { verifyCredential } from '../spec';
import type { Connection, Encoder } from '../types';
import { WsTransport } from '../ws-transport';
import { wireSocket, type WsDialect } from '../ws-server';
import { credentialOf } from '../../auth/credential';
import { readMessage } from './read-message';

/** The pattern's event names for the hub's record events. */
const EVENT_OF: Partial<Record<EventType, string>> = {
  'record.created': 'ADDED',
  'record.updated': 'UPDATED',
  'record.deleted': 'DELETED',
};
const RECORD_EVENTS = new Set<EventType>(['record.created', 'record.updated', 'record.deleted']);

// note: record ids are short strings; a topic naming a longer one cannot match anything.
const MAX_ID = 128;
// note: the hub caps subscriptions per connection; this only bounds the work of one message.
const MAX_TOPICS_PER_MESSAGE = 1000;

/** A topic, `collection` or `collection:record_id`, split; null when it is neither. */
function parseTopic(topic: string): { collection: string; recordId?: string } | null {
  const i = topic.indexOf(':');
  const collection = i < 0 ? topic : topic.slice(0, i);
  const recordId = i < 0 ? undefined : topic.slice(i + 1);
  if (!NAME_PATTERN.test(collection)) return null;
  if (recordId !== undefined && (recordId === '' || recordId.length > MAX_ID)) return null;
  return { collection, recordId };
}

/** The event of one topic: the topic the client subscribed to, the record as `payload`. */
export function topicEncoder(topic: string): Encoder {
  return (ev) => {
    const event = EVENT_OF[ev.type];
    if (!event) return null;
    return JSON.stringify({
      topic,
      event,
      data: {
        entity_id: ev.record_id,
        payload: ev.data,
        user_id: ev.actor,
        tenant_id: ev.account,
        timestamp: ev.timestamp,
      },
      trace_id: ev.trace_id,
    });
  };
}

/**
 * The generic topic dialect (DIALECTS.md §4, websocket-realtime-patterns.txt): token by
 * `?token=` or a first `{"type":"auth"}` message, `subscribe`/`unsubscribe` with a list of
 * topics, `ping`. As in the document, subscriptions are not acknowledged and the server
 * sends no JSON heartbeat (the document's clients read every frame as an event); only
 * errors are answered, with `{"type":"error","message"}`, and the socket stays open.
 */
export function topicsDialect(
  hub: Hub,
  auth: Authenticator,
  collection: (name: string) => Collection | undefined,
): WsDialect {
  const send = (conn: Connection, body: Record<string, unknown>) => hub.send(conn, JSON.stringify(body));
  const error = (conn: Connection, message: string, extra: Record<string, unknown> = {}) =>
    send(conn, { type: 'error', message, ...extra });

  /** The topics of a subscribe/unsubscribe, or null after reporting why not. */
  function topicsOf(conn: Connection, raw: unknown): string[] | null {
    if (
      !Array.isArray(raw) ||
      !raw.every((t) => typeof t === 'string') ||
      raw.length > MAX_TOPICS_PER_MESSAGE
    ) {
      error(conn, `'topics' must be a list of at most ${MAX_TOPICS_PER_MESSAGE} strings`, {
        code: 'invalid_topics',
      });
      return null;
    }
    return [...new Set(raw as string[])];
  }

  async function subscribe(conn: Connection, topic: string): Promise<void> {
    const t = parseTopic(topic);
    if (!t) {
      error(conn, `Invalid topic '${topic.slice(0, 200)}': use collection or collection:record_id`, {
        code: 'invalid_topic',
        topic: topic.slice(0, 200),
      });
      return;
    }
    if (!collection(t.collection)) {
      error(conn, `Collection '${t.collection}' not found`, { code: 'not_found', topic });
      return;
    }
    const r = await hub.subscribe(conn, {
      key: topic,
      collection: t.collection,
      recordId: t.recordId,
      events: RECORD_EVENTS,
      leaves: false,
      presence: false,
      shape: `topics|${topic}`,
      encode: topicEncoder(topic),
    });
    if (!r.ok) error(conn, r.message, { code: r.code, topic });
  }

  async function authenticate(
    conn: Connection,
    token: string,
    onFailure: (reason: 'token expired' | 'invalid token') => void,
  ) {
    const v = await verifyCredential(auth, token);
    if (conn.closed) return;
    if (!v.ok) onFailure(v.reason);
    else hub.authenticate(conn, v.principal);
  }

  async function onMessage(conn: Connection, raw: RawData): Promise<void> {
    if (conn.closed) return;
    const read = readMessage(raw, 'a type', 'type');
    if (!read.ok) {
      error(conn, read.message, { code: read.code });
      return;
    }
    const m = read.msg as Record<string, unknown> & { type: string };
    hub.message(conn, m);
    switch (m.type) {
      case 'ping':
        send(conn, { type: 'pong' });
        return;
      case 'pong':
        return;
      case 'auth':
        if (typeof m.token !== 'string' || m.token === '') {
          error(conn, 'Missing token', { code: 'invalid_token' });
          return;
        }
        // A failed auth message leaves the connection as it was; the client may try again.
        await authenticate(conn, m.token, (reason) =>
          error(conn, reason === 'token expired' ? 'Token expired' : 'Invalid token', {
            code: reason === 'token expired' ? 'token_expired' : 'invalid_token',
          }),
        );
        return;
      case 'subscribe': {
        const topics = topicsOf(conn, m.topics);
        for (const topic of topics ?? []) if (!conn.closed) await subscribe(conn, topic);
        return;
      }
      case 'unsubscribe': {
        const topics = topicsOf(conn, m.topics);
        for (const topic of topics ?? []) {
          if (!parseTopic(topic)) {
            error(conn, `Invalid topic '${topic.slice(0, 200)}': use collection or collection:record_id`, {
              code: 'invalid_topic',
              topic: topic.slice(0, 200),
            });
          } else if (!hub.unsubscribe(conn, topic)) {
            error(conn, `Not subscribed to '${topic}'`, { code: 'not_subscribed', topic });
          }
        }
        return;
      }
      default:
        error(conn, `Unknown message type: ${m.type.slice(0, 64)}`, { code: 'unknown_type' });
    }
  }

  return {
    name: 'topics',
    paths: ['/ws'],
    open(ws: WebSocket, req: IncomingMessage, url: URL) {
      // No JSON heartbeat: the protocol ping WsTransport sends keeps the socket alive.
      const token = credentialOf(req, url);
      const conn = hub.attach(new WsTransport(ws, 'topics', req, () => null), null, !!token);
      const queue = wireSocket(ws, hub, conn, onMessage);
      // A bad token on connect closes (the document authenticates on connect); messages wait for the check.
      if (token) {
        queue(() =>
          authenticate(conn, token, (reason) =>
            hub.close(conn, reason === 'token expired' ? CLOSE.tokenExpired.code : 1008, reason),
          ),
        );
      }
    },
  };
}
