/**
 * What SnackBase's two endpoints share (DIALECTS.md §3): the event message, the operation
 * lists and the collection check. The WebSocket dialect is snackbase-ws.ts, the SSE endpoint
 * snackbase-sse.ts.
 */
import { NAME_PATTERN, type Collection } from '../../../shared/schema';
import { CLOSE } from '../hub';
import type { LiveEvent } from '../types';
import { ALL_OPERATIONS, isOperation, OPERATION_OF, type Operation } from './operations';

/** `{"type":"posts.create","timestamp","data":{record}}`, or null for anything but a record event. */
export function eventBody(ev: LiveEvent): string | null {
  const op = OPERATION_OF[ev.type];
  return op
    ? JSON.stringify({ type: `${ev.collection}.${op}`, timestamp: ev.timestamp, data: ev.data })
    : null;
}

/** The operations a client asked for: omitted or empty means all; anything else is an error. */
export function parseOps(raw: unknown): Operation[] | string {
  if (raw === undefined || raw === null) return ALL_OPERATIONS;
  if (!Array.isArray(raw) || !raw.every(isOperation)) {
    return `Invalid operations: use a list of ${ALL_OPERATIONS.join(', ')}`;
  }
  return raw.length ? [...new Set(raw)] : ALL_OPERATIONS;
}

/** Why a name is not a collection name (`*` is not one here), or null. */
export function nameError(name: string): string | null {
  return NAME_PATTERN.test(name)
    ? null
    : `Invalid collection name '${name.slice(0, 64)}': use ^[a-z][a-z0-9_]{0,62}$`;
}

/** Why a name is not a collection a client may subscribe to, or null. */
export function collectionError(
  name: string,
  collection: (name: string) => Collection | undefined,
): string | null {
  return nameError(name) ?? (collection(name) ? null : `Collection '${name}' not found`);
}

/** A close reason in SnackBase's words: token expiry is `Token expired`. */
export function closeReason(code: number, reason: string): string {
  return code === CLOSE.tokenExpired.code ? 'Token expired' : reason;
}
