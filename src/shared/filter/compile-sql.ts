/** Compiling a parsed filter to a parameterised SQLite WHERE expression. */
import { asciiLower } from './sqlite-text';
import { resolveOperand, type CompareOp, type FilterContext, type FilterNode } from './types';

/** A WHERE expression with `?` placeholders and the values to bind to them, in order. */
export interface CompiledFilter {
  sql: string;
  params: unknown[];
}

const TRUE = '1';
const FALSE = '0';

/** The SQL value of a filter value: bools are stored 0/1. */
const bind = (v: string | number | boolean): string | number => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

/** SQL for one comparison; `c` is the quoted column, the value is bound as the single `?`. */
function compareSql(op: CompareOp, c: string): string {
  switch (op) {
    case '$eq':
      return `${c} = ?`;
    case '$neq':
      return `${c} IS NOT ?`;
    case '$gt':
      return `${c} > ?`;
    case '$gte':
      return `${c} >= ?`;
    case '$lt':
      return `${c} < ?`;
    case '$lte':
      return `${c} <= ?`;
    case '$like':
      return `${c} LIKE ?`;
    case '$notlike':
      return `(${c} IS NULL OR ${c} NOT LIKE ?)`;
    case '$contains':
      return `instr(${c}, ?) > 0`;
    case '$notcontains':
      return `(${c} IS NULL OR instr(${c}, ?) = 0)`;
    case '$containsfold':
      return `instr(lower(${c}), ?) > 0`;
    case '$notcontainsfold':
      return `(${c} IS NULL OR instr(lower(${c}), ?) = 0)`;
  }
}

const join = (parts: string[], op: 'AND' | 'OR', empty: string): string => {
  if (parts.length === 0) return empty;
  if (parts.length === 1) return parts[0]!;
  return parts.map((p) => `(${p})`).join(` ${op} `);
};

function emit(
  node: FilterNode,
  column: (field: string) => string,
  ctx: FilterContext | undefined,
  params: unknown[],
): string {
  switch (node.kind) {
    case 'and':
      return join(
        node.children.map((n) => emit(n, column, ctx, params)),
        'AND',
        TRUE,
      );
    case 'or':
      return join(
        node.children.map((n) => emit(n, column, ctx, params)),
        'OR',
        FALSE,
      );
    case 'null':
      return `${column(node.field)} ${node.isNull ? 'IS NULL' : 'IS NOT NULL'}`;
    case 'compare': {
      const x = resolveOperand(node.value, ctx);
      if (x === undefined) return FALSE;
      const fold = node.op === '$containsfold' || node.op === '$notcontainsfold';
      params.push(fold ? asciiLower(String(x)) : bind(x));
      return compareSql(node.op, column(node.field));
    }
    case 'in': {
      const xs = node.values.map((o) => resolveOperand(o, ctx));
      if (xs.includes(undefined)) return FALSE;
      if (xs.length === 0) return node.negate ? TRUE : FALSE;
      for (const x of xs) params.push(bind(x!));
      const c = column(node.field);
      const list = xs.map(() => '?').join(', ');
      return node.negate ? `(${c} IS NULL OR ${c} NOT IN (${list}))` : `${c} IN (${list})`;
    }
  }
}

/**
 * Compiles a filter to a WHERE expression for the caller in `ctx`. `column` maps a field name
 * to an already-quoted identifier; values are only ever bound through `?`, never spliced in.
 * Selects exactly the rows {@link evaluateFilter} accepts, given the storage conventions.
 */
export function compileFilter(
  node: FilterNode,
  column: (field: string) => string,
  ctx?: FilterContext,
): CompiledFilter {
  const params: unknown[] = [];
  const sql = emit(node, column, ctx, params);
  return { sql, params };
}
