/**
 * One collection: tabs Records | Schema | Rules, the tab in the URL (`?tab=schema`) so a link or a reload
 * keeps it. Records is the records feature's view; Schema and Rules are edited here. Rename and delete sit
 * in the header.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { Pencil, Trash2 } from 'lucide-react';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { PageHeader } from '../../ui/page';
import { EmptyState, LoadingState } from '../../ui/states';
import { TabStrip } from '../../ui/tabs';
import { RecordsView } from '../records/records-view';
import { CollectionNameDialog, DeleteCollectionDialog } from './collection-dialogs';
import { RulesEditor } from './rules-editor';
import { SchemaEditor } from './schema-editor';

const TABS = [
  { id: 'records', label: 'Records' },
  { id: 'schema', label: 'Schema' },
  { id: 'rules', label: 'Rules' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function CollectionScreen({ name }: { name: string }) {
  const collection = useAppStore((s) => s.collections.list.data?.find((c) => c.name === name));
  const loaded = useAppStore((s) => s.collections.list.data !== null);
  const rawTab = useAppStore((s) => s.route.query.tab);
  const tab: Tab = TABS.some((t) => t.id === rawTab) ? (rawTab as Tab) : 'records';
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  // Schema and Rules stay mounted once opened, so unsaved edits survive a look at another tab.
  const [visited, setVisited] = useState<ReadonlySet<Tab>>(() => new Set([tab]));
  useEffect(() => setVisited((v) => (v.has(tab) ? v : new Set(v).add(tab))), [tab]);

  if (!collection) {
    return loaded ? (
      <>
        <PageHeader title={name} />
        <EmptyState title={`There is no collection “${name}”`}>
          It may have been deleted or renamed. <a href="#/collections">See all collections</a>.
        </EmptyState>
      </>
    ) : (
      <LoadingState label={`Loading ${name}…`} />
    );
  }

  const select = (t: Tab) =>
    // Records keeps its own query (filter, sort, record); the other tabs need none of it.
    setQuery({ tab: t === 'records' ? undefined : t });
  const count = collection.count;
  return (
    <>
      <PageHeader
        title={collection.name}
        description={
          <>
            {count === null || count === undefined
              ? 'Records hidden by the list rule'
              : `${count.toLocaleString()} record${count === 1 ? '' : 's'}`}{' '}
            · {collection.fields.length} fields
          </>
        }
        actions={
          <>
            <Button icon={<Pencil size={16} aria-hidden="true" />} onClick={() => setRenaming(true)}>
              Rename
            </Button>
            <Button
              variant="ghost"
              className="btn-danger-text"
              icon={<Trash2 size={16} aria-hidden="true" />}
              onClick={() => setDeleting(true)}
            >
              Delete
            </Button>
          </>
        }
      />
      <TabStrip
        label={`${collection.name} sections`}
        tabs={TABS}
        value={tab}
        onSelect={select}
        idOf={(t) => `tab-${t}`}
        panelOf={(t) => `panel-${t}`}
      />
      <TabPanel id="records" tab={tab} mounted={false}>
        <RecordsView name={collection.name} />
      </TabPanel>
      <TabPanel id="schema" tab={tab} mounted={visited.has('schema')}>
        <SchemaEditor key={collection.name} collection={collection} />
      </TabPanel>
      <TabPanel id="rules" tab={tab} mounted={visited.has('rules')}>
        <RulesEditor key={collection.name} collection={collection} />
      </TabPanel>
      <CollectionNameDialog open={renaming} collection={collection} onClose={() => setRenaming(false)} />
      <DeleteCollectionDialog
        collection={deleting ? collection : undefined}
        onClose={() => setDeleting(false)}
      />
    </>
  );
}

/** A tab's panel: shown when its tab is chosen, kept (hidden) while `mounted` says so. */
function TabPanel({
  id,
  tab,
  mounted,
  children,
}: {
  id: Tab;
  tab: Tab;
  mounted: boolean;
  children: ReactNode;
}) {
  if (tab !== id && !mounted) return null;
  return (
    <div
      role="tabpanel"
      id={`panel-${id}`}
      aria-labelledby={`tab-${id}`}
      className="tab-panel"
      data-testid={`panel-${id}`}
      hidden={tab !== id}
    >
      {children}
    </div>
  );
}
