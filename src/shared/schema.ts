/** Collection schema types shared by the server, the SDK and the console. */

/** The field types a collection may declare. */
export const FIELD_TYPES = ['text', 'number', 'bool', 'date', 'json', 'select', 'relation'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Names of collections and fields: lower-case identifiers, safe to put in SQL after this check. */
export const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;

/** Field names every record has; a collection may not declare them. */
export const SYSTEM_FIELDS = ['id', 'created_at', 'updated_at', 'account'] as const;

/** One field of a collection. */
export interface FieldDef {
  name: string;
  type: FieldType;
  required?: boolean;
  unique?: boolean;
  /** Index the field (per account) so filters and sorts on it are fast; relation fields always are. */
  indexed?: boolean;
  default?: unknown;
  /** number: minimum value; text: minimum length. */
  min?: number;
  /** number: maximum value; text: maximum length. */
  max?: number;
  /** text: a regular expression the value must match. */
  pattern?: string;
  /** select: the allowed values. */
  options?: string[];
  /** relation: the collection the id points at. */
  collection?: string;
}

/** A rule: who may do an operation. A filter object may name the caller (`"@user.id"`). */
export type Rule = 'public' | 'auth' | 'admin' | Record<string, unknown>;

export const RULE_OPS = ['list', 'view', 'create', 'update', 'delete'] as const;
export type RuleOp = (typeof RULE_OPS)[number];
export type Rules = Record<RuleOp, Rule>;

/** A collection as the API returns it. Collections are shared schema; records belong to accounts. */
export interface Collection {
  name: string;
  fields: FieldDef[];
  rules: Rules;
  created_at: string;
  updated_at: string;
}

/** A record as the API returns it: system fields plus the collection's fields. */
export interface RecordData {
  id: string;
  created_at: string;
  updated_at: string;
  [field: string]: unknown;
}

/** The SQL-side type of each field type, so filters and storage agree. */
export function systemFieldType(name: string): FieldType | undefined {
  if (name === 'id' || name === 'account') return 'text';
  if (name === 'created_at' || name === 'updated_at') return 'date';
  return undefined;
}

/** `"a, b,,c"` -> `["a", "b", "c"]`: a comma-separated list from a query string, trimmed, empties dropped. */
export function commaList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
