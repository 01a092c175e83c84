/**
 * The filter language of the REST list (`?filter=JSON`), realtime subscriptions and collection
 * rules. Parse once with {@link parseFilter}, then {@link evaluateFilter} a JS record or
 * {@link compileFilter} to SQL; both give the same answer for every record and caller.
 *
 * Syntax: a JSON object whose keys are ANDed; `{}` matches everything. A plain value means
 * `$eq`, plain `null` means `{"$null": true}`; an object value holds operators, ANDed:
 * `$eq $neq $gt $gte $lt $lte $like $notlike $contains $notcontains $containsfold
 * $notcontainsfold $in $nin $null`. `$and` / `$or` take arrays of filters (an empty `$and` is
 * true, an empty `$or` false). A string `@user.id|email|role|account` is the caller's property;
 * any other string starting `@user.` is an error, other strings are literals.
 *
 * Types (checked at parse time, unknown fields and operators are errors):
 * - text, select, relation: every operator; values are strings or `@user.*` references.
 * - number: `$eq $neq $gt $gte $lt $lte $in $nin $null`; finite numbers.
 * - date: as number; a string `Date` parses or a number of ms, normalised to
 *   `new Date(x).toISOString()`, compared as text (so years 0-9999 order chronologically).
 * - bool: `$eq $neq $in $nin $null`; booleans (stored 0/1).
 * - json: `$null` only.
 * `$in`/`$nin` take arrays of such values, `$null` a boolean.
 *
 * Semantics (SQL is the definition; evaluation mirrors it):
 * - A missing/null value is NULL. Positive operators (`$eq $gt $gte $lt $lte $like $contains
 *   $containsfold $in`) never match NULL; negative ones (`$neq $nin $notlike $notcontains
 *   $notcontainsfold`) always do.
 * - A `@user.*` reference the caller lacks (anonymous, or no such property) makes its
 *   comparison false whatever the operator; in `$in`/`$nin` one missing reference makes the
 *   whole comparison false.
 * - Text compares with SQLite's BINARY collation: UTF-8 byte order, i.e. code-point order (a
 *   lone surrogate orders as its own value, as better-sqlite3 stores it).
 * - `$like`: SQLite LIKE without ESCAPE: `%` any run, `_` one character, ASCII letters match
 *   either case, other characters exactly; the value and pattern end at a NUL character;
 *   surrogates, U+FFFE and U+FFFF read as U+FFFD (as SQLite's UTF-8 reader does).
 * - `$contains`: case-sensitive substring (`instr`), the empty string is in every value;
 *   `$containsfold`: the same after lowering ASCII letters only (SQLite's `lower()`).
 * - `$in []` matches nothing, `$nin []` everything (NULL included).
 * - Limits ({@link FILTER_LIMITS}): depth 16, 200 comparisons, 200 nested filters, 1000 values
 *   per `$in`, 10000 in all, 4096 characters per string; a `$like` pattern at most 256
 *   characters with at most 32 wildcards; and a work budget: the text searches together may
 *   take at most 32 passes over a value (1 per search, plus 1 per 32 pattern characters, plus 1
 *   to fold case), so one evaluation stays linear in the record and small whatever the filter.
 * - `$like` is matched in time linear in the value, in JS and in SQL alike (the store replaces
 *   SQLite's backtracking `like()` with {@link likeMatch}).
 */
export { FilterError } from './errors';
export { parseFilter } from './parse';
export { evaluateFilter } from './evaluate';
export { compileFilter, type CompiledFilter } from './compile-sql';
export { likeMatch } from './like';
export {
  filterFields,
  FILTER_LIMITS,
  TEXT_SEARCH_OPS,
  USER_REFS,
  type CompareOp,
  type FieldOp,
  type FieldTypes,
  type FilterContext,
  type FilterNode,
  type Operand,
  type UserRef,
} from './types';
