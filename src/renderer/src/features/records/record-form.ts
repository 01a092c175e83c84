/**
 * The record editor's form as plain data: each field's input text (or boolean), turned into the values to
 * send and checked with the server's own validation (src/shared/record-validation.ts). Pure.
 */
import { checkRecord, type FieldErrors } from '../../../../shared/record-validation';
import type { FieldDef, RecordData } from '../../../../shared/schema';

/** Field name -> what the input holds. */
export type Draft = Record<string, string | boolean>;

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO date as a `datetime-local` input's value (local time). */
export function toLocalInput(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The draft of a record (or of a new one: defaults). */
export function toDraft(fields: FieldDef[], rec?: RecordData): Draft {
  const d: Draft = {};
  for (const f of fields) {
    const v = rec ? rec[f.name] : f.default;
    if (f.type === 'bool') d[f.name] = v === true;
    else if (v === null || v === undefined) d[f.name] = '';
    else if (f.type === 'date') d[f.name] = toLocalInput(v);
    else if (f.type === 'json') d[f.name] = JSON.stringify(v, null, 2);
    else d[f.name] = String(v);
  }
  return d;
}

/** One input's value as the API takes it; `undefined` = leave out; errors for text that cannot be it. */
function fromInput(f: FieldDef, raw: string | boolean): { value?: unknown; error?: string } {
  if (f.type === 'bool') return { value: raw === true };
  const s = String(raw);
  if (s.trim() === '') return f.type === 'text' && s !== '' ? { value: s } : { value: null };
  switch (f.type) {
    case 'number': {
      const n = Number(s);
      return Number.isFinite(n) ? { value: n } : { error: `expected a number, got "${s}"` };
    }
    case 'date': {
      const d = new Date(s);
      return Number.isNaN(d.getTime()) ? { error: 'expected a date' } : { value: d.toISOString() };
    }
    case 'json':
      try {
        return { value: JSON.parse(s) };
      } catch (e) {
        return { error: `not valid JSON: ${(e as Error).message}` };
      }
    default:
      return { value: s };
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** What a draft amounts to: the body to send (changed fields only for an edit) and the field errors. */
export function formBody(
  fields: FieldDef[],
  draft: Draft,
  base: RecordData | undefined,
): { body: Record<string, unknown>; errors: FieldErrors } {
  const body: Record<string, unknown> = {};
  const inputErrors: FieldErrors = {};
  for (const f of fields) {
    const r = fromInput(f, draft[f.name] ?? '');
    if (r.error) {
      inputErrors[f.name] = r.error;
      continue;
    }
    if (base) {
      if (!same(r.value, base[f.name])) body[f.name] = r.value;
    } else if (r.value !== null && r.value !== undefined) body[f.name] = r.value;
  }
  const { errors } = checkRecord(fields, body, base ? 'update' : 'create');
  return { body, errors: { ...errors, ...inputErrors } };
}

/**
 * The fields the user edited in a draft of `base`, with what they hold now: the value it will send, or the
 * text as typed when it is not a valid value yet.
 */
export function localEdits(fields: FieldDef[], draft: Draft, base: RecordData): Record<string, unknown> {
  const start = toDraft(fields, base);
  const { body } = formBody(fields, draft, base);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (f.name in body) out[f.name] = body[f.name];
    else if (draft[f.name] !== start[f.name]) out[f.name] = draft[f.name];
  }
  return out;
}

/** A record without `updated_at`, which every save changes (what a diff of two versions should leave out). */
export function withoutStamp(r: RecordData): Record<string, unknown> {
  const { updated_at: _, ...rest } = r;
  return rest;
}

/** The fields edited locally that the other version changed too: the real conflicts. */
export function conflictingFields(
  base: RecordData,
  theirs: RecordData,
  edits: Record<string, unknown>,
): string[] {
  return Object.keys(edits).filter((f) => !same(base[f], theirs[f]));
}
