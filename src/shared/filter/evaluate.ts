/** Evaluating a parsed filter against a JS record, with the same answers as the compiled SQL. */
import type { FieldType } from '../schema';
import { asciiLower, compareText, containsText, likeMatch } from './sqlite-text';
import { NEGATIVE_OPS, resolveOperand, type CompareOp, type FilterContext, type FilterNode } from './types';

type Scalar = string | number | boolean;

/**
 * A record's value as the SQL column holds it, or null for SQL NULL. Values of the wrong JS type
 * for the field count as missing; a date may also be a `Date`; a bool may be stored 0/1.
 * For json only presence matters, so any non-null value reads as `true`.
 */
function readValue(record: Record<string, unknown>, field: string, type: FieldType): Scalar | null {
  const v = Object.hasOwn(record, field) ? record[field] : undefined;
  switch (type) {
    case 'text':
    case 'select':
    case 'relation':
      return typeof v === 'string' ? v : null;
    case 'number':
      return typeof v === 'number' && !Number.isNaN(v) ? v : null;
    case 'bool':
      if (v === true || v === 1) return true;
      return v === false || v === 0 ? false : null;
    case 'date':
      if (typeof v === 'string') return v;
      return v instanceof Date && !Number.isNaN(v.getTime()) ? v.toISOString() : null;
    case 'json':
      return v === null || v === undefined ? null : true;
  }
}

/** Three-way comparison: BINARY collation for text, numeric otherwise (bools never get here). */
function order(a: Scalar, b: Scalar): number {
  if (typeof a === 'string' && typeof b === 'string') return compareText(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One comparison of a present value `v` with the operand `x`. */
function compare(op: CompareOp, v: Scalar, x: Scalar): boolean {
  switch (op) {
    case '$eq':
      return v === x;
    case '$neq':
      return v !== x;
    case '$gt':
      return order(v, x) > 0;
    case '$gte':
      return order(v, x) >= 0;
    case '$lt':
      return order(v, x) < 0;
    case '$lte':
      return order(v, x) <= 0;
    case '$like':
      return likeMatch(String(v), String(x));
    case '$notlike':
      return !likeMatch(String(v), String(x));
    case '$contains':
      return containsText(String(v), String(x));
    case '$notcontains':
      return !containsText(String(v), String(x));
    case '$containsfold':
      return containsText(asciiLower(String(v)), asciiLower(String(x)));
    case '$notcontainsfold':
      return !containsText(asciiLower(String(v)), asciiLower(String(x)));
  }
}

/**
 * Whether `record` (natural JS values: strings, numbers, booleans, ISO date strings, parsed
 * JSON; missing = null) matches the filter for the caller in `ctx`. Agrees with
 * {@link compileFilter} on the same record stored by the storage conventions.
 */
export function evaluateFilter(
  node: FilterNode,
  record: Record<string, unknown>,
  ctx?: FilterContext,
): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => evaluateFilter(c, record, ctx));
    case 'or':
      return node.children.some((c) => evaluateFilter(c, record, ctx));
    case 'null':
      return (readValue(record, node.field, node.type) === null) === node.isNull;
    case 'compare': {
      const x = resolveOperand(node.value, ctx);
      if (x === undefined) return false;
      const v = readValue(record, node.field, node.type);
      if (v === null) return NEGATIVE_OPS.has(node.op);
      return compare(node.op, v, x);
    }
    case 'in': {
      const xs = node.values.map((o) => resolveOperand(o, ctx));
      if (xs.includes(undefined)) return false;
      const v = readValue(record, node.field, node.type);
      if (v === null) return node.negate;
      return xs.includes(v) !== node.negate;
    }
  }
}
