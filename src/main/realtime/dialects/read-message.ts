import type { RawData } from 'ws';
import { MAX_JSON_DEPTH, nestedDeeper } from '../../../shared/json-depth';

/** A client's WebSocket message as a JSON object, or why it is not one (with the error code to answer). */
export type ReadMessage =
  | { ok: true; msg: Record<string, unknown> }
  | { ok: false; code: 'invalid_json' | 'invalid_message'; message: string };

/**
 * Reads a WebSocket message as the JSON object every dialect's actions are: refuses text that is
 * not JSON, that nests deeper than {@link MAX_JSON_DEPTH} (before anything walks it), or that is
 * not an object. `expected` names what the object should carry in the refusal ("an action", "a
 * type"); `key`, when given, must be a string field of it. Each dialect answers a refusal in its
 * own frame.
 */
export function readMessage(raw: RawData, expected: string, key?: string): ReadMessage {
  const text = raw.toString();
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'Invalid JSON' };
  }
  if (nestedDeeper(text)) {
    return {
      ok: false,
      code: 'invalid_message',
      message: `Invalid message: nests deeper than ${MAX_JSON_DEPTH} levels`,
    };
  }
  if (
    typeof msg !== 'object' ||
    msg === null ||
    Array.isArray(msg) ||
    (key !== undefined && typeof (msg as Record<string, unknown>)[key] !== 'string')
  ) {
    return {
      ok: false,
      code: 'invalid_message',
      message: `Invalid message: expected a JSON object with ${expected}`,
    };
  }
  return { ok: true, msg: msg as Record<string, unknown> };
}
