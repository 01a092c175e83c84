/**
 * A text field's `pattern`: a regular expression any collection admin may set, tested against
 * values anyone allowed to create records sends. JS's `RegExp` backtracks (`^(a+)+$` doubles its
 * time per character), so patterns run on RE2 (re2js, pure JS, so the console checks the same
 * way in the browser): time linear in the value, and no backreferences or lookaround, which a
 * collection create/update refuses with a field error.
 */
import { RE2JS } from 're2js';

// note: a pattern is a rule like `^[a-z0-9-]+$`; 1,000 characters is far beyond any real one.
/** The longest `pattern` a field may declare. */
export const MAX_FIELD_PATTERN = 1000;

/** A compiled pattern, or why it cannot be used. */
export type FieldPattern = { ok: true; re: RE2JS } | { ok: false; error: string };

// note: a server tests the patterns of a few hot collections over and over; 256 keeps them compiled.
const CACHE_SIZE = 256;
const cache = new Map<string, FieldPattern>();

function compile(pattern: string): FieldPattern {
  if (pattern.length > MAX_FIELD_PATTERN) {
    return { ok: false, error: `must be at most ${MAX_FIELD_PATTERN} characters` };
  }
  try {
    return { ok: true, re: RE2JS.compile(pattern) };
  } catch (e) {
    const detail = String((e as Error).message ?? e).replace(/^error parsing regexp: /, '');
    return {
      ok: false,
      error:
        `invalid regular expression: ${detail.slice(0, 200)} ` +
        '(patterns use RE2 syntax: no backreferences or lookaround)',
    };
  }
}

/** Compiles a field pattern (cached): the RE2 program, or an error to show on the field. */
export function fieldPattern(pattern: string): FieldPattern {
  let p = cache.get(pattern);
  if (!p) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(pattern, (p = compile(pattern)));
  }
  return p;
}

/**
 * Whether `value` contains a match of `pattern` (as `RegExp.prototype.test` would say), in
 * linear time; undefined when the pattern cannot run (stored before patterns were checked).
 */
export function testFieldPattern(pattern: string, value: string): boolean | undefined {
  const p = fieldPattern(pattern);
  return p.ok ? p.re.test(value) : undefined;
}
