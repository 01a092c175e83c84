/**
 * Shown while rows are checked: how many, "select all N matching this filter", bulk delete and bulk edit
 * of one field, each through the filter-based bulk endpoints and after a confirmation that says how many.
 */
import { useState } from 'react';
import { Pencil, Trash2 } from 'lucide-react';
import type { Collection } from '../../../../shared/schema';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { Dialog } from '../../ui/dialog';
import { FormError, SelectField } from '../../ui/field';
import { bulkDelete, bulkUpdate, selectionFilters, setSelection } from './actions';
import { FieldInput } from './field-input';
import { formBody, toDraft } from './record-form';
import { emptySelection } from './slice';

const plural = (n: number) => `${n.toLocaleString()} record${n === 1 ? '' : 's'}`;

export function BulkBar({
  collection,
  filter,
  total,
}: {
  collection: Collection;
  filter: Record<string, unknown> | undefined;
  total: number;
}) {
  const selection = useAppStore((s) => s.records.selection);
  const [deleting, setDeleting] = useState(false);
  const [editing, setEditing] = useState(false);
  const count = selection.all ? total : selection.ids.size;
  if (!count) return null;
  const filters = selectionFilters(selection, filter);
  return (
    <div className="mode-bar" role="region" aria-label="Selected records" data-testid="bulk-bar">
      <strong>{plural(count)} selected</strong>
      {!selection.all && count < total && (
        <Button
          size="sm"
          variant="ghost"
          onClick={() => setSelection({ ids: new Set(), all: true, anchor: null })}
        >
          Select all {total.toLocaleString()} matching {filter ? 'this filter' : 'records'}
        </Button>
      )}
      <Button size="sm" variant="ghost" onClick={() => setSelection(emptySelection)}>
        Clear
      </Button>
      <span className="rv-bulk-actions">
        <Button size="sm" icon={<Pencil size={15} aria-hidden="true" />} onClick={() => setEditing(true)}>
          Edit a field
        </Button>
        <Button
          size="sm"
          variant="danger"
          icon={<Trash2 size={15} aria-hidden="true" />}
          onClick={() => setDeleting(true)}
        >
          Delete
        </Button>
      </span>
      <ConfirmDialog
        open={deleting}
        title={`Delete ${plural(count)}?`}
        confirmLabel={`Delete ${plural(count)}`}
        consequence={
          <p>
            {selection.all ? (
              <>
                Every record of <strong>{collection.name}</strong>
                {filter ? ' that matches the filter' : ''} — <strong>{plural(count)}</strong> now — will be
                deleted.
              </>
            ) : (
              <>
                <strong>{plural(count)}</strong> of <strong>{collection.name}</strong> will be deleted.
              </>
            )}{' '}
            Displays showing them stop showing them. This cannot be undone.
          </p>
        }
        onConfirm={async () => {
          const r = await bulkDelete(collection.name, filters);
          return r.ok ? null : r.error.message;
        }}
        onClose={() => setDeleting(false)}
      />
      {editing && (
        <BulkEditDialog
          collection={collection}
          count={count}
          onApply={(fields) => bulkUpdate(collection.name, filters, fields)}
          onClose={() => setEditing(false)}
        />
      )}
    </div>
  );
}

function BulkEditDialog({
  collection,
  count,
  onApply,
  onClose,
}: {
  collection: Collection;
  count: number;
  onApply: (
    fields: Record<string, unknown>,
  ) => Promise<
    { ok: true; value: number } | { ok: false; error: { message: string; fields?: Record<string, string> } }
  >;
  onClose: () => void;
}) {
  const fields = collection.fields;
  const [name, setName] = useState(fields[0]?.name ?? '');
  const field = fields.find((f) => f.name === name);
  const [draft, setDraft] = useState(() => toDraft(fields));
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const apply = async () => {
    if (!field) return;
    const { body, errors } = formBody(
      [field],
      { [field.name]: draft[field.name] ?? '' },
      { id: '', created_at: '', updated_at: '' },
    );
    const value = field.name in body ? body[field.name] : null;
    if (errors[field.name]) {
      setFieldError(errors[field.name]);
      return;
    }
    setBusy(true);
    const r = await onApply({ [field.name]: value });
    setBusy(false);
    if (r.ok) onClose();
    else {
      setFieldError(r.error.fields?.[field.name]);
      setError(r.error.fields?.[field.name] ? null : r.error.message);
    }
  };
  return (
    <Dialog
      open
      title={`Edit ${plural(count)}`}
      onClose={onClose}
      testId="bulk-edit-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" busy={busy} onClick={() => void apply()} disabled={!field}>
            Set on {plural(count)}
          </Button>
        </>
      }
    >
      <div className="form">
        <SelectField
          label="Field"
          options={fields.map((f) => ({ value: f.name, label: `${f.name} (${f.type})` }))}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
            setFieldError(undefined);
          }}
        />
        {field && (
          <FieldInput
            field={field}
            value={draft[field.name] ?? ''}
            error={fieldError}
            onChange={(v) => {
              setDraft((d) => ({ ...d, [field.name]: v }));
              setFieldError(undefined);
            }}
          />
        )}
        <p className="muted">
          Every selected record gets this value for <code>{name}</code>; their other fields stay as they are.
        </p>
        <FormError>{error}</FormError>
      </div>
    </Dialog>
  );
}
