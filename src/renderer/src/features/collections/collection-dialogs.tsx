/**
 * Create a collection (a name; fields come in the schema editor), rename one, and delete one after a
 * confirmation that names it and says how many records go with it.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { checkCollection } from '../../../../shared/collection-validation';
import type { CollectionListItem } from '../../../../shared/admin';
import { collectionHref } from '../../lib/router';
import type { ResourceError } from '../../store/resource';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { Dialog } from '../../ui/dialog';
import { FormError, TextField } from '../../ui/field';
import { createCollection, deleteCollection, updateCollection } from './actions';

const NAME_HINT = 'Lower-case letters, digits and _, starting with a letter, e.g. menu_items.';

/** The client-side check of a name, with the server's words. */
function nameError(name: string): string | undefined {
  return checkCollection({ name }, 'update').errors.name;
}

/** A dialog asking for a collection name: creates one, or renames `collection`. */
export function CollectionNameDialog({
  open,
  collection,
  onClose,
}: {
  open: boolean;
  collection?: CollectionListItem;
  onClose: () => void;
}) {
  const [name, setName] = useState('');
  const [error, setError] = useState<ResourceError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    setName(collection?.name ?? '');
    setError(null);
  }, [open, collection]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const next = name.trim();
    const bad = nameError(next);
    if (bad) return setError({ message: bad, code: 'validation_failed', status: 0, fields: { name: bad } });
    if (collection && next === collection.name) return onClose();
    setBusy(true);
    const r = collection
      ? await updateCollection(collection.name, { name: next }, `Collection renamed to ${next}.`)
      : await createCollection({ name: next, fields: [] });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    onClose();
    if (!collection) location.hash = collectionHref(r.value.name, { tab: 'schema' });
  };

  const fieldError = error?.fields?.name ?? (error?.code === 'conflict' ? error.message : undefined);
  const formId = collection ? 'collection-rename-form' : 'collection-create-form';
  return (
    <Dialog
      open={open}
      title={collection ? `Rename ${collection.name}` : 'New collection'}
      onClose={onClose}
      testId="collection-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form={formId} variant="primary" busy={busy}>
            {collection ? 'Rename' : 'Create collection'}
          </Button>
        </>
      }
    >
      <form id={formId} className="form" onSubmit={(e) => void onSubmit(e)} noValidate>
        <TextField
          label="Name"
          value={name}
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => setName(e.target.value)}
          error={fieldError}
          hint={
            collection
              ? 'Apps and displays that use the old name stop finding it; relations follow the rename.'
              : NAME_HINT
          }
        />
        <FormError>{error && !fieldError ? error.message : null}</FormError>
      </form>
    </Dialog>
  );
}

/** "N records" in words. */
export function recordsPhrase(count: number | null | undefined): string {
  if (count === null || count === undefined) return 'all of its records';
  if (count === 0) return 'no records';
  return `${count.toLocaleString()} record${count === 1 ? '' : 's'}`;
}

/** Asks before dropping a collection; names it and how many records go. */
export function DeleteCollectionDialog({
  collection,
  onClose,
}: {
  collection?: CollectionListItem;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={!!collection}
      title={`Delete ${collection?.name ?? ''}?`}
      confirmLabel="Delete collection"
      consequence={
        collection && (
          <p data-testid="delete-consequence">
            The collection <strong>{collection.name}</strong> and{' '}
            {collection.count ? (
              <>
                its <strong>{recordsPhrase(collection.count)}</strong>
              </>
            ) : (
              recordsPhrase(collection.count)
            )}{' '}
            will be deleted, with its schema and rules. Displays subscribed to it stop receiving updates. This
            cannot be undone.
          </p>
        )
      }
      onConfirm={async () => {
        const r = await deleteCollection(collection!.name);
        return r.ok ? null : r.error.message;
      }}
      onClose={onClose}
    />
  );
}
