/**
 * What the filter editor knows of the filter language (src/shared/filter), pure so it is tested without an
 * editor: which completions fit where the cursor is (field names at the filter level, the field type's
 * operators inside a field, `@user.*` and a select's options as values), and where a parse error points.
 */
import { FilterError, parseFilter, USER_REFS, type FieldTypes } from '../../../shared/filter';
import { FIELD_OPS, type FieldOp } from '../../../shared/filter/types';
import { SYSTEM_FIELDS, systemFieldType, type FieldDef, type FieldType } from '../../../shared/schema';

/** One completion: the text inserted, what kind it is, and a short description. */
export interface FilterCompletion {
  label: string;
  type: 'property' | 'keyword' | 'variable' | 'constant' | 'enum';
  detail?: string;
  /** The text inserted (quoted where JSON needs it); `label` when absent. */
  apply?: string;
}

/** The fields a filter may name: the collection's plus the system fields, with their types. */
export function filterFieldTypes(fields: readonly Pick<FieldDef, 'name' | 'type'>[]): FieldTypes {
  const out: FieldTypes = {};
  for (const s of SYSTEM_FIELDS) out[s] = systemFieldType(s)!;
  for (const f of fields) out[f.name] = f.type;
  return out;
}

const ORDERED: readonly FieldOp[] = ['$eq', '$neq', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$null'];

/** The operators each field type accepts (mirrors the parser's table). */
export const OPS_BY_TYPE: Record<FieldType, readonly FieldOp[]> = {
  text: FIELD_OPS,
  select: FIELD_OPS,
  relation: FIELD_OPS,
  number: ORDERED,
  date: ORDERED,
  bool: ['$eq', '$neq', '$in', '$nin', '$null'],
  json: ['$null'],
};

/** What each operator does, in a few words. */
export const OP_HELP: Record<string, string> = {
  $eq: 'equals',
  $neq: 'does not equal',
  $gt: 'greater than',
  $gte: 'greater or equal',
  $lt: 'less than',
  $lte: 'less or equal',
  $like: 'SQL LIKE: % any run, _ one character',
  $notlike: 'not LIKE',
  $contains: 'contains the text',
  $notcontains: 'does not contain',
  $containsfold: 'contains, ignoring case',
  $notcontainsfold: 'does not contain, ignoring case',
  $in: 'one of a list',
  $nin: 'none of a list',
  $null: 'true: has no value',
  $and: 'all of a list of filters',
  $or: 'any of a list of filters',
};

/** Where the cursor is, as far as completion cares. */
export type CursorContext =
  | { kind: 'filter-key' }
  | { kind: 'op-key'; field: string }
  | { kind: 'value'; field?: string }
  | { kind: 'none' };

interface Frame {
  type: 'object' | 'array';
  /** The key this object or array is the value of. */
  owner?: string;
  /** The last key read in this object. */
  key?: string;
  /** After `:` in this object (a value is expected or being typed). */
  afterColon: boolean;
}

/**
 * The context at `pos` in `text` and where the word being typed starts (including its opening quote).
 * A light scan (strings, brackets, keys), tolerant of the half-typed JSON an editor holds.
 */
export function contextAt(text: string, pos: number): { context: CursorContext; from: number } {
  const stack: Frame[] = [];
  let inString = false;
  let stringStart = -1;
  let lastString = '';
  for (let i = 0; i < pos; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') {
        inString = false;
        lastString = text.slice(stringStart + 1, i);
      }
      continue;
    }
    const top = stack[stack.length - 1];
    if (ch === '"') {
      inString = true;
      stringStart = i;
    } else if (ch === ':' && top?.type === 'object') {
      top.key = lastString;
      top.afterColon = true;
    } else if (ch === ',' && top?.type === 'object') top.afterColon = false;
    else if (ch === '{' || ch === '[') {
      const owner = top?.type === 'object' ? top.key : top?.owner;
      stack.push({ type: ch === '{' ? 'object' : 'array', owner, afterColon: false });
    } else if (ch === '}' || ch === ']') stack.pop();
  }
  const from = inString ? stringStart : wordStart(text, pos);
  const top = stack[stack.length - 1];
  if (!top) return { context: { kind: 'none' }, from };
  const isGroup = (k?: string) => k === '$and' || k === '$or';
  if (top.type === 'array') {
    if (isGroup(top.owner)) return { context: { kind: 'filter-key' }, from };
    return { context: { kind: 'value', field: fieldOwner(stack) }, from };
  }
  if (top.afterColon) return { context: { kind: 'value', field: fieldOwner(stack) }, from };
  // A key inside an object: the filter level (root, or an element of $and/$or) or a field's operators.
  const owner = top.owner;
  if (owner === undefined || isGroup(owner)) return { context: { kind: 'filter-key' }, from };
  if (!owner.startsWith('$')) return { context: { kind: 'op-key', field: owner }, from };
  return { context: { kind: 'none' }, from };
}

function wordStart(text: string, pos: number): number {
  let i = pos;
  while (i > 0 && /[\w$@.-]/.test(text[i - 1]!)) i--;
  return i;
}

/** The field whose value (or operator's value) the cursor is in. */
function fieldOwner(stack: Frame[]): string | undefined {
  for (let i = stack.length - 1; i >= 0; i--) {
    const f = stack[i]!;
    const k = f.type === 'object' && f.afterColon ? f.key : f.owner;
    if (k && !k.startsWith('$')) return k;
  }
  return undefined;
}

const q = (s: string) => JSON.stringify(s);

/** What a filter is for: a rule (checked against a caller) or a query (the records table, no caller). */
export interface FilterUse {
  /** Offer `@user.*` values: a rule has a caller; a query typed in the console has none. Default true. */
  userRefs?: boolean;
  /** An empty filter means "no filter" (a query) rather than a mistake (a rule). Default false. */
  allowEmpty?: boolean;
}

/** The completions for a context, given the collection's fields (with select options). */
export function completionsFor(
  context: CursorContext,
  fields: readonly Pick<FieldDef, 'name' | 'type' | 'options'>[],
  use: FilterUse = {},
): FilterCompletion[] {
  const types = filterFieldTypes(fields);
  switch (context.kind) {
    case 'filter-key':
      return [
        ...Object.entries(types).map(([name, type]) => ({
          label: name,
          type: 'property' as const,
          detail: (SYSTEM_FIELDS as readonly string[]).includes(name) ? `${type} · system` : type,
          apply: `${q(name)}: `,
        })),
        ...(['$and', '$or'] as const).map((op) => ({
          label: op,
          type: 'keyword' as const,
          detail: OP_HELP[op],
          apply: `${q(op)}: [`,
        })),
      ];
    case 'op-key': {
      const type = types[context.field];
      if (!type) return [];
      return OPS_BY_TYPE[type].map((op) => ({
        label: op,
        type: 'keyword' as const,
        detail: OP_HELP[op],
        apply: `${q(op)}: `,
      }));
    }
    case 'value': {
      const field = context.field ? fields.find((f) => f.name === context.field) : undefined;
      const type = context.field ? types[context.field] : undefined;
      const out: FilterCompletion[] = [];
      if (use.userRefs !== false && (!type || ['text', 'select', 'relation'].includes(type)))
        for (const r of USER_REFS)
          out.push({ label: `@user.${r}`, type: 'variable', detail: 'the caller', apply: q(`@user.${r}`) });
      for (const o of field?.options ?? [])
        out.push({ label: o, type: 'enum', detail: 'option', apply: q(o) });
      if (type === 'bool' || !type)
        out.push({ label: 'true', type: 'constant' }, { label: 'false', type: 'constant' });
      out.push({ label: 'null', type: 'constant', detail: 'no value' });
      return out;
    }
    default:
      return [];
  }
}

/**
 * The completions that fit what is typed (`"ow` -> `owner`, quotes ignored): those starting with it
 * first, then those containing it.
 */
export function matchCompletions(options: FilterCompletion[], typed: string): FilterCompletion[] {
  const word = typed.replace(/^"/, '').toLowerCase();
  if (!word) return options;
  const starts = options.filter((o) => o.label.toLowerCase().startsWith(word));
  const contains = options.filter((o) => !starts.includes(o) && o.label.toLowerCase().includes(word));
  return [...starts, ...contains];
}

/** A problem in the filter text: where (character offsets) and what. */
export interface FilterProblem {
  from: number;
  to: number;
  message: string;
}

/**
 * Parses `text` with the shared parser; null when it is a valid filter, else the problem and where it is:
 * a JSON error at its position, a filter error at the last key its path names.
 */
export function checkFilterText(text: string, types: FieldTypes, use: FilterUse = {}): FilterProblem | null {
  if (!text.trim())
    return use.allowEmpty ? null : { from: 0, to: 0, message: 'Write a filter, e.g. {"owner": "@user.id"}' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String((e as Error).message));
    const at = m ? Math.min(Number(m[1]), text.length) : text.length;
    return {
      from: Math.max(0, at - (at === text.length ? 1 : 0)),
      to: Math.min(text.length, at + 1),
      message: `Not valid JSON: ${String((e as Error).message).replace(/^JSON\.parse: /, '')}`,
    };
  }
  try {
    parseFilter(value, types);
    return null;
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return {
      ...locate(text, e.path),
      message: e.message.replace(/^filter\.?/, '').replace(/^: /, '') || e.message,
    };
  }
}

/** The text range of the last key a FilterError path names (`filter.$or[1].age.$gt` -> `"$gt"`). */
function locate(text: string, path: string): { from: number; to: number } {
  const keys = path
    .replace(/\[\d+\]/g, '')
    .split('.')
    .slice(1)
    .filter(Boolean);
  let from = 0;
  let found: { from: number; to: number } | null = null;
  for (const k of keys) {
    const i = text.indexOf(q(k), from);
    if (i === -1) break;
    found = { from: i, to: i + q(k).length };
    from = i + 1;
  }
  return found ?? { from: 0, to: text.length };
}
