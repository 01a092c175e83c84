/** The one error the filter language throws. */

/**
 * A filter that cannot be parsed or type-checked. `path` names the bad part the way the
 * message starts (`filter.age.$gt`, `filter.$or[1].bio`), so callers can point at it.
 */
export class FilterError extends Error {
  /** Where in the filter the problem is, e.g. `filter.age.$gt`. */
  readonly path: string;

  /** Builds the message `${path}: ${detail}`. */
  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'FilterError';
    this.path = path;
  }
}

/** A short name for the JSON type of a value, for messages ("got string"). */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return typeof v;
}

// note: a field name or reference echoed into a message is cut here, so a huge key stays a short message.
const MAX_ECHO = 64;

/** A user-supplied name, shortened for a message. */
export function echo(s: string): string {
  return s.length > MAX_ECHO ? `${s.slice(0, MAX_ECHO)}…` : s;
}
