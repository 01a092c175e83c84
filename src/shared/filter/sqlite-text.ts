/**
 * SQLite's text semantics, reimplemented over JS strings so evaluation agrees with SQL.
 *
 * A JS string reaches SQLite as UTF-8; a lone surrogate becomes the 3-byte sequence of its own
 * value (WTF-8), as better-sqlite3 / V8 write it. Code-point order (lone surrogates ordered by
 * their value) is then exactly the byte order SQLite's BINARY collation and `instr` use.
 */

const HIGH_MIN = 0xd800;
const LOW_MIN = 0xdc00;
const LOW_MAX = 0xdfff;

const isHigh = (u: number): boolean => u >= HIGH_MIN && u < LOW_MIN;
const isLow = (u: number): boolean => u >= LOW_MIN && u <= LOW_MAX;

/**
 * Compares like SQLite's BINARY collation (memcmp of the UTF-8 bytes): negative, zero or positive.
 * UTF-16 unit order differs from it only around surrogates, so only the code points at the
 * first differing unit need a look; a shorter string that is a prefix sorts first.
 */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  const ua = a.charCodeAt(i);
  const ub = b.charCodeAt(i);
  if (i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(ua) || isLow(ub))) {
    // the shared high surrogate at i-1 pairs with at least one side: compare from there
    const ca = isLow(ua) ? a.codePointAt(i - 1)! : a.charCodeAt(i - 1);
    const cb = isLow(ub) ? b.codePointAt(i - 1)! : b.charCodeAt(i - 1);
    return ca - cb;
  }
  return a.codePointAt(i)! - b.codePointAt(i)!;
}

/** SQLite's built-in `lower()`: ASCII letters only, everything else unchanged. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** Whether a match of `needle` at `at` in `hay` would split a surrogate pair of `hay`. */
function splitsPair(hay: string, at: number, len: number): boolean {
  const end = at + len;
  if (at > 0 && isLow(hay.charCodeAt(at)) && isHigh(hay.charCodeAt(at - 1))) return true;
  return end < hay.length && isLow(hay.charCodeAt(end)) && isHigh(hay.charCodeAt(end - 1));
}

/**
 * SQLite's `instr(hay, needle) > 0`: a byte substring of the UTF-8 forms. As UTF-16 that is a
 * substring that does not start or end inside a surrogate pair (only possible when the needle
 * starts with a low or ends with a high surrogate). The empty needle is contained everywhere.
 */
export function containsText(hay: string, needle: string): boolean {
  const first = needle.charCodeAt(0);
  const last = needle.charCodeAt(needle.length - 1);
  if (!(isLow(first) || isHigh(last))) return hay.includes(needle);
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    if (!splitsPair(hay, at, needle.length)) return true;
  }
  return false;
}

export { likeMatch } from './like';
