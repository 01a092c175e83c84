import { fieldPattern } from './field-pattern';
import { checkRecord, newFieldErrors, type FieldErrors } from './record-validation';
import {
  FIELD_TYPES,
  NAME_PATTERN,
  RULE_OPS,
  SYSTEM_FIELDS,
  type FieldDef,
  type Rule,
  type Rules,
} from './schema';

/** A field as a collection PATCH may send it: `previous_name` renames an existing field. */
export interface FieldInput extends FieldDef {
  previous_name?: string;
}

/** The checked body of a collection create or update. */
export interface CollectionCheck {
  name?: string;
  fields?: FieldInput[];
  rules?: Partial<Rules>;
  errors: FieldErrors;
}

/** Names realtime subscriptions use for themselves: `presence` is the presence channel. */
export const RESERVED_NAMES = ['presence'] as const;

// note: SQLite allows 2,000 columns; 200 fields is more than any content type needs and keeps rows small.
const MAX_FIELDS = 200;
const FIELD_KEYS = new Set([
  'name',
  'type',
  'required',
  'unique',
  'indexed',
  'default',
  'min',
  'max',
  'pattern',
  'options',
  'collection',
  'previous_name',
]);

function checkField(raw: unknown, at: string, errors: FieldErrors): FieldInput | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors[at] = 'expected a field object {name, type, …}';
    return undefined;
  }
  const f = raw as Record<string, unknown>;
  const bad = Object.keys(f).filter((k) => !FIELD_KEYS.has(k));
  if (bad.length) errors[at] = `unknown field propert${bad.length > 1 ? 'ies' : 'y'}: ${bad.join(', ')}`;
  if (typeof f.name !== 'string' || !NAME_PATTERN.test(f.name)) {
    errors[`${at}.name`] = 'must match ^[a-z][a-z0-9_]{0,62}$';
    return undefined;
  }
  if ((SYSTEM_FIELDS as readonly string[]).includes(f.name))
    errors[`${at}.name`] = `'${f.name}' is a system field`;
  if (typeof f.type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(f.type)) {
    errors[`${at}.type`] = `must be one of ${FIELD_TYPES.join(', ')}`;
    return undefined;
  }
  const field = { name: f.name, type: f.type } as FieldInput;
  for (const k of ['required', 'unique', 'indexed'] as const) {
    if (f[k] === undefined) continue;
    if (typeof f[k] !== 'boolean') errors[`${at}.${k}`] = 'must be true or false';
    else if (f[k]) field[k] = true;
  }
  for (const k of ['min', 'max'] as const) {
    if (f[k] === undefined) continue;
    if (typeof f[k] !== 'number' || !Number.isFinite(f[k])) errors[`${at}.${k}`] = 'must be a number';
    else if (!['text', 'number', 'date'].includes(field.type))
      errors[`${at}.${k}`] = `does not apply to ${field.type}`;
    else field[k] = f[k];
  }
  if (f.pattern !== undefined) {
    if (field.type !== 'text') errors[`${at}.pattern`] = 'applies to text fields only';
    else if (typeof f.pattern !== 'string') errors[`${at}.pattern`] = 'must be a regular expression string';
    else {
      const p = fieldPattern(f.pattern);
      if (p.ok) field.pattern = f.pattern;
      else errors[`${at}.pattern`] = p.error;
    }
  }
  if (field.type === 'select') {
    const o = f.options;
    if (!Array.isArray(o) || o.length === 0 || !o.every((x) => typeof x === 'string' && x !== '')) {
      errors[`${at}.options`] = 'a select field needs a non-empty list of text options';
    } else field.options = [...new Set(o as string[])];
  } else if (f.options !== undefined) errors[`${at}.options`] = 'applies to select fields only';
  if (field.type === 'relation') {
    if (typeof f.collection !== 'string' || !NAME_PATTERN.test(f.collection)) {
      errors[`${at}.collection`] = 'a relation field names the collection it points at';
    } else field.collection = f.collection;
  } else if (f.collection !== undefined) errors[`${at}.collection`] = 'applies to relation fields only';
  if (f.previous_name !== undefined) {
    if (typeof f.previous_name !== 'string' || !NAME_PATTERN.test(f.previous_name)) {
      errors[`${at}.previous_name`] = 'must name an existing field';
    } else field.previous_name = f.previous_name;
  }
  if (f.default !== undefined && f.default !== null) {
    const r = checkRecord([{ ...field, required: false }], { [field.name]: f.default }, 'create');
    const e = r.errors[field.name];
    if (e) errors[`${at}.default`] = e;
    else field.default = r.value[field.name];
  }
  return field;
}

function checkRule(raw: unknown): Rule | string {
  if (raw === 'public' || raw === 'auth' || raw === 'admin') return raw;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) return raw as Record<string, unknown>;
  return 'must be "public", "auth", "admin" or a filter object';
}

/** Checks the shape of a collection body; filters inside rules are checked by the server against the fields. */
export function checkCollection(input: unknown, mode: 'create' | 'update'): CollectionCheck {
  const errors = newFieldErrors();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    errors._body = 'expected a JSON object {name, fields, rules}';
    return { errors };
  }
  const body = input as Record<string, unknown>;
  const out: CollectionCheck = { errors };
  for (const k of Object.keys(body)) {
    if (!['name', 'fields', 'rules'].includes(k)) errors[k] = 'unknown property';
  }
  if (body.name !== undefined || mode === 'create') {
    if (typeof body.name !== 'string' || !NAME_PATTERN.test(body.name))
      errors.name = 'must match ^[a-z][a-z0-9_]{0,62}$';
    else if ((RESERVED_NAMES as readonly string[]).includes(body.name))
      errors.name = `'${body.name}' is reserved`;
    else out.name = body.name;
  }
  if (body.fields !== undefined || mode === 'create') {
    const raw = body.fields ?? [];
    if (!Array.isArray(raw)) errors.fields = 'must be a list of fields';
    else if (raw.length > MAX_FIELDS) errors.fields = `at most ${MAX_FIELDS} fields`;
    else {
      const fields = raw
        .map((f, i) => checkField(f, `fields.${i}`, errors))
        .filter((f): f is FieldInput => !!f);
      const seen = new Set<string>();
      fields.forEach((f) => {
        if (seen.has(f.name)) errors.fields = `field '${f.name}' appears twice`;
        seen.add(f.name);
      });
      out.fields = fields;
    }
  }
  if (body.rules !== undefined) {
    if (typeof body.rules !== 'object' || body.rules === null || Array.isArray(body.rules)) {
      errors.rules = 'must be an object {list, view, create, update, delete}';
    } else {
      const rules: Partial<Rules> = {};
      for (const [op, r] of Object.entries(body.rules)) {
        if (!(RULE_OPS as readonly string[]).includes(op)) {
          errors[`rules.${op}`] = `unknown operation; one of ${RULE_OPS.join(', ')}`;
          continue;
        }
        const checked = checkRule(r);
        if (typeof checked === 'string' && !['public', 'auth', 'admin'].includes(checked))
          errors[`rules.${op}`] = checked;
        else rules[op as keyof Rules] = checked as Rule;
      }
      out.rules = rules;
    }
  }
  return out;
}
