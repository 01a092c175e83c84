import { describe, expect, it } from 'vitest';
import type { Rules } from '../../../../shared/schema';
import { filterFieldTypes } from '../../ui/filter-language';
import { rulesDirty, rulesPatch, toRuleDrafts } from './rules-model';

const saved: Rules = {
  list: 'public',
  view: 'auth',
  create: 'admin',
  update: { owner: '@user.id' },
  delete: 'admin',
};
const types = filterFieldTypes([{ name: 'owner', type: 'relation' }]);

describe('rules drafts', () => {
  it('round-trips', () => {
    const d = toRuleDrafts(saved);
    expect(d.update.mode).toBe('filter');
    expect(rulesDirty(saved, d)).toBe(false);
    expect(rulesPatch(d, types)).toEqual({ rules: saved, errors: null });
  });
  it('reports a bad filter under rules.<op>', () => {
    const d = toRuleDrafts(saved);
    d.delete = { mode: 'filter', text: '{"nope": 1}' };
    const r = rulesPatch(d, types);
    expect(r.errors?.['rules.delete']).toContain("unknown field 'nope'");
    expect(rulesDirty(saved, d)).toBe(true);
  });
});
