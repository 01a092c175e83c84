/**
 * Realtime and list input that names an event, operation or field: an `Object.prototype` name
 * (`valueOf`, `constructor`, `__proto__`…) is refused like any unknown name, never taken for one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseListParams } from '../api/list-query';
import { AppError } from '../errors';
import { parseQuery } from './dialects/fastschema';
import { parseOps } from './dialects/snackbase';
import { checkParams } from './spec';
import { posts } from './test-kit';

const PROTO = [...Object.getOwnPropertyNames(Object.prototype), '__proto__'];
const name = fc.constantFrom(...PROTO);

const lookup = (n: string) => (n === 'posts' ? posts() : undefined);

describe('prototype names in realtime and list input', () => {
  it('native/SSE subscribe: as events, select fields and collections', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(checkParams({ collection: 'posts', events: [n] }, lookup)).toMatchObject({
          ok: false,
          code: 'invalid_events',
        });
        expect(checkParams({ collection: 'posts', select: [n] }, lookup)).toMatchObject({
          ok: false,
          code: 'invalid_select',
        });
        expect(checkParams({ collection: 'posts', select: n }, lookup)).toMatchObject({
          ok: false,
          code: 'invalid_select',
        });
        expect(checkParams({ collection: n }, lookup)).toMatchObject({ ok: false });
      }),
    );
  });

  it('FastSchema: as the event and as a select field', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(parseQuery(new URLSearchParams({ schema: 'posts', event: n }), lookup)).toEqual({
          ok: false,
          reason: `realtime.content: invalid event '${n}'`,
        });
        expect(parseQuery(new URLSearchParams({ schema: 'posts', select: n }), lookup)).toEqual({
          ok: false,
          reason: `realtime.content: invalid select: unknown field '${n}'`,
        });
        expect(parseQuery(new URLSearchParams({ schema: n }), lookup)).toMatchObject({ ok: false });
      }),
    );
  });

  it('SnackBase: as an operation', () => {
    fc.assert(
      fc.property(name, (n) => {
        expect(parseOps([n])).toBe('Invalid operations: use a list of create, update, delete');
      }),
    );
  });

  it('REST list: as a sort or select field', () => {
    const types = { id: 'text', title: 'text' } as const;
    const refused = (q: Record<string, string>): string => {
      try {
        parseListParams(new URLSearchParams(q), types);
      } catch (e) {
        if (e instanceof AppError) return `${e.status} ${e.message}`;
        throw e;
      }
      return 'accepted';
    };
    fc.assert(
      fc.property(name, fc.constantFrom('', '-', '+'), (n, dir) => {
        expect(refused({ sort: `${dir}${n}` })).toBe(`400 Cannot sort by '${n}': no such field.`);
        expect(refused({ select: n })).toBe(`400 Cannot select '${n}': no such field.`);
      }),
    );
  });
});
