/**
 * Input names a field, operator or reference: an `Object.prototype` name (`valueOf`,
 * `constructor`, `__proto__`…) is never taken for a real one, and its error is not lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCollection } from './collection-validation';
import { FilterError, parseFilter } from './filter';
import { checkRecord } from './record-validation';
import type { FieldDef } from './schema';

const PROTO = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];
const name = fc.constantFrom(...PROTO);
/** A JSON object with `key` as an own property, as JSON.parse makes it (even for `__proto__`). */
const withKey = (key: string, value: unknown): Record<string, unknown> =>
  JSON.parse(`{${JSON.stringify(key)}:${JSON.stringify(value)}}`) as Record<string, unknown>;

const FIELDS: FieldDef[] = [{ name: 'title', type: 'text' }];
const TYPES = { id: 'text', title: 'text' } as const;

const filterError = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (e instanceof FilterError) return e.message;
    throw e;
  }
  return 'accepted';
};

describe('prototype names', () => {
  it('filter: as a field, an operator, a $ operator and a @user reference', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(filterError(() => parseFilter(withKey(n, 'x'), TYPES))).toBe(
          `filter.${n}: unknown field '${n}'`,
        );
        expect(filterError(() => parseFilter({ title: withKey(n, 'x') }, TYPES))).toBe(
          `filter.title.${n}: unknown operator '${n}'`,
        );
        expect(filterError(() => parseFilter({ title: withKey(`$${n}`, 'x') }, TYPES))).toBe(
          `filter.title.$${n}: unknown operator '$${n}'`,
        );
        expect(filterError(() => parseFilter({ title: `@user.${n}` }, TYPES))).toMatch(/unknown reference/);
      }),
    );
  });

  it('record body: an own key is an unknown field, reported under its own name', () => {
    fc.assert(
      fc.property(name, fc.constantFrom<'create' | 'update'>('create', 'update'), (n, mode) => {
        const { errors, value } = checkRecord(FIELDS, withKey(n, 1), mode);
        expect(Object.keys(errors)).toEqual([n]);
        expect(Object.hasOwn(errors, n) && errors[n]).toBe('unknown field');
        expect(Object.keys(value)).toEqual([]);
        expect(JSON.parse(JSON.stringify(errors))).toEqual(withKey(n, 'unknown field'));
      }),
    );
  });

  it('collection body: as a property, a field property and a rule operation', () => {
    fc.assert(
      fc.property(name, (n) => {
        const body = { name: 'posts', fields: [{ name: 'title', type: 'text' }] };
        expect(checkCollection({ ...body, ...withKey(n, 1) }, 'create').errors[n]).toBe('unknown property');
        const field = { name: 'title', type: 'text', ...withKey(n, 1) };
        expect(checkCollection({ name: 'posts', fields: [field] }, 'create').errors['fields.0']).toBe(
          `unknown field property: ${n}`,
        );
        expect(
          checkCollection({ ...body, rules: withKey(n, 'public') }, 'create').errors[`rules.${n}`],
        ).toMatch(/^unknown operation/);
      }),
    );
  });
});
