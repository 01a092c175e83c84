/**
 * The Rules tab: who may list, view, create, update and delete records — each a choice of public, signed
 * in, admins, or a filter written in the filter language (with completion and inline errors). Saved with one
 * PATCH; below, a dry run checks a rule (the one being edited, too) for a user, a key or nobody.
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { CollectionListItem } from '../../../../shared/admin';
import { RULE_OPS, type RuleOp } from '../../../../shared/schema';
import { FormError } from '../../ui/field';
import { FilterEditor } from '../../ui/filter-editor';
import { filterFieldTypes } from '../../ui/filter-language';
import { SaveActions } from '../../ui/save-actions';
import { updateCollection } from './actions';
import { DryRun } from './dry-run';
import {
  rulesDirty,
  rulesPatch,
  toRuleDrafts,
  type RuleDraft,
  type RuleDrafts,
  type RuleMode,
} from './rules-model';

const MODES: { value: RuleMode; label: string }[] = [
  { value: 'public', label: 'Public' },
  { value: 'auth', label: 'Signed in' },
  { value: 'admin', label: 'Admins' },
  { value: 'filter', label: 'Filter' },
];

const OP_TEXT: Record<RuleOp, { title: string; what: string }> = {
  list: { title: 'List', what: 'see records in lists and live subscriptions' },
  view: { title: 'View', what: 'open one record by id' },
  create: { title: 'Create', what: 'add records' },
  update: { title: 'Update', what: 'change records (checked before and after the change)' },
  delete: { title: 'Delete', what: 'delete records' },
};

const MODE_HINT: Record<RuleMode, string> = {
  public: 'Anyone, even without a token (kiosks showing public content).',
  auth: 'Any signed-in user or API key of the account.',
  admin: 'Only admins of the account.',
  filter: 'Those for whom the filter matches the record; "@user.id" is the caller.',
};

export function RulesEditor({ collection }: { collection: CollectionListItem }) {
  const [drafts, setDrafts] = useState<RuleDrafts>(() => toRuleDrafts(collection.rules));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const types = useMemo(() => filterFieldTypes(collection.fields), [collection.fields]);
  const dirty = rulesDirty(collection.rules, drafts);
  // The rules changed elsewhere: follow them unless there are edits here.
  const shown = useRef(collection.rules);
  useEffect(() => {
    if (shown.current === collection.rules) return;
    const prev = shown.current;
    shown.current = collection.rules;
    setDrafts((d) => (rulesDirty(prev, d) ? d : toRuleDrafts(collection.rules)));
  }, [collection.rules]);

  const set = (op: RuleOp, d: RuleDraft) => {
    setDrafts((all) => ({ ...all, [op]: d }));
    setErrors(({ [`rules.${op}`]: _gone, ...rest }) => rest);
    setFormError(null);
  };

  const save = async () => {
    const r = rulesPatch(drafts, types);
    if (r.errors) {
      setErrors(r.errors);
      setFormError('A filter has a problem; see the message under it.');
      return;
    }
    setBusy(true);
    const out = await updateCollection(
      collection.name,
      { rules: r.rules },
      `Rules of ${collection.name} saved.`,
    );
    setBusy(false);
    if (out.ok) {
      setDrafts(toRuleDrafts(out.value.rules));
      setErrors({});
    } else {
      const fields = out.error.fields ?? {};
      setErrors(fields);
      setFormError(Object.keys(fields).some((k) => k.startsWith('rules.')) ? null : out.error.message);
    }
  };

  return (
    <div className="rules-layout">
      <form
        className="rules-editor"
        aria-label={`Rules of ${collection.name}`}
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        noValidate
      >
        {RULE_OPS.map((op) => (
          <RuleRow
            key={op}
            op={op}
            draft={drafts[op]}
            error={errors[`rules.${op}`]}
            fields={collection.fields}
            onChange={(d) => set(op, d)}
          />
        ))}
        <FormError>{formError}</FormError>
        <SaveActions
          dirty={dirty}
          busy={busy}
          saveLabel="Save rules"
          onDiscard={() => {
            setDrafts(toRuleDrafts(collection.rules));
            setErrors({});
          }}
        />
      </form>
      <DryRun collection={collection} drafts={drafts} dirty={dirty} />
    </div>
  );
}

function RuleRow({
  op,
  draft,
  error,
  fields,
  onChange,
}: {
  op: RuleOp;
  draft: RuleDraft;
  error?: string;
  fields: CollectionListItem['fields'];
  onChange: (d: RuleDraft) => void;
}) {
  const id = useId();
  const { title, what } = OP_TEXT[op];
  return (
    <fieldset className="rule-row" data-testid={`rule-${op}`}>
      <legend>
        <strong>{title}</strong> <span className="muted">— who may {what}</span>
      </legend>
      <div className="choice" role="radiogroup" aria-label={`${title} rule`}>
        {MODES.map((m) => (
          <label key={m.value} className="choice-item">
            <input
              type="radio"
              name={`${id}-mode`}
              value={m.value}
              checked={draft.mode === m.value}
              onChange={() =>
                onChange({
                  mode: m.value,
                  text: m.value === 'filter' && !draft.text ? '{\n  \n}' : draft.text,
                })
              }
            />
            <span>{m.label}</span>
          </label>
        ))}
      </div>
      <p className="field-hint">{MODE_HINT[draft.mode]}</p>
      {draft.mode === 'filter' && (
        <FilterEditor
          value={draft.text}
          onChange={(text) => onChange({ ...draft, text })}
          fields={fields}
          label={`${title} rule filter`}
          describedBy={error ? `${id}-error` : undefined}
          invalid={!!error}
          testId={`rule-${op}-filter`}
        />
      )}
      {error && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {error}
        </p>
      )}
    </fieldset>
  );
}
