/**
 * Client-side matching of events against a subscription: what the server does for one native
 * subscription, redone locally when polling or when several handlers share one wire subscription.
 */
import { systemFieldType, type FieldType } from '../schema';
import { evaluateFilter, type FieldTypes, type FilterContext, type FilterNode } from '../filter';
import type { ClientEvent, MatchKind, SubscribeOptions } from './types';

/** The pseudo-collection that receives presence events (`user.joined`, `user.left`, `user.state`). */
export const PRESENCE = 'presence';

/** Whether a subscription to `collection` ('*', 'presence' or a name) covers this event at all. */
function coversCollection(collection: string, event: ClientEvent): boolean {
  if (collection === '*') return true;
  if (collection === PRESENCE) return event.type.startsWith('user.');
  return event.collection === collection;
}

function valueType(v: unknown): FieldType | undefined {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'text';
  return undefined;
}

/**
 * Field types guessed from the values a filter compares with, for when the collection's schema is
 * not readable (anonymous callers): numbers -> number, booleans -> bool, strings -> text, fields only
 * tested with `$null` -> json. System fields keep their real types. A date field compared with a
 * number of milliseconds is the one case this guesses wrong; with a token the schema is fetched instead.
 */
export function inferFieldTypes(filter: unknown): FieldTypes {
  const out: FieldTypes = {};
  const note = (field: string, v: unknown): void => {
    if (systemFieldType(field)) return;
    const t = v === null ? 'json' : valueType(v);
    if (!t) return;
    const prev = out[field];
    if (!prev || prev === 'json') out[field] = t;
    else if (prev !== t && t !== 'json') out[field] = 'text';
  };
  const walk = (obj: unknown): void => {
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return;
    for (const [key, value] of Object.entries(obj as Record<string, unknown>)) {
      if (key === '$and' || key === '$or') {
        if (Array.isArray(value)) value.forEach(walk);
      } else if (key.startsWith('$')) {
        continue;
      } else if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [op, arg] of Object.entries(value as Record<string, unknown>)) {
          if (op === '$null') note(key, null);
          else if (Array.isArray(arg)) arg.forEach((a) => note(key, a));
          else note(key, arg);
        }
      } else {
        note(key, value);
      }
    }
  };
  walk(filter);
  for (const f of ['id', 'created_at', 'updated_at', 'account']) out[f] = systemFieldType(f)!;
  return out;
}

/** `data` trimmed to `select` plus `id`. */
function trim(
  data: Record<string, unknown> | undefined,
  select: string[],
): Record<string, unknown> | undefined {
  if (!data) return data;
  const out: Record<string, unknown> = {};
  for (const k of ['id', ...select]) if (Object.hasOwn(data, k)) out[k] = data[k];
  return out;
}

/** How a record event relates to a filter, or null when it does not concern the subscriber. */
function filterMatch(event: ClientEvent, node: FilterNode, ctx: FilterContext): MatchKind | null {
  const now = evaluateFilter(node, event.data ?? {}, ctx);
  switch (event.type) {
    case 'record.created':
      return now ? 'enter' : null;
    case 'record.deleted':
      return now ? 'leave' : null;
    case 'record.updated': {
      const before = !!event.previous && evaluateFilter(node, event.previous, ctx);
      if (before && now) return 'stay';
      return now ? 'enter' : before ? 'leave' : null;
    }
    default:
      return null;
  }
}

/** What {@link matchEvent} needs to know about one handler. */
interface MatchTarget {
  collection: string;
  options: SubscribeOptions;
}

/**
 * The event as `target` should see it, or null. Checks collection, `events` and `id`, trims to
 * `select`, and — when `node` is given — evaluates the filter on `previous` and `data` and sets
 * `match` (non-record events pass a filtered subscription unfiltered). Never mutates `event`.
 */
export function matchEvent(
  event: ClientEvent,
  target: MatchTarget,
  node: FilterNode | undefined,
  ctx: FilterContext,
): ClientEvent | null {
  const { options } = target;
  if (!coversCollection(target.collection, event)) return null;
  if (options.events && !options.events.includes(event.type)) return null;
  if (options.id !== undefined && event.record_id !== options.id) return null;
  let out: ClientEvent = event;
  if (node && event.type.startsWith('record.')) {
    const match = filterMatch(event, node, ctx);
    if (!match) return null;
    out = { ...out, match };
  }
  if (options.select) {
    out = { ...out, data: trim(out.data, options.select) };
    if (out.previous) out.previous = trim(out.previous, options.select);
  }
  return out;
}
