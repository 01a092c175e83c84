/**
 * The schema editor's model, pure: a collection's fields as editable drafts (text inputs keep what the user
 * typed), and the drafts back to a `PATCH` body — renames carry `previous_name`, left-out fields are drops.
 * Errors are keyed the way the server keys them (`fields.2.name`), by position in the list sent.
 */
import { checkCollection } from '../../../../shared/collection-validation';
import type { CollectionPatch } from '../../../../shared/admin';
import type { FieldDef, FieldType } from '../../../../shared/schema';

/** One field as the editor holds it. */
export interface DraftField {
  /** Stable across renames and moves (React key, drag and drop). */
  key: string;
  /** The saved field's name; undefined for a field added in this edit. */
  original?: string;
  name: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  indexed: boolean;
  /** As typed: text for text/select/relation/date, a number, `true`/`false`, or JSON. Empty: none. */
  default: string;
  min: string;
  max: string;
  pattern: string;
  /** Select options, one per line or comma-separated. */
  options: string;
  /** Relation target. */
  collection: string;
}

let seq = 0;
const nextKey = () => `f${++seq}`;

/** A saved field as a draft. */
export function toDraft(f: FieldDef): DraftField {
  return {
    key: nextKey(),
    original: f.name,
    name: f.name,
    type: f.type,
    required: !!f.required,
    unique: !!f.unique,
    indexed: !!f.indexed,
    default: f.default === undefined || f.default === null ? '' : formatDefault(f.type, f.default),
    min: f.min === undefined ? '' : String(f.min),
    max: f.max === undefined ? '' : String(f.max),
    pattern: f.pattern ?? '',
    options: (f.options ?? []).join(', '),
    collection: f.collection ?? '',
  };
}

/** A new, empty field (a unique `field_N` name so a quick add does not collide). */
export function newDraft(existing: readonly DraftField[], type: FieldType = 'text'): DraftField {
  let n = existing.length + 1;
  while (existing.some((f) => f.name === `field_${n}`)) n++;
  return {
    key: nextKey(),
    name: `field_${n}`,
    type,
    required: false,
    unique: false,
    indexed: false,
    default: '',
    min: '',
    max: '',
    pattern: '',
    options: '',
    collection: '',
  };
}

function formatDefault(type: FieldType, v: unknown): string {
  if (type === 'json') return JSON.stringify(v);
  return String(v);
}

/** `"a, b\nc"` -> `["a", "b", "c"]`. */
export function splitOptions(raw: string): string[] {
  return raw
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

function parseDefault(type: FieldType, raw: string): unknown {
  const t = raw.trim();
  if (t === '') return undefined;
  if (type === 'number') return Number.isFinite(Number(t)) ? Number(t) : t;
  if (type === 'bool') return t === 'true' ? true : t === 'false' ? false : t;
  if (type === 'json') {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return t;
    }
  }
  return raw;
}

const num = (raw: string): number | undefined | string =>
  raw.trim() === '' ? undefined : Number.isFinite(Number(raw)) ? Number(raw) : raw;

/** A draft as the API's field (plus `previous_name` for a rename); only what applies to its type. */
export function toFieldInput(d: DraftField): FieldDef & { previous_name?: string } {
  const f: Record<string, unknown> = { name: d.name.trim(), type: d.type };
  if (d.required) f.required = true;
  if (d.unique) f.unique = true;
  if (d.indexed) f.indexed = true;
  const def = parseDefault(d.type, d.default);
  if (def !== undefined) f.default = def;
  if (['text', 'number', 'date'].includes(d.type)) {
    const min = num(d.min);
    const max = num(d.max);
    if (min !== undefined) f.min = min;
    if (max !== undefined) f.max = max;
  }
  if (d.type === 'text' && d.pattern) f.pattern = d.pattern;
  if (d.type === 'select') f.options = splitOptions(d.options);
  if (d.type === 'relation') f.collection = d.collection;
  if (d.original !== undefined && d.original !== f.name) f.previous_name = d.original;
  return f as unknown as FieldDef & { previous_name?: string };
}

/** The `PATCH` body for the drafts: the whole field list, in order. */
export function schemaPatch(drafts: readonly DraftField[]): CollectionPatch {
  return { fields: drafts.map(toFieldInput) };
}

/** Saved fields the drafts no longer hold: saving drops them and their values. */
export function droppedFields(saved: readonly FieldDef[], drafts: readonly DraftField[]): string[] {
  const kept = new Set(drafts.map((d) => d.original).filter(Boolean));
  return saved.map((f) => f.name).filter((n) => !kept.has(n));
}

/** True when the drafts differ from the saved fields (order included). */
export function isDirty(saved: readonly FieldDef[], drafts: readonly DraftField[]): boolean {
  const a = JSON.stringify(saved.map((f) => toFieldInput(toDraft(f))));
  const b = JSON.stringify(drafts.map(toFieldInput));
  return a !== b;
}

/**
 * Checks the drafts with the server's own validation (src/shared/collection-validation.ts) and adds what
 * only the editor knows (a relation's target must exist). Keys as the server's: `fields.2.name`.
 */
export function validateDrafts(
  drafts: readonly DraftField[],
  collections: readonly string[],
): Record<string, string> {
  const { errors } = checkCollection(schemaPatch(drafts), 'update');
  const out: Record<string, string> = { ...errors };
  drafts.forEach((d, i) => {
    if (d.type === 'relation' && d.collection && !collections.includes(d.collection))
      out[`fields.${i}.collection`] ??= `collection '${d.collection}' does not exist`;
  });
  // note: "field 'x' appears twice" names no index; put it on the second one too.
  const seen = new Map<string, number>();
  drafts.forEach((d, i) => {
    const n = d.name.trim();
    if (seen.has(n)) out[`fields.${i}.name`] ??= `another field is already called '${n}'`;
    seen.set(n, i);
  });
  return out;
}

/** The errors of field `i`, keyed by property (`name`, `options`, …; `_` for the field as a whole). */
export function fieldErrorsAt(errors: Record<string, string>, i: number): Record<string, string> {
  const out: Record<string, string> = {};
  const prefix = `fields.${i}`;
  for (const [k, v] of Object.entries(errors)) {
    if (k === prefix) out._ = v;
    else if (k.startsWith(`${prefix}.`)) out[k.slice(prefix.length + 1)] = v;
  }
  return out;
}

/** Moves item `from` to index `to`. */
export function move<T>(list: readonly T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}
