/**
 * SQLite's `LIKE` (no ESCAPE, `case_sensitive_like` off) in time linear in the value.
 *
 * SQLite's own matcher and the usual greedy one backtrack: `%a…a b` against a long run of `a`
 * costs value length × pattern length. Here the pattern is split at `%` into segments: the first
 * must match at the start, the last at the end, and each one between is found leftmost after the
 * previous one (leftmost is always safe when the only wildcards are `%` and `_`). A segment is
 * found with the bit-parallel Shift-And automaton, so every value character is read once per
 * 32 pattern characters of the segment searched at that point: O(value × ⌈segment / 32⌉).
 */

const HIGH_MIN = 0xd800;
const LOW_MAX = 0xdfff;
const PERCENT = 0x25;
const UNDERSCORE = 0x5f;

/**
 * The characters SQLite's LIKE sees: it stops at the first NUL (C strings), decodes UTF-8 with
 * surrogates and U+FFFE/U+FFFF read as U+FFFD (`sqlite3Utf8Read`), and folds ASCII A-Z only.
 */
export function likeChars(s: string): Int32Array {
  const out = new Int32Array(s.length);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0) break;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    else if (c >= HIGH_MIN && c <= LOW_MAX) {
      const next = s.charCodeAt(i + 1);
      // a well-formed pair is one character; a lone surrogate reads as U+FFFD
      if (c < 0xdc00 && next >= 0xdc00 && next <= LOW_MAX) {
        c = ((c - HIGH_MIN) << 10) + (next - 0xdc00) + 0x10000;
        i++;
      } else c = 0xfffd;
    } else if (c === 0xfffe || c === 0xffff) c = 0xfffd;
    out[n++] = c;
  }
  return out.subarray(0, n);
}

/** One `%`-free run of a pattern, ready for Shift-And: per character, the positions it may take. */
interface Segment {
  chars: Int32Array;
  /** Bit j (word j >>> 5) set where the segment's character j is that character or `_`. */
  masks: Map<number, Uint32Array>;
  /** The mask of a character the segment does not name: only its `_` positions. */
  other: Uint32Array;
}

/** A compiled pattern: without `%`, one segment matched whole; else first…last around the middles. */
interface Compiled {
  percent: boolean;
  first: Int32Array;
  last: Int32Array;
  middle: Segment[];
}

function segment(chars: Int32Array): Segment {
  const words = Math.ceil(chars.length / 32);
  const other = new Uint32Array(words);
  for (let j = 0; j < chars.length; j++) if (chars[j] === UNDERSCORE) other[j >>> 5]! |= 1 << (j & 31);
  const masks = new Map<number, Uint32Array>();
  for (let j = 0; j < chars.length; j++) {
    const c = chars[j]!;
    if (c === UNDERSCORE) continue;
    let m = masks.get(c);
    if (!m) masks.set(c, (m = other.slice()));
    m[j >>> 5]! |= 1 << (j & 31);
  }
  return { chars, masks, other };
}

function compile(pattern: string): Compiled {
  const p = likeChars(pattern);
  const parts: Int32Array[] = [];
  let from = 0;
  for (let i = 0; i <= p.length; i++) {
    if (i === p.length || p[i] === PERCENT) {
      parts.push(p.subarray(from, i));
      from = i + 1;
    }
  }
  if (parts.length === 1) return { percent: false, first: parts[0]!, last: new Int32Array(0), middle: [] };
  return {
    percent: true,
    first: parts[0]!,
    last: parts[parts.length - 1]!,
    middle: parts
      .slice(1, -1)
      .filter((s) => s.length > 0)
      .map(segment),
  };
}

/** Whether `seg` (with `_` for any character) matches `s` at `at`. */
function matchesAt(s: Int32Array, at: number, seg: Int32Array): boolean {
  for (let j = 0; j < seg.length; j++) if (seg[j] !== UNDERSCORE && seg[j] !== s[at + j]) return false;
  return true;
}

/** The leftmost `at` in `[from, to - length]` where the segment matches `s`, or -1 (Shift-And). */
function find(s: Int32Array, from: number, to: number, seg: Segment): number {
  const len = seg.chars.length;
  const words = seg.other.length;
  const top = words - 1;
  const hit = 1 << ((len - 1) & 31);
  const state = new Uint32Array(words);
  for (let i = from; i < to; i++) {
    const mask = seg.masks.get(s[i]!) ?? seg.other;
    let carry = 1;
    for (let w = 0; w < words; w++) {
      const d = state[w]!;
      state[w] = ((d << 1) | carry) & mask[w]!;
      carry = d >>> 31;
    }
    if (state[top]! & hit) return i - len + 1;
  }
  return -1;
}

// note: a subscription's filter is evaluated per event with the same few patterns; 64 keeps them compiled.
const CACHE_SIZE = 64;
const cache = new Map<string, Compiled>();

function compiled(pattern: string): Compiled {
  let c = cache.get(pattern);
  if (!c) {
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(pattern, (c = compile(pattern)));
  }
  return c;
}

/**
 * SQLite's `value LIKE pattern` with no ESCAPE clause and `case_sensitive_like` off: `%` matches
 * any run of characters, `_` exactly one, ASCII letters match either case, nothing escapes.
 * Linear in the value's length (see the module comment).
 */
export function likeMatch(value: string, pattern: string): boolean {
  const p = compiled(pattern);
  const s = likeChars(value);
  const n = s.length;
  if (!p.percent) return n === p.first.length && matchesAt(s, 0, p.first);
  const end = n - p.last.length;
  if (p.first.length > end || !matchesAt(s, 0, p.first) || !matchesAt(s, end, p.last)) return false;
  let at = p.first.length;
  for (const seg of p.middle) {
    const i = find(s, at, end, seg);
    if (i < 0) return false;
    at = i + seg.chars.length;
  }
  return true;
}
