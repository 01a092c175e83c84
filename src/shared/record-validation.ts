import { testFieldPattern } from './field-pattern';
import type { FieldDef } from './schema';
import { SYSTEM_FIELDS } from './schema';

/** Field name -> what is wrong with it. Empty when the input is valid. */
export type FieldErrors = Record<string, string>;

/**
 * An empty {@link FieldErrors} without a prototype: input names its keys, and on a plain object
 * `errors['__proto__'] = …` would set the prototype instead, losing the error.
 */
export function newFieldErrors(): FieldErrors {
  return Object.create(null) as FieldErrors;
}

/** The outcome of checking a record body against a collection's fields. */
export interface RecordCheck {
  /** The values to store: normalised (dates as ISO UTC), defaults applied on create. */
  value: Record<string, unknown>;
  errors: FieldErrors;
}

// note: 1 MiB is the request cap; a single text value of 256 KiB is already more than any display shows.
const MAX_TEXT = 256 * 1024;

/** Normalises a date given as an ISO string or epoch milliseconds; undefined when it is not a date. */
export function normaliseDate(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  if (typeof v === 'string' && v.trim() === '') return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function checkValue(f: FieldDef, v: unknown): { value?: unknown; error?: string } {
  switch (f.type) {
    case 'text': {
      if (typeof v !== 'string') return { error: `expected text, got ${typeName(v)}` };
      if (v.length > MAX_TEXT) return { error: `must be at most ${MAX_TEXT} characters` };
      if (f.min !== undefined && v.length < f.min) return { error: `must be at least ${f.min} characters` };
      if (f.max !== undefined && v.length > f.max) return { error: `must be at most ${f.max} characters` };
      if (f.pattern !== undefined) {
        const ok = testFieldPattern(f.pattern, v);
        if (ok === undefined)
          return { error: `cannot be checked: the field's pattern is not supported (RE2)` };
        if (!ok) return { error: `must match the pattern ${f.pattern}` };
      }
      return { value: v };
    }
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v))
        return { error: `expected a number, got ${typeName(v)}` };
      if (f.min !== undefined && v < f.min) return { error: `must be at least ${f.min}` };
      if (f.max !== undefined && v > f.max) return { error: `must be at most ${f.max}` };
      return { value: v };
    }
    case 'bool':
      return typeof v === 'boolean' ? { value: v } : { error: `expected true or false, got ${typeName(v)}` };
    case 'date': {
      const d = normaliseDate(v);
      if (d === undefined)
        return { error: `expected a date (ISO 8601 or epoch ms), got ${JSON.stringify(v)}` };
      if (f.min !== undefined && Date.parse(d) < f.min)
        return { error: `must not be before ${new Date(f.min).toISOString()}` };
      if (f.max !== undefined && Date.parse(d) > f.max)
        return { error: `must not be after ${new Date(f.max).toISOString()}` };
      return { value: d };
    }
    case 'json':
      return { value: v };
    case 'select': {
      if (typeof v !== 'string')
        return { error: `expected one of ${JSON.stringify(f.options ?? [])}, got ${typeName(v)}` };
      if (!(f.options ?? []).includes(v))
        return { error: `must be one of ${JSON.stringify(f.options ?? [])}` };
      return { value: v };
    }
    case 'relation':
      if (typeof v !== 'string' || v === '')
        return { error: `expected a record id (text), got ${typeName(v)}` };
      return { value: v };
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Checks a create or update body against the fields. Unknown and read-only fields are
 * errors (a typo must not vanish silently); on create, defaults fill absent fields and
 * required fields must be present; on update, a required field cannot be set to null.
 */
export function checkRecord(fields: FieldDef[], input: unknown, mode: 'create' | 'update'): RecordCheck {
  const errors = newFieldErrors();
  const value: Record<string, unknown> = {};
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors._body = 'expected a JSON object of field values';
    return { value, errors };
  }
  const body = input as Record<string, unknown>;
  const byName = new Map(fields.map((f) => [f.name, f]));
  for (const key of Object.keys(body)) {
    if ((SYSTEM_FIELDS as readonly string[]).includes(key)) {
      // note: echoing back a record the client just read is common; equal ids are harmless.
      if (key === 'id' && mode === 'update') continue;
      if (
        key === 'id' &&
        mode === 'create' &&
        typeof body.id === 'string' &&
        /^[a-z0-9]{1,64}$/.test(body.id)
      ) {
        value.id = body.id;
        continue;
      }
      errors[key] = key === 'id' ? 'must be 1-64 lower-case letters or digits' : 'is read-only';
    } else if (!byName.has(key)) {
      errors[key] = 'unknown field';
    }
  }
  for (const f of fields) {
    const present = Object.hasOwn(body, f.name) && body[f.name] !== undefined;
    let v = present ? body[f.name] : undefined;
    if (!present && mode === 'create' && f.default !== undefined) v = f.default;
    if (v === undefined) {
      if (mode === 'create' && f.required) errors[f.name] = 'is required';
      continue;
    }
    if (v === null) {
      if (f.required) errors[f.name] = 'is required';
      else value[f.name] = null;
      continue;
    }
    const r = checkValue(f, v);
    if (r.error) errors[f.name] = r.error;
    else value[f.name] = r.value;
  }
  return { value, errors };
}
