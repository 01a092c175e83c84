/** Explaining a filter's verdict: which clause decided it, for rule dry runs in the console. */
import { evaluateFilter } from './evaluate';
import type { FilterContext, FilterNode, Operand } from './types';

/** Why a filter matched a record or not. */
export interface Explanation {
  /** The filter's verdict on the record. */
  value: boolean;
  /** The clause that decided it (the whole filter when every clause was needed). */
  node: FilterNode;
  /** Where the clause sits in the parsed filter: `""` for the root, else e.g. `$and[1].$or[0]`. */
  path: string;
  /** For a comparison: the record's value of its field (null when missing). */
  actual?: unknown;
}

const join = (head: string, tail: string): string => (tail ? `${head}.${tail}` : head);

/**
 * Evaluates `node` on `record` like {@link evaluateFilter} and says which clause decided:
 * for `$and` the first false clause (or the whole `$and` when all are true), for `$or` the
 * first true clause (or the whole `$or` when all are false), recursively; a comparison
 * decides itself. The verdict always equals `evaluateFilter(node, record, ctx)`.
 */
export function explainFilter(
  node: FilterNode,
  record: Record<string, unknown>,
  ctx?: FilterContext,
): Explanation {
  if (node.kind === 'and' || node.kind === 'or') {
    const key = node.kind === 'and' ? '$and' : '$or';
    // $and is decided by a false clause, $or by a true one.
    const decisive = node.kind === 'or';
    for (let i = 0; i < node.children.length; i++) {
      const e = explainFilter(node.children[i]!, record, ctx);
      if (e.value === decisive) return { ...e, path: join(`${key}[${i}]`, e.path) };
    }
    return { value: !decisive, node, path: '' };
  }
  const v = Object.hasOwn(record, node.field) ? record[node.field] : undefined;
  return { value: evaluateFilter(node, record, ctx), node, path: '', actual: v ?? null };
}

function operandJson(o: Operand): string | number | boolean {
  return o.kind === 'ref' ? `@user.${o.name}` : o.value;
}

/** A parsed filter back in the filter language's JSON syntax (`{"owner":{"$eq":"@user.id"}}`). */
export function filterToJson(node: FilterNode): Record<string, unknown> {
  switch (node.kind) {
    case 'and':
      return { $and: node.children.map(filterToJson) };
    case 'or':
      return { $or: node.children.map(filterToJson) };
    case 'compare':
      return { [node.field]: { [node.op]: operandJson(node.value) } };
    case 'in':
      return { [node.field]: { [node.negate ? '$nin' : '$in']: node.values.map(operandJson) } };
    case 'null':
      return { [node.field]: { $null: node.isNull } };
  }
}
