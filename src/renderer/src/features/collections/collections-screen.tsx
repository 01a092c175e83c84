/** The collections overview: each collection with its record and field counts; create, rename, delete. */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Database, Pencil, Plus, Trash2 } from 'lucide-react';
import type { CollectionListItem } from '../../../../shared/admin';
import { collectionHref } from '../../lib/router';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { PageHeader } from '../../ui/page';
import { SearchInput } from '../../ui/search-input';
import { EmptyState, ListBody } from '../../ui/states';
import { loadCollections } from './actions';
import { CollectionNameDialog, DeleteCollectionDialog } from './collection-dialogs';

export function CollectionsScreen() {
  const { status, data, error } = useAppStore(useShallow((s) => s.collections.list));
  const q = useAppStore((s) => s.route.query.q ?? '');
  const [creating, setCreating] = useState(false);
  const [renaming, setRenaming] = useState<CollectionListItem>();
  const [deleting, setDeleting] = useState<CollectionListItem>();

  useEffect(() => {
    // Counts change with every write; read them fresh when the overview opens.
    void loadCollections();
  }, []);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    return (data ?? []).filter((c) => !needle || c.name.includes(needle));
  }, [data, q]);

  const newButton = (
    <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
      New collection
    </Button>
  );

  const list = (
    <ul className="collection-list" aria-label="Collections">
      {rows.map((c) => (
        <li key={c.name} className="collection-item" data-testid={`collection-${c.name}`}>
          <a href={collectionHref(c.name)} className="collection-link">
            <Database size={16} aria-hidden="true" />
            <strong>{c.name}</strong>
          </a>
          <span className="collection-meta" data-testid="collection-count">
            {c.count === null || c.count === undefined
              ? 'records hidden by the list rule'
              : `${c.count.toLocaleString()} record${c.count === 1 ? '' : 's'}`}
          </span>
          <span className="collection-meta">
            {c.fields.length} field{c.fields.length === 1 ? '' : 's'}
          </span>
          <span className="collection-actions">
            <Button
              size="sm"
              variant="ghost"
              icon={<Pencil size={14} aria-hidden="true" />}
              aria-label={`Rename ${c.name}`}
              onClick={() => setRenaming(c)}
            >
              Rename
            </Button>
            <Button
              size="sm"
              variant="ghost"
              className="btn-danger-text"
              icon={<Trash2 size={14} aria-hidden="true" />}
              aria-label={`Delete ${c.name}`}
              onClick={() => setDeleting(c)}
            >
              Delete
            </Button>
          </span>
        </li>
      ))}
    </ul>
  );

  return (
    <>
      <PageHeader title="Collections" description="Your content, by collection." actions={newButton} />
      {data && data.length > 0 && (
        <div className="toolbar">
          <SearchInput label="Search collections" value={q} onChange={(v) => setQuery({ q: v })} />
          {status === 'loading' && <span className="muted">Refreshing…</span>}
        </div>
      )}
      <ListBody
        list={{ status, data, error }}
        what="collections"
        onRetry={() => void loadCollections()}
        empty={
          <EmptyState
            icon={<Database size={28} aria-hidden="true" />}
            title="No collections yet"
            action={newButton}
          >
            A collection is a table of records your displays and apps subscribe to: a menu, a schedule, a
            playlist. Create one, then give it fields.
          </EmptyState>
        }
        search={{ matches: rows.length, noMatch: `No collection matches “${q}”` }}
      >
        {() => list}
      </ListBody>
      <CollectionNameDialog open={creating} onClose={() => setCreating(false)} />
      <CollectionNameDialog open={!!renaming} collection={renaming} onClose={() => setRenaming(undefined)} />
      <DeleteCollectionDialog collection={deleting} onClose={() => setDeleting(undefined)} />
    </>
  );
}
