/** Parsing and type-checking a JSON filter into a {@link FilterNode}. */
import type { FieldType } from '../schema';
import { FilterError, echo, typeName } from './errors';
import {
  FIELD_OPS,
  FILTER_LIMITS,
  ORDER_COMPARE_OPS,
  TEXT_SEARCH_OPS,
  USER_REFS,
  type CompareOp,
  type FieldOp,
  type FieldTypes,
  type FilterNode,
  type Operand,
  type UserRef,
} from './types';

const TEXT_OPS: readonly FieldOp[] = FIELD_OPS;
const ORDERED_OPS: readonly FieldOp[] = [...ORDER_COMPARE_OPS, '$in', '$nin', '$null'];

/** The operators each field type supports. */
const OPS_BY_TYPE: Record<FieldType, ReadonlySet<FieldOp>> = {
  text: new Set(TEXT_OPS),
  select: new Set(TEXT_OPS),
  relation: new Set(TEXT_OPS),
  number: new Set(ORDERED_OPS),
  date: new Set(ORDERED_OPS),
  bool: new Set<FieldOp>(['$eq', '$neq', '$in', '$nin', '$null']),
  json: new Set<FieldOp>(['$null']),
};

const EXPECTED: Record<FieldType, string> = {
  text: 'a string',
  select: 'a string',
  relation: 'a string',
  number: 'a number',
  bool: 'a boolean',
  date: 'a date (ISO 8601 string or milliseconds)',
  json: 'a JSON value',
};

const REF_PREFIX = '@user.';

interface State {
  fields: FieldTypes;
  comparisons: number;
  groups: number;
  inValues: number;
  textCost: number;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The filter as a JS value: objects pass through, strings are JSON, raw or URL-encoded. */
function decode(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    // fall through: browsers URL-encode `{`, `"` and spaces
  }
  try {
    return JSON.parse(decodeURIComponent(input));
  } catch {
    throw new FilterError('filter', 'invalid JSON');
  }
}

/**
 * Parses and type-checks a filter against a collection's field types.
 * `input` is an object or a JSON string (raw or URL-encoded). Throws {@link FilterError}
 * naming the bad part. See `index.ts` for the language and its semantics.
 */
export function parseFilter(input: unknown, fields: FieldTypes): FilterNode {
  const state: State = { fields, comparisons: 0, groups: 0, inValues: 0, textCost: 0 };
  return parseObject(decode(input), 'filter', 1, state);
}

function parseObject(obj: unknown, path: string, depth: number, state: State): FilterNode {
  if (!isObject(obj)) throw new FilterError(path, `expected an object, got ${typeName(obj)}`);
  if (depth > FILTER_LIMITS.depth) {
    throw new FilterError(path, `nesting deeper than ${FILTER_LIMITS.depth} levels`);
  }
  const children: FilterNode[] = [];
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    const at = `${path}.${echo(key)}`;
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value))
        throw new FilterError(at, `expected an array of filters, got ${typeName(value)}`);
      const group = value.map((v: unknown, i) => {
        if (++state.groups > FILTER_LIMITS.groups) {
          throw new FilterError(`${at}[${i}]`, `more than ${FILTER_LIMITS.groups} nested filters`);
        }
        return parseObject(v, `${at}[${i}]`, depth + 1, state);
      });
      children.push({ kind: key === '$and' ? 'and' : 'or', children: group });
    } else if (key.startsWith('$')) {
      const known = (FIELD_OPS as readonly string[]).includes(key);
      throw new FilterError(
        at,
        known ? `operator '${key}' must be inside a field` : `unknown operator '${echo(key)}'`,
      );
    } else if (!Object.hasOwn(state.fields, key)) {
      throw new FilterError(at, `unknown field '${echo(key)}'`);
    } else {
      children.push(...parseField(key, state.fields[key]!, value, at, state));
    }
  }
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** The nodes for one field: a plain value, `null`, or an object of operators (ANDed). */
function parseField(
  field: string,
  type: FieldType,
  value: unknown,
  path: string,
  state: State,
): FilterNode[] {
  if (value === null) return [parseOp(field, type, '$null', true, path, state)];
  if (!isObject(value)) return [parseOp(field, type, '$eq', value, path, state)];
  const ops = Object.keys(value);
  if (ops.length === 0) throw new FilterError(path, 'expected at least one operator');
  return ops.map((op) => {
    const at = `${path}.${echo(op)}`;
    if (op === '$and' || op === '$or')
      throw new FilterError(at, `operator '${op}' must be at the filter level`);
    if (!(FIELD_OPS as readonly string[]).includes(op))
      throw new FilterError(at, `unknown operator '${echo(op)}'`);
    return parseOp(field, type, op as FieldOp, value[op], at, state);
  });
}

function parseOp(
  field: string,
  type: FieldType,
  op: FieldOp,
  value: unknown,
  path: string,
  state: State,
): FilterNode {
  if (!OPS_BY_TYPE[type].has(op)) {
    throw new FilterError(path, `operator '${op}' is not supported for ${type} field '${field}'`);
  }
  if (++state.comparisons > FILTER_LIMITS.comparisons) {
    throw new FilterError(path, `more than ${FILTER_LIMITS.comparisons} comparisons`);
  }
  if (op === '$null') {
    if (typeof value !== 'boolean') throw new FilterError(path, `expected a boolean, got ${typeName(value)}`);
    return { kind: 'null', field, type, isNull: value };
  }
  if (op === '$in' || op === '$nin') {
    if (!Array.isArray(value)) {
      throw new FilterError(path, `expected an array for ${type} field '${field}', got ${typeName(value)}`);
    }
    if (value.length > FILTER_LIMITS.inValues) {
      throw new FilterError(path, `more than ${FILTER_LIMITS.inValues} values`);
    }
    state.inValues += value.length;
    if (state.inValues > FILTER_LIMITS.totalInValues) {
      throw new FilterError(path, `more than ${FILTER_LIMITS.totalInValues} values in all $in/$nin lists`);
    }
    const values = value.map((v: unknown, i) => parseOperand(field, type, v, `${path}[${i}]`));
    return { kind: 'in', field, type, negate: op === '$nin', values };
  }
  const operand = parseOperand(field, type, value, path);
  if (TEXT_SEARCH_OPS.has(op)) chargeTextSearch(op, operand, path, state);
  return { kind: 'compare', field, type, op: op as CompareOp, value: operand };
}

/**
 * Bounds what a text search may cost: a `$like` pattern's length and wildcards, and the passes
 * over a value all searches of the filter take together ({@link FILTER_LIMITS}.textCost).
 */
function chargeTextSearch(op: FieldOp, operand: Operand, path: string, state: State): void {
  // A `@user.*` reference is the caller's id, email, role or account: short.
  const pattern = operand.kind === 'literal' ? String(operand.value) : '';
  if (op === '$like' || op === '$notlike') {
    if (pattern.length > FILTER_LIMITS.likeLength) {
      throw new FilterError(path, `pattern longer than ${FILTER_LIMITS.likeLength} characters`);
    }
    let wildcards = 0;
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern.charCodeAt(i);
      if (c === 0x25 || c === 0x5f) wildcards++;
    }
    if (wildcards > FILTER_LIMITS.likeWildcards) {
      throw new FilterError(
        path,
        `pattern with more than ${FILTER_LIMITS.likeWildcards} wildcards (% and _)`,
      );
    }
  }
  const fold = op === '$containsfold' || op === '$notcontainsfold' ? 1 : 0;
  state.textCost += 1 + fold + Math.ceil(pattern.length / 32);
  if (state.textCost > FILTER_LIMITS.textCost) {
    throw new FilterError(
      path,
      `text searches cost more than ${FILTER_LIMITS.textCost} passes over a value in all ` +
        '(each $like/$contains… costs 1, plus 1 per 32 pattern characters, plus 1 to fold case)',
    );
  }
}

/** Checks one comparison value against the field type; dates are normalised to ISO 8601 UTC. */
function parseOperand(field: string, type: FieldType, v: unknown, path: string): Operand {
  const mismatch = (): FilterError =>
    new FilterError(path, `expected ${EXPECTED[type]} for ${type} field '${field}', got ${typeName(v)}`);
  if (typeof v === 'string' && v.length > FILTER_LIMITS.stringLength) {
    throw new FilterError(path, `string longer than ${FILTER_LIMITS.stringLength} characters`);
  }
  switch (type) {
    case 'text':
    case 'select':
    case 'relation':
      if (typeof v !== 'string') throw mismatch();
      return v.startsWith(REF_PREFIX) ? parseRef(v, path) : { kind: 'literal', value: v };
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw mismatch();
      return { kind: 'literal', value: v };
    case 'bool':
      if (typeof v !== 'boolean') throw mismatch();
      return { kind: 'literal', value: v };
    case 'date': {
      if (typeof v !== 'string' && (typeof v !== 'number' || !Number.isFinite(v))) throw mismatch();
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) {
        throw new FilterError(
          path,
          `expected ${EXPECTED.date} for date field '${field}', got an invalid date`,
        );
      }
      return { kind: 'literal', value: d.toISOString() };
    }
    case 'json':
      throw mismatch(); // unreachable: json fields only take $null
  }
}

function parseRef(v: string, path: string): Operand {
  const name = v.slice(REF_PREFIX.length);
  if (!(USER_REFS as readonly string[]).includes(name)) {
    const known = USER_REFS.map((r) => REF_PREFIX + r).join(', ');
    throw new FilterError(path, `unknown reference '${echo(v)}' (expected one of ${known})`);
  }
  return { kind: 'ref', name: name as UserRef };
}
