/**
 * The Schema tab: a collection's fields as an ordered list to edit — add, rename (the server keeps the
 * values: `previous_name`), reorder (drag or Alt+↑/↓ or the arrow buttons), drop (asks first when the
 * fields hold data, and says how much). Checked on the client with the server's own validation, then saved
 * with one PATCH; the server's messages land on the field they name (`fields.2.name`).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Plus } from 'lucide-react';
import type { CollectionListItem } from '../../../../shared/admin';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { FormError } from '../../ui/field';
import { SaveActions } from '../../ui/save-actions';
import { EmptyState } from '../../ui/states';
import { useShallow } from 'zustand/react/shallow';
import { countValues, updateCollection } from './actions';
import { FieldRow } from './field-row';
import {
  droppedFields,
  fieldErrorsAt,
  isDirty,
  move,
  newDraft,
  schemaPatch,
  toDraft,
  validateDrafts,
  type DraftField,
} from './schema-model';

interface DropConfirm {
  fields: { name: string; count: number | null }[];
}

export function SchemaEditor({ collection }: { collection: CollectionListItem }) {
  const names = useAppStore(useShallow((s) => (s.collections.list.data ?? []).map((c) => c.name)));
  const [drafts, setDrafts] = useState<DraftField[]>(() => collection.fields.map(toDraft));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dragging, setDragging] = useState<number | null>(null);
  const [confirm, setConfirm] = useState<DropConfirm | null>(null);
  const dirty = useMemo(() => isDirty(collection.fields, drafts), [collection.fields, drafts]);
  // The schema changed elsewhere (another admin, a rename): follow it unless there are edits here.
  const shown = useRef(collection.fields);
  useEffect(() => {
    if (shown.current === collection.fields) return;
    const prev = shown.current;
    shown.current = collection.fields;
    setDrafts((d) => (isDirty(prev, d) ? d : collection.fields.map(toDraft)));
  }, [collection.fields]);

  const edit = (next: DraftField[], keepErrors = false) => {
    setDrafts(next);
    if (!keepErrors) setErrors({});
    setFormError(null);
  };
  const moveField = (from: number, to: number) => {
    if (to < 0 || to >= drafts.length) return;
    edit(move(drafts, from, to));
    // Keep focus on the moved field's handle for the next keyboard move.
    requestAnimationFrame(() =>
      document.querySelector<HTMLElement>(`[data-testid="field-row-${to}"] .drag-handle`)?.focus(),
    );
  };
  const add = () => {
    edit([...drafts, newDraft(drafts)]);
    requestAnimationFrame(() =>
      document.querySelector<HTMLInputElement>(`[data-testid="field-row-${drafts.length}"] input`)?.select(),
    );
  };

  const send = async () => {
    setBusy(true);
    const r = await updateCollection(
      collection.name,
      schemaPatch(drafts),
      `Schema of ${collection.name} saved.`,
    );
    setBusy(false);
    if (r.ok) {
      setDrafts(r.value.fields.map(toDraft));
      setErrors({});
      return null;
    }
    // A conflict names the field itself (`{title: 'records without a value'}`): put it on that field.
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.error.fields ?? {})) {
      const i = drafts.findIndex((d) => d.name.trim() === k);
      fields[i === -1 ? k : `fields.${i}`] = i === -1 ? v : `${r.error.message}`;
    }
    setErrors(fields);
    const onAField = Object.keys(fields).some((k) => k.startsWith('fields.'));
    setFormError(onAField ? 'The server refused some fields; see the messages below.' : r.error.message);
    return r.error.message;
  };

  const save = async () => {
    const local = validateDrafts(drafts, names);
    if (Object.keys(local).length) {
      setErrors(local);
      setFormError(local.fields ?? 'Fix the highlighted fields, then save again.');
      requestAnimationFrame(() =>
        document.querySelector<HTMLElement>('.schema-editor [aria-invalid="true"]')?.focus(),
      );
      return;
    }
    const dropped = droppedFields(collection.fields, drafts);
    if (dropped.length && collection.count !== 0) {
      setBusy(true);
      const counts = await countValues(collection.name, dropped);
      setBusy(false);
      const withData = dropped.map((name) => ({ name, count: counts[name] ?? null }));
      if (withData.some((f) => f.count !== 0)) return setConfirm({ fields: withData });
    }
    await send();
  };

  return (
    <form
      className="schema-editor"
      aria-label={`Schema of ${collection.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
      noValidate
    >
      {drafts.length === 0 ? (
        <EmptyState title="No fields yet">
          Every record already has <code>id</code>, <code>created_at</code>, <code>updated_at</code> and{' '}
          <code>account</code>. Add the fields your displays show: a title, a price, a status.
        </EmptyState>
      ) : (
        <ol className="field-rows" aria-label="Fields">
          {drafts.map((d, i) => (
            <FieldRow
              key={d.key}
              draft={d}
              index={i}
              total={drafts.length}
              errors={fieldErrorsAt(errors, i)}
              collections={names}
              onChange={(next) =>
                edit(
                  drafts.map((x) => (x.key === d.key ? next : x)),
                  true,
                )
              }
              onMove={(to) => moveField(i, to)}
              onRemove={() => edit(drafts.filter((x) => x.key !== d.key))}
              dragging={dragging}
              onDragStart={() => setDragging(i)}
              onDragEnd={() => setDragging(null)}
              onDrop={() => {
                if (dragging !== null) moveField(dragging, i);
                setDragging(null);
              }}
            />
          ))}
        </ol>
      )}
      <FormError>{formError}</FormError>
      <SaveActions
        dirty={dirty}
        busy={busy}
        saveLabel="Save schema"
        onDiscard={() => edit(collection.fields.map(toDraft))}
      >
        <Button icon={<Plus size={16} aria-hidden="true" />} onClick={add}>
          Add field
        </Button>
      </SaveActions>
      <ConfirmDialog
        open={!!confirm}
        title={`Drop ${confirm?.fields.length === 1 ? 'a field' : `${confirm?.fields.length} fields`} with data?`}
        confirmLabel={confirm?.fields.length === 1 ? 'Drop field and save' : 'Drop fields and save'}
        consequence={
          <>
            <p>Saving deletes these fields and their values. This cannot be undone.</p>
            <ul className="drop-list" data-testid="drop-list">
              {confirm?.fields.map((f) => (
                <li key={f.name}>
                  <code>{f.name}</code>:{' '}
                  {f.count === null
                    ? 'holds values in records you cannot count'
                    : `values in ${f.count.toLocaleString()} record${f.count === 1 ? '' : 's'}`}
                </li>
              ))}
            </ul>
          </>
        }
        onConfirm={send}
        onClose={() => setConfirm(null)}
      />
    </form>
  );
}
