/**
 * The rule dry run: pick who (a user of the account, an API key, or nobody), an operation and a record,
 * press Check — the server answers allowed or denied and which step or filter clause decided. It checks the
 * rule being edited when it differs from the saved one (sent as `expression`).
 */
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { CheckCircle2, FlaskConical, XCircle } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type {
  CollectionListItem,
  RuleCheckAs,
  RuleCheckResult,
  RuleDecisionKind,
} from '../../../../shared/admin';
import { RULE_OPS, type RecordData, type RuleOp } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import type { ResourceError } from '../../store/resource';
import { Button } from '../../ui/button';
import { FormError, SelectField, TextField } from '../../ui/field';
import { Card } from '../../ui/page';
import { filterFieldTypes } from '../../ui/filter-language';
import { checkRule, loadPrincipals, recentRecords } from './actions';
import { fromRuleDraft, type RuleDrafts } from './rules-model';

type Who = 'user' | 'key' | 'anonymous';

/** What each deciding step means, in words. */
export const DECIDED_BY: Record<RuleDecisionKind, string> = {
  scope: 'the API key is limited to other collections',
  role: 'viewers never write',
  account: 'the record belongs to another account',
  superuser: 'the owner passes every rule',
  admin: 'admins pass every rule of their account',
  public: 'the rule is public',
  auth: 'the rule asks for a signed-in caller',
  filter: 'a clause of the rule’s filter',
};

function recordLabel(r: RecordData): string {
  const text = Object.entries(r).find(
    ([k, v]) => !['id', 'created_at', 'updated_at', 'account'].includes(k) && typeof v === 'string' && v,
  );
  return text ? `${r.id} · ${String(text[1]).slice(0, 40)}` : r.id;
}

export function DryRun({
  collection,
  drafts,
  dirty,
}: {
  collection: CollectionListItem;
  drafts: RuleDrafts;
  dirty: boolean;
}) {
  const principals = useAppStore(useShallow((s) => s.collections.principals));
  const [who, setWho] = useState<Who>('user');
  const [search, setSearch] = useState('');
  const [userId, setUserId] = useState('');
  const [keyId, setKeyId] = useState('');
  const [op, setOp] = useState<RuleOp>('update');
  const [recordId, setRecordId] = useState('');
  const [recent, setRecent] = useState<RecordData[]>([]);
  const [useDraft, setUseDraft] = useState(true);
  const [result, setResult] = useState<RuleCheckResult | null>(null);
  const [error, setError] = useState<ResourceError | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    void loadPrincipals();
    recentRecords(collection.name).then(setRecent, () => setRecent([]));
  }, [collection.name]);

  const users = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const all = principals.data?.users ?? [];
    return needle
      ? all.filter((u) => `${u.email} ${u.role} ${u.account}`.toLowerCase().includes(needle))
      : all;
  }, [principals.data, search]);
  const keys = principals.data?.keys ?? [];
  const chosenUser = userId && users.some((u) => u.id === userId) ? userId : (users[0]?.id ?? '');
  const chosenKey = keyId || (keys[0]?.id ?? '');

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let as: RuleCheckAs;
    if (who === 'anonymous') as = { anonymous: true };
    else if (who === 'user') {
      if (!chosenUser) return setError({ message: 'Choose a user.', code: 'error', status: 0 });
      as = { user_id: chosenUser };
    } else {
      if (!chosenKey) return setError({ message: 'Choose an API key.', code: 'error', status: 0 });
      as = { key_id: chosenKey };
    }
    let expression;
    if (useDraft && dirty) {
      const r = fromRuleDraft(drafts[op], filterFieldTypes(collection.fields));
      if ('error' in r)
        return setError({ message: `The ${op} rule being edited: ${r.error}`, code: 'error', status: 0 });
      expression = r.rule;
    }
    setBusy(true);
    const r = await checkRule(collection.name, {
      rule: op,
      as,
      ...(expression !== undefined ? { expression } : {}),
      ...(recordId.trim() ? { record_id: recordId.trim() } : {}),
    });
    setBusy(false);
    if (r.ok) setResult(r.value);
    else {
      setResult(null);
      setError(r.error);
    }
  };

  return (
    <Card title="Dry run" className="dry-run" testId="dry-run">
      <p className="muted">Would this caller be allowed? Nothing is written.</p>
      <form className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <fieldset className="field">
          <legend>Check as</legend>
          <div className="choice" role="radiogroup" aria-label="Check as">
            {(['user', 'key', 'anonymous'] as const).map((w) => (
              <label key={w} className="choice-item">
                <input type="radio" name={`${id}-who`} checked={who === w} onChange={() => setWho(w)} />
                <span>{w === 'user' ? 'User' : w === 'key' ? 'API key' : 'Anonymous'}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {who === 'user' && (
          <div className="field">
            <TextField
              label="Find a user"
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              autoComplete="off"
            />
            <label htmlFor={`${id}-user`} className="sr-only">
              User
            </label>
            <select
              id={`${id}-user`}
              size={Math.min(5, Math.max(2, users.length))}
              className="listbox"
              value={chosenUser}
              onChange={(e) => setUserId(e.target.value)}
              data-testid="dry-run-user"
            >
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.email} · {u.role}
                  {u.superuser ? ' (owner)' : ''}
                </option>
              ))}
            </select>
            {principals.status === 'ready' && users.length === 0 && (
              <p className="field-hint">No user matches.</p>
            )}
          </div>
        )}
        {who === 'key' && (
          <SelectField
            label="API key"
            value={chosenKey}
            onChange={(e) => setKeyId(e.target.value)}
            options={
              keys.length
                ? keys.map((k) => ({ value: k.id, label: `${k.name} · ${k.role}` }))
                : [{ value: '', label: 'No API keys yet' }]
            }
          />
        )}
        <div className="form-row">
          <SelectField
            label="Operation"
            value={op}
            onChange={(e) => setOp(e.target.value as RuleOp)}
            options={RULE_OPS.map((o) => ({ value: o, label: o }))}
          />
          <SelectField
            label="Recent record"
            value={recent.some((r) => r.id === recordId) ? recordId : ''}
            onChange={(e) => setRecordId(e.target.value)}
            options={[
              { value: '', label: recent.length ? 'Pick one…' : 'No records yet' },
              ...recent.map((r) => ({ value: r.id, label: recordLabel(r) })),
            ]}
          />
        </div>
        <TextField
          label="Record id"
          value={recordId}
          onChange={(e) => setRecordId(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          error={error?.fields?.record_id}
          hint="Leave empty to ask about the rule alone (a filter then says how many records it matches)."
        />
        {dirty && (
          <label className="checkbox">
            <input type="checkbox" checked={useDraft} onChange={(e) => setUseDraft(e.target.checked)} />
            Check the unsaved {op} rule being edited
          </label>
        )}
        <FormError>{error && !error.fields?.record_id ? error.message : null}</FormError>
        <div>
          <Button
            type="submit"
            variant="primary"
            icon={<FlaskConical size={16} aria-hidden="true" />}
            busy={busy}
          >
            Check
          </Button>
        </div>
      </form>
      <div aria-live="polite">{result && <Verdict result={result} />}</div>
    </Card>
  );
}

function Verdict({ result }: { result: RuleCheckResult }) {
  const { allowed, decided_by: by } = result;
  return (
    <div
      className={`verdict ${allowed ? 'verdict-ok' : 'verdict-bad'}`}
      data-testid="dry-run-result"
      data-allowed={allowed}
    >
      <p className="verdict-head">
        {allowed ? <CheckCircle2 size={18} aria-hidden="true" /> : <XCircle size={18} aria-hidden="true" />}
        <strong>{allowed ? 'Allowed' : 'Denied'}</strong>
        <span className="muted">
          by <code>{by.kind}</code> — {DECIDED_BY[by.kind] ?? by.kind}
        </span>
      </p>
      <p>{result.reason}</p>
      {by.clause && (
        <dl className="facts verdict-clause" data-testid="dry-run-clause">
          <dt>Clause</dt>
          <dd>
            <code>{JSON.stringify(by.clause.expression)}</code> is <strong>{String(by.clause.value)}</strong>
          </dd>
          {'id' in result.as && (
            <>
              <dt>Caller</dt>
              <dd>
                {result.as.kind} <code>{result.as.id}</code> ({result.as.role}, {result.as.account})
              </dd>
            </>
          )}
          {'actual' in by.clause && (
            <>
              <dt>Record has</dt>
              <dd>
                <code>{JSON.stringify(by.clause.actual ?? null)}</code>
              </dd>
            </>
          )}
          {by.path ? (
            <>
              <dt>Where</dt>
              <dd>
                <code>{by.path}</code>
              </dd>
            </>
          ) : null}
        </dl>
      )}
    </div>
  );
}
