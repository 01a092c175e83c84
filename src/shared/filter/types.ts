/** The parsed form of a filter and the limits the parser enforces. */
import type { FieldType } from '../schema';

/** Field name -> type for the collection a filter runs against; callers include the system fields. */
export type FieldTypes = Record<string, FieldType>;

/** The caller properties a filter string `@user.<name>` may refer to. */
export const USER_REFS = ['id', 'email', 'role', 'account'] as const;

/** One of {@link USER_REFS}. */
export type UserRef = (typeof USER_REFS)[number];

/** The caller a filter is evaluated or compiled for; `user` absent or null means anonymous. */
export interface FilterContext {
  user?: { id: string; email?: string; role?: string; account?: string } | null;
}

/** Operators that compare a field with one value by equality or order. */
export const ORDER_COMPARE_OPS = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte'] as const;

/** Operators that search a field's text for one value ({@link TEXT_SEARCH_OPS}). */
const TEXT_COMPARE_OPS = [
  '$like',
  '$notlike',
  '$contains',
  '$notcontains',
  '$containsfold',
  '$notcontainsfold',
] as const;

/** Operators that compare a field with one value. */
export const COMPARE_OPS = [...ORDER_COMPARE_OPS, ...TEXT_COMPARE_OPS] as const;

/** One of {@link COMPARE_OPS}. */
export type CompareOp = (typeof COMPARE_OPS)[number];

/** Every operator a field's operator object may hold. */
export const FIELD_OPS = [...COMPARE_OPS, '$in', '$nin', '$null'] as const;

/** One of {@link FIELD_OPS}. */
export type FieldOp = (typeof FIELD_OPS)[number];

/** Operators that match a missing (NULL) value; the others never do. */
export const NEGATIVE_OPS: ReadonlySet<FieldOp> = new Set([
  '$neq',
  '$nin',
  '$notlike',
  '$notcontains',
  '$notcontainsfold',
]);

/**
 * A comparison value: a literal already checked (and for dates normalised) against the field type,
 * or a reference to the caller resolved at evaluation/compile time.
 */
export type Operand = { kind: 'literal'; value: string | number | boolean } | { kind: 'ref'; name: UserRef };

/**
 * A parsed, type-checked filter. `and`/`or` with no children are true/false.
 * Field nodes carry the field's type so evaluation can read record values the way SQL stores them.
 */
export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'compare'; field: string; type: FieldType; op: CompareOp; value: Operand }
  | { kind: 'in'; field: string; type: FieldType; negate: boolean; values: Operand[] }
  | { kind: 'null'; field: string; type: FieldType; isNull: boolean };

/** Limits that keep a filter cheap to parse, evaluate and bind; beyond them parsing fails. */
export const FILTER_LIMITS = {
  /** Nested filter objects: the top level is 1, each `$and`/`$or` element one more. */
  depth: 16,
  /** Operators (a plain value or `null` counts as one) in the whole filter. */
  comparisons: 200,
  // note: bounds `{"$or":[{},{},…]}`, which holds no comparisons.
  /** Filter objects inside `$and`/`$or` arrays in the whole filter. */
  groups: 200,
  /** Values in one `$in`/`$nin` array. */
  inValues: 1000,
  // note: keeps the bound parameters of two ANDed filters well under SQLite's 32766.
  /** Values in all `$in`/`$nin` arrays together. */
  totalInValues: 10_000,
  /** UTF-16 code units in one string value. */
  stringLength: 4096,
  // note: the LIKE matcher reads each value character once per 32 pattern characters; 256 is 8 words.
  /** UTF-16 code units in one `$like`/`$notlike` pattern. */
  likeLength: 256,
  /** `%` and `_` wildcards in one `$like`/`$notlike` pattern. */
  likeWildcards: 32,
  // note: a budget of 32 passes keeps one evaluation of a 256 KiB value to a few milliseconds.
  /**
   * The work of one evaluation, in passes over a record's text: each text search (`$like
   * $notlike $contains $notcontains`) costs 1 plus 1 per 32 pattern characters, a folding one
   * (`$containsfold $notcontainsfold`) 1 more; comparisons that read no text cost nothing here.
   */
  textCost: 32,
} as const;

/** The operators that search a value's text: each one is a pass over it ({@link FILTER_LIMITS}.textCost). */
export const TEXT_SEARCH_OPS: ReadonlySet<FieldOp> = new Set(TEXT_COMPARE_OPS);

/** Resolves an operand for a caller; undefined when it names a property the caller lacks. */
export function resolveOperand(
  operand: Operand,
  ctx: FilterContext | undefined,
): string | number | boolean | undefined {
  if (operand.kind === 'literal') return operand.value;
  const v = ctx?.user?.[operand.name];
  return typeof v === 'string' ? v : undefined;
}

/** Every field a filter reads, e.g. to check that a rule only names fields the collection has. */
export function filterFields(node: FilterNode): Set<string> {
  const out = new Set<string>();
  const walk = (n: FilterNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.children.forEach(walk);
    else out.add(n.field);
  };
  walk(node);
  return out;
}
