import { describe, expect, it } from 'vitest';
import type { FieldDef } from '../../../../shared/schema';
import {
  droppedFields,
  fieldErrorsAt,
  isDirty,
  move,
  newDraft,
  schemaPatch,
  toDraft,
  validateDrafts,
} from './schema-model';

const saved: FieldDef[] = [
  { name: 'title', type: 'text', required: true, max: 80 },
  { name: 'status', type: 'select', options: ['draft', 'live'], default: 'draft' },
  { name: 'body', type: 'text' },
];

describe('schema drafts -> PATCH', () => {
  it('round-trips unchanged fields', () => {
    const drafts = saved.map(toDraft);
    expect(isDirty(saved, drafts)).toBe(false);
    expect(schemaPatch(drafts)).toEqual({ fields: saved });
  });

  it('sends previous_name for a rename, drops left-out fields, adds new ones, keeps order', () => {
    const [title, status] = saved.map(toDraft);
    const renamed = { ...title!, name: 'headline' };
    const added = { ...newDraft([renamed, status!], 'relation'), name: 'author', collection: 'people' };
    const drafts = move([renamed, status!, added], 2, 0);
    expect(schemaPatch(drafts).fields).toEqual([
      { name: 'author', type: 'relation', collection: 'people' },
      { name: 'headline', type: 'text', required: true, max: 80, previous_name: 'title' },
      { name: 'status', type: 'select', options: ['draft', 'live'], default: 'draft' },
    ]);
    expect(droppedFields(saved, drafts)).toEqual(['body']);
    expect(isDirty(saved, drafts)).toBe(true);
  });

  it('types defaults and bounds, and leaves out what does not apply to the type', () => {
    const d = { ...newDraft([], 'number'), name: 'n', default: '5', min: '1', max: '', pattern: 'x' };
    expect(schemaPatch([d]).fields).toEqual([{ name: 'n', type: 'number', default: 5, min: 1 }]);
    const b = { ...newDraft([], 'bool'), name: 'b', default: 'true', min: '3' };
    expect(schemaPatch([b]).fields).toEqual([{ name: 'b', type: 'bool', default: true }]);
  });
});

describe('validateDrafts', () => {
  it('keys errors like the server (fields.N.prop) and finds them per field', () => {
    const a = { ...newDraft([]), name: 'Bad Name' };
    const s = { ...newDraft([a], 'select'), name: 'kind' };
    const r = { ...newDraft([a, s], 'relation'), name: 'owner', collection: 'ghosts' };
    const errors = validateDrafts([a, s, r], ['posts']);
    expect(fieldErrorsAt(errors, 0).name).toMatch(/must match/);
    expect(fieldErrorsAt(errors, 1).options).toMatch(/non-empty list/);
    expect(fieldErrorsAt(errors, 2).collection).toMatch(/does not exist/);
  });
  it('flags a duplicate name on the second field', () => {
    const a = { ...newDraft([]), name: 'x' };
    const b = { ...newDraft([a]), name: 'x' };
    expect(fieldErrorsAt(validateDrafts([a, b], []), 1).name).toMatch(/already called/);
  });
});
