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

const PERCENT = 0x25;
const UNDERSCORE = 0x5f;

/**
 * The characters SQLite's LIKE sees: it stops at the first NUL (C strings), decodes UTF-8 with
 * surrogates and U+FFFE/U+FFFF read as U+FFFD (`sqlite3Utf8Read`), and folds ASCII A-Z only.
 */
function likeChars(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c === 0) break;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    else if ((c >= HIGH_MIN && c <= LOW_MAX) || c === 0xfffe || c === 0xffff) c = 0xfffd;
    out.push(c);
  }
  return out;
}

/**
 * SQLite's `value LIKE pattern` with no ESCAPE clause and `case_sensitive_like` off: `%` matches
 * any run of characters, `_` exactly one, ASCII letters match either case, nothing escapes.
 * Greedy matching with backtracking to the last `%`, which is exact for these two wildcards.
 */
export function likeMatch(value: string, pattern: string): boolean {
  const s = likeChars(value);
  const p = likeChars(pattern);
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && p[pi] === PERCENT) {
      star = pi++;
      mark = si;
    } else if (pi < p.length && (p[pi] === UNDERSCORE || p[pi] === s[si])) {
      si++;
      pi++;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === PERCENT) pi++;
  return pi === p.length;
}
