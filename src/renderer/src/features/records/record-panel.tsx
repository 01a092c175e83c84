/**
 * The record side panel: a form generated from the schema (or the raw JSON), create, save with If-Match,
 * delete with a confirmation. It is never overwritten: when the record changes elsewhere while it has
 * edits, it says so and shows the diff from the copy the form started from, flagging the fields the user
 * edited too; a save refused with 412 offers reload, or overwrite (the user's edits saved over the
 * current version, their other changes kept).
 */
import { useEffect, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { AlertTriangle, Trash2, X } from 'lucide-react';
import type { Collection, RecordData } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { DiffView } from '../../ui/diff-view';
import { FormError } from '../../ui/field';
import { Segmented } from '../../ui/segmented';
import { Spinner } from '../../ui/spinner';
import { clearRemote, createRecord, deleteRecord, loadRecord, saveRecord, setOpenRecord } from './actions';
import { cellText } from './cells';
import { FieldInput } from './field-input';
import { conflictingFields, formBody, localEdits, toDraft, withoutStamp, type Draft } from './record-form';

const VIEWS = [
  { value: 'form', content: 'Form' },
  { value: 'json', content: 'JSON' },
] as const;

interface Props {
  collection: Collection;
  /** The open record's id, or `new`. */
  id: string;
  onClose: () => void;
}

export function RecordPanel({ collection, id, onClose }: Props) {
  const creating = id === 'new';
  const fields = collection.fields;
  const [base, setBase] = useState<RecordData | null>(null);
  const [draft, setDraft] = useState<Draft>(() => toDraft(fields));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tab, setTab] = useState<'form' | 'json'>('form');
  const [conflict, setConflict] = useState<RecordData | null>(null);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const remote = useAppStore((s) => s.records.remote);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    setOpenRecord(creating ? null : id);
    setErrors({});
    setFormError(null);
    setConflict(null);
    setLoadError(null);
    if (creating) {
      setBase(null);
      setDraft(toDraft(fields));
      return;
    }
    let live = true;
    setBase(null);
    void loadRecord(collection.name, id).then((r) => {
      if (!live) return;
      if (r.ok) {
        setBase(r.value);
        setDraft(toDraft(fields, r.value));
      } else setLoadError(r.error.status === 404 ? 'This record no longer exists.' : r.error.message);
    });
    return () => {
      live = false;
      setOpenRecord(null);
    };
  }, [collection.name, id, creating, fields]);

  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('input, textarea, select')?.focus();
  }, [base, creating]);

  const dirty = creating || (base ? Object.keys(formBody(fields, draft, base).body).length > 0 : false);

  // A change from elsewhere: taken in silently when there are no edits; otherwise announced.
  const theirs =
    remote?.record && base && remote.record.updated_at !== base.updated_at ? remote.record : null;
  useEffect(() => {
    if (theirs && !dirty && !busy) {
      setBase(theirs);
      setDraft(toDraft(fields, theirs));
      clearRemote();
    }
  }, [theirs, dirty, busy, fields]);

  const adopt = (rec: RecordData) => {
    setBase(rec);
    setDraft(toDraft(fields, rec));
    setConflict(null);
    setErrors({});
    clearRemote();
  };

  /** Saves the edits made to `base`; `over` (the current version, after a 412) is what they go onto. */
  const save = async (over?: RecordData) => {
    const { body, errors: e } = formBody(fields, draft, creating ? undefined : base!);
    setErrors(e);
    setFormError(null);
    if (Object.keys(e).length) return;
    setBusy(true);
    if (creating) {
      const r = await createRecord(collection.name, body);
      setBusy(false);
      if (r.ok) onClose();
      else {
        setErrors(r.error.fields ?? {});
        if (!r.error.fields) setFormError(r.error.message);
      }
      return;
    }
    if (!Object.keys(body).length) {
      setBusy(false);
      onClose();
      return;
    }
    const r = await saveRecord(collection.name, over ?? base!, body);
    setBusy(false);
    if (!r.ok) {
      setErrors(r.error.fields ?? {});
      if (!r.error.fields) setFormError(r.error.message);
    } else if (!r.value.ok) {
      setConflict(r.value.current ?? null);
      if (!r.value.current) setFormError(r.value.message);
    } else {
      adopt(r.value.value);
      setConflict(null);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void save();
  };

  const title = creating ? 'New record' : `Record ${id}`;
  const announced = theirs && dirty && !busy && dismissed !== theirs.updated_at ? theirs : null;

  return (
    <aside
      ref={panel}
      className="rp"
      aria-label={title}
      data-testid="record-panel"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !confirming) {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <header className="rp-head">
        <h2>{title}</h2>
        <Segmented label="View" options={VIEWS} value={tab} onChange={setTab} />
        <button type="button" className="icon-btn" aria-label="Close the record (Esc)" onClick={onClose}>
          <X size={18} aria-hidden="true" />
        </button>
      </header>
      <div className="rp-body">
        {loadError && <p className="notice notice-bad">{loadError}</p>}
        {!creating && !base && !loadError && (
          <p className="muted">
            <Spinner /> Loading…
          </p>
        )}
        {remote?.deleted && !creating && (
          <div className="notice notice-bad" role="alert" data-testid="record-deleted-elsewhere">
            Someone deleted this record. Saving will fail; copy what you need.
          </div>
        )}
        {announced && (
          <ChangeNotice
            title="Someone changed this record while you were editing."
            base={base!}
            theirs={announced}
            edits={localEdits(fields, draft, base!)}
            testId="record-changed-elsewhere"
            actions={
              <>
                <Button size="sm" onClick={() => adopt(announced)}>
                  Load their version
                </Button>
                <Button size="sm" variant="ghost" onClick={() => setDismissed(announced.updated_at)}>
                  Keep editing mine
                </Button>
              </>
            }
          />
        )}
        {conflict && (
          <ChangeNotice
            title="Not saved: the record changed since you opened it."
            base={base!}
            theirs={conflict}
            edits={localEdits(fields, draft, base!)}
            hint="Overwrite saves the fields you changed onto their version; their other changes stay."
            testId="record-conflict"
            actions={
              <>
                <Button size="sm" onClick={() => adopt(conflict)}>
                  Reload (discard my changes)
                </Button>
                <Button size="sm" variant="danger" onClick={() => void save(conflict)}>
                  Overwrite with mine
                </Button>
              </>
            }
          />
        )}
        {tab === 'json' ? (
          <pre className="rp-raw" data-testid="record-json">
            {JSON.stringify(creating ? formBody(fields, draft, undefined).body : base, null, 2)}
          </pre>
        ) : (
          (creating || base) && (
            <form id="record-form" className="form" onSubmit={onSubmit} noValidate>
              {base && (
                <dl className="rp-meta">
                  <dt>id</dt>
                  <dd>
                    <code>{base.id}</code>
                  </dd>
                  <dt>created</dt>
                  <dd>{cellText('date', base.created_at)}</dd>
                  <dt>updated</dt>
                  <dd>{cellText('date', base.updated_at)}</dd>
                </dl>
              )}
              {fields.map((f) => (
                <FieldInput
                  key={f.name}
                  field={f}
                  value={draft[f.name] ?? ''}
                  error={errors[f.name]}
                  onChange={(v) => {
                    setDraft((d) => ({ ...d, [f.name]: v }));
                    if (errors[f.name]) setErrors(({ [f.name]: _, ...rest }) => rest);
                  }}
                />
              ))}
              {fields.length === 0 && <p className="muted">This collection has no fields yet.</p>}
              <FormError>
                {formError ??
                  (Object.keys(errors).filter((k) => !fields.some((f) => f.name === k)).length
                    ? Object.entries(errors)
                        .filter(([k]) => !fields.some((f) => f.name === k))
                        .map(([k, v]) => `${k}: ${v}`)
                        .join('; ')
                    : null)}
              </FormError>
            </form>
          )
        )}
      </div>
      <footer className="rp-foot">
        {base && (
          <Button
            variant="ghost"
            className="btn-danger-text push-start"
            icon={<Trash2 size={16} aria-hidden="true" />}
            onClick={() => setConfirming(true)}
          >
            Delete
          </Button>
        )}
        <Button onClick={onClose}>{dirty && !creating ? 'Discard' : 'Close'}</Button>
        <Button
          type="submit"
          form="record-form"
          variant="primary"
          busy={busy}
          disabled={tab !== 'form' || (!creating && !base)}
        >
          {creating ? 'Create' : 'Save'}
        </Button>
      </footer>
      {base && (
        <ConfirmDialog
          open={confirming}
          title="Delete this record?"
          confirmLabel="Delete record"
          consequence={
            <p>
              Record <code>{base.id}</code> of <strong>{collection.name}</strong> and its {fields.length}{' '}
              field values will be deleted. Displays showing it stop showing it. This cannot be undone.
            </p>
          }
          onConfirm={async () => {
            const r = await deleteRecord(collection.name, base);
            if (!r.ok) return r.error.message;
            if (!r.value.ok)
              return 'Someone changed this record since you opened it. Reload it before deleting.';
            onClose();
            return null;
          }}
          onClose={() => setConfirming(false)}
        />
      )}
    </aside>
  );
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : JSON.stringify(v).slice(0, 200));

/**
 * A notice showing how another version differs from the copy the form started from; the fields the user
 * edited too are flagged with their value (those are what an overwrite decides).
 */
function ChangeNotice({
  title,
  base,
  theirs,
  edits,
  actions,
  hint,
  testId,
}: {
  title: string;
  base: RecordData;
  theirs: RecordData;
  edits: Record<string, unknown>;
  actions: ReactNode;
  /** What the choices do, under them. */
  hint?: string;
  testId: string;
}) {
  const before = useMemo(() => withoutStamp(base), [base]);
  const after = useMemo(() => withoutStamp(theirs), [theirs]);
  const both = conflictingFields(base, theirs, edits);
  const flagged: Record<string, ReactNode> = {};
  for (const f of both)
    flagged[f] = (
      <>
        You changed it too: <code>{show(edits[f])}</code>
      </>
    );
  const mine = Object.keys(edits).length;
  return (
    <div className="rp-notice" data-testid={testId}>
      <div className="notice notice-wait rp-notice-head" role="alert">
        <AlertTriangle size={16} aria-hidden="true" />
        <div>
          <p className="rp-notice-title">{title}</p>
          <p className="rp-notice-sum" data-testid="record-change-summary">
            {both.length
              ? `You both changed ${both.join(', ')}.`
              : mine
                ? 'They did not touch the fields you changed.'
                : 'You have no edits.'}
          </p>
        </div>
      </div>
      <DiffView
        before={before}
        after={after}
        labels={{ before: 'When you opened it', after: 'Now' }}
        flagged={flagged}
        label="Changes made elsewhere"
      />
      <div className="rp-notice-actions">{actions}</div>
      {hint && <p className="field-hint rp-notice-hint">{hint}</p>}
    </div>
  );
}
