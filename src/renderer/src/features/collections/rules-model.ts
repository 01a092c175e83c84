/** The rules editor's model, pure: a rule as a choice (public, signed in, admins, a filter) and back. */
import type { FieldTypes } from '../../../../shared/filter';
import { RULE_OPS, type Rule, type RuleOp, type Rules } from '../../../../shared/schema';
import { checkFilterText } from '../../ui/filter-language';

/** The four choices a rule offers. */
export type RuleMode = 'public' | 'auth' | 'admin' | 'filter';

/** One rule as the editor holds it: the choice and, for a filter, its JSON text (kept across choices). */
export interface RuleDraft {
  mode: RuleMode;
  text: string;
}

export type RuleDrafts = Record<RuleOp, RuleDraft>;

/** A saved rule as a draft. */
export function toRuleDraft(rule: Rule): RuleDraft {
  if (typeof rule === 'string') return { mode: rule, text: '' };
  return { mode: 'filter', text: JSON.stringify(rule, null, 2) };
}

/** Every rule of a collection as drafts. */
export function toRuleDrafts(rules: Rules): RuleDrafts {
  return Object.fromEntries(RULE_OPS.map((op) => [op, toRuleDraft(rules[op])])) as RuleDrafts;
}

/** A draft as a rule, or the problem with its filter. */
export function fromRuleDraft(d: RuleDraft, types: FieldTypes): { rule: Rule } | { error: string } {
  if (d.mode !== 'filter') return { rule: d.mode };
  const problem = checkFilterText(d.text, types);
  if (problem) return { error: problem.message };
  return { rule: JSON.parse(d.text) as Record<string, unknown> };
}

/** The rules to send, or the problems by `rules.<op>` key (the server's keys). */
export function rulesPatch(
  drafts: RuleDrafts,
  types: FieldTypes,
): { rules: Rules; errors: null } | { rules: null; errors: Record<string, string> } {
  const rules: Partial<Rules> = {};
  const errors: Record<string, string> = {};
  for (const op of RULE_OPS) {
    const r = fromRuleDraft(drafts[op], types);
    if ('error' in r) errors[`rules.${op}`] = r.error;
    else rules[op] = r.rule;
  }
  return Object.keys(errors).length ? { rules: null, errors } : { rules: rules as Rules, errors: null };
}

/** True when the drafts say something else than the saved rules. */
export function rulesDirty(saved: Rules, drafts: RuleDrafts): boolean {
  return RULE_OPS.some((op) => {
    const d = drafts[op];
    const s = saved[op];
    if (d.mode !== 'filter') return d.mode !== s;
    if (typeof s === 'string') return true;
    try {
      return JSON.stringify(JSON.parse(d.text)) !== JSON.stringify(s);
    } catch {
      return true;
    }
  });
}
