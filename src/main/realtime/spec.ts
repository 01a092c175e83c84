import { EVENT_TYPES, type EventType } from '../../shared/events';
import { FilterError, parseFilter, type FilterNode } from '../../shared/filter';
import { NAME_PATTERN, type Collection } from '../../shared/schema';
import type { Authenticator, Principal } from '../auth';
import { AppError } from '../errors';
import { fieldTypes } from '../store/collections';
import type { Encoder, LiveEvent, Match, SubscriptionSpec } from './types';

/** The dialect-neutral part of a subscription request, checked. */
export interface SubscriptionParams {
  collection: string;
  filter?: FilterNode;
  /** The filter as the client sent it, echoed back in acknowledgements. */
  rawFilter?: unknown;
  events?: Set<EventType>;
  recordId?: string;
  select?: string[];
  since?: number;
}

export type ParamsResult =
  { ok: true; params: SubscriptionParams } | { ok: false; code: string; message: string };

const fail = (code: string, message: string): ParamsResult => ({ ok: false, code, message });

/** Checks collection, filter, events, id, select and since as any dialect may send them. */
export function checkParams(
  raw: {
    collection?: unknown;
    filter?: unknown;
    events?: unknown;
    id?: unknown;
    select?: unknown;
    since?: unknown;
  },
  collection: (name: string) => Collection | undefined,
): ParamsResult {
  const name = raw.collection;
  if (typeof name !== 'string' || name === '') return fail('invalid_collection', 'Missing collection');
  if (name !== '*' && name !== 'presence' && !NAME_PATTERN.test(name)) {
    return fail(
      'invalid_collection',
      `Invalid collection name '${name.slice(0, 64)}': use ^[a-z][a-z0-9_]{0,62}$ or '*'`,
    );
  }
  const params: SubscriptionParams = { collection: name };
  const c = name === '*' || name === 'presence' ? undefined : collection(name);
  if (name !== '*' && name !== 'presence' && !c) return fail('not_found', `Collection '${name}' not found`);
  // `{}` (and no filter) means everything; `[]`, `""`, `0`… are not filters and fail below.
  const everything =
    raw.filter === undefined ||
    raw.filter === null ||
    (typeof raw.filter === 'object' && !Array.isArray(raw.filter) && Object.keys(raw.filter).length === 0);
  if (!everything) {
    if (!c) return fail('invalid_filter', `A filter needs a single collection, not '${name}'`);
    try {
      params.filter = parseFilter(raw.filter, fieldTypes(c));
      params.rawFilter = typeof raw.filter === 'string' ? looseJson(raw.filter) : raw.filter;
    } catch (e) {
      if (e instanceof FilterError) return fail('invalid_filter', `Invalid filter: ${e.message}`);
      throw e;
    }
  }
  if (raw.events !== undefined && raw.events !== null) {
    const list = typeof raw.events === 'string' ? raw.events.split(',') : raw.events;
    if (!Array.isArray(list) || !list.every((e) => (EVENT_TYPES as readonly string[]).includes(e))) {
      return fail('invalid_events', `'events' must be a list of ${EVENT_TYPES.join(', ')}`);
    }
    params.events = new Set(list as EventType[]);
  }
  if (raw.id !== undefined && raw.id !== null) {
    if (typeof raw.id !== 'string' || raw.id === '' || raw.id.length > 64)
      return fail('invalid_id', "'id' must be a record id");
    params.recordId = raw.id;
  }
  if (raw.select !== undefined && raw.select !== null) {
    const list = typeof raw.select === 'string' ? raw.select.split(',').filter(Boolean) : raw.select;
    const types = c ? fieldTypes(c) : undefined;
    if (
      !Array.isArray(list) ||
      !list.every((f) => typeof f === 'string' && (!types || Object.hasOwn(types, f)))
    ) {
      return fail('invalid_select', `'select' must list fields of '${name}'`);
    }
    params.select = list as string[];
  }
  if (raw.since !== undefined && raw.since !== null) {
    const n = typeof raw.since === 'string' && /^\d+$/.test(raw.since) ? Number(raw.since) : raw.since;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
      return fail('invalid_since', "'since' must be a seq (an integer >= 0)");
    params.since = n;
  }
  return { ok: true, params };
}

/** A filter as sent in a query string: JSON, or URL-encoded JSON (what parseFilter accepts too). */
function looseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(decodeURIComponent(text));
  }
}

/**
 * The hub subscription of a native request, over a WebSocket or SSE alike: keyed by collection,
 * with leave events, and presence for `*` and `presence`. Frames of one `dialect` and selection
 * share a shape, so each is encoded once per event.
 */
export function nativeSpec(p: SubscriptionParams, dialect: string, encode: Encoder): SubscriptionSpec {
  return {
    key: p.collection,
    collection: p.collection,
    filter: p.filter,
    events: p.events,
    recordId: p.recordId,
    leaves: true,
    presence: p.collection === '*' || p.collection === 'presence',
    shape: `${dialect}|${p.select?.join(',') ?? ''}`,
    encode,
  };
}

/** Keeps only the selected fields (`id` stays). */
export function projectRecord(r: Record<string, unknown> | undefined, select: string[] | undefined) {
  if (!r || !select) return r;
  const out: Record<string, unknown> = { id: r.id };
  for (const f of select) if (Object.hasOwn(r, f)) out[f] = r[f];
  return out;
}

/** The native event body (`data` of a native frame, and an SSE message). */
export function nativeEvent(
  ev: LiveEvent,
  match: Match | undefined,
  select: string[] | undefined,
): Record<string, unknown> {
  const body: Record<string, unknown> = { type: ev.type };
  if (ev.collection) body.collection = ev.collection;
  if (ev.record_id) body.record_id = ev.record_id;
  const updated = ev.type === 'record.updated';
  // A record now out of the subscriber's sight goes out as they last saw it; one that entered
  // comes without `previous`, which they may not have been allowed to see.
  body.data = ev.type.startsWith('record.')
    ? projectRecord(updated && match === 'hide' ? ev.previous : ev.data, select)
    : ev.data;
  if (ev.previous && updated && match !== 'enter' && match !== 'hide') {
    body.previous = projectRecord(ev.previous, select);
  }
  body.timestamp = ev.timestamp;
  if (ev.seq !== undefined) body.seq = ev.seq;
  if (ev.trace_id) body.trace_id = ev.trace_id;
  if (ev.actor) body.actor = ev.actor;
  if (match) body.match = match === 'hide' ? 'leave' : match;
  return body;
}

/** Verifies a realtime credential; the reason says which close to use. */
export async function verifyCredential(
  auth: Authenticator,
  token: string,
): Promise<{ ok: true; principal: Principal } | { ok: false; reason: 'token expired' | 'invalid token' }> {
  try {
    return { ok: true, principal: await auth.authenticate(token) };
  } catch (e) {
    if (e instanceof AppError && e.status === 401) {
      return { ok: false, reason: e.code === 'token_expired' ? 'token expired' : 'invalid token' };
    }
    throw e;
  }
}
