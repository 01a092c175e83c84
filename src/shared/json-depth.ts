/**
 * How deep JSON text nests, checked without recursion. JSON.parse takes any depth, but whatever
 * walks the value afterwards recursively (JSON.stringify for a log or the monitor feed, a
 * validator) overflows the stack thousands of levels down; so input deeper than a limit is
 * refused with a clear error before anything walks it. REST bodies and realtime messages alike.
 */

// note: real messages and bodies nest a handful of levels; 100 is far beyond them and far from the stack's limit.
/** The deepest nesting of objects and arrays accepted in a body or message. */
export const MAX_JSON_DEPTH = 100;

/** True when valid JSON text nests objects/arrays deeper than `max` (a scan, so no recursion). */
export function nestedDeeper(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
