/** API keys: long-lived credentials for kiosks and scripts, optionally limited to some collections. */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { KeyRound, Plus } from 'lucide-react';
import type { ApiKey } from '../../../../shared/admin';
import { formatDateTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { Badge, PageHeader } from '../../ui/page';
import { SearchInput } from '../../ui/search-input';
import { EmptyState, ListBody } from '../../ui/states';
import { DataTable, type Column } from '../../ui/table';
import { loadKeys } from './actions';
import { CreateKeyDialog, DeleteKeyDialog } from './key-dialogs';

const columns: Column<ApiKey>[] = [
  { key: 'name', header: 'Name', width: '24%', cell: (k) => <span className="cell-main">{k.name}</span> },
  { key: 'prefix', header: 'Key', cell: (k) => <code>{k.prefix}…</code> },
  { key: 'role', header: 'Role', cell: (k) => <Badge>{k.role}</Badge> },
  { key: 'account', header: 'Account', cell: (k) => <code>{k.account}</code> },
  {
    key: 'collections',
    header: 'Collections',
    cell: (k) => (k.collections ? k.collections.join(', ') : <span className="muted">all</span>),
  },
  {
    key: 'used',
    header: 'Last used',
    cell: (k) => <span className="muted">{k.last_used_at ? formatDateTime(k.last_used_at) : 'never'}</span>,
  },
];

export function KeysScreen() {
  const list = useAppStore((s) => s.keys.list);
  const { q, open } = useAppStore(useShallow((s) => ({ q: s.route.query.q ?? '', open: s.route.query.key })));
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    void loadKeys();
  }, []);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = list.data ?? [];
    return needle
      ? all.filter((k) =>
          `${k.name} ${k.prefix} ${k.role} ${k.account} ${(k.collections ?? []).join(' ')}`
            .toLowerCase()
            .includes(needle),
        )
      : all;
  }, [list.data, q]);
  const selected = open ? list.data?.find((k) => k.id === open) : undefined;
  const newKey = (
    <Button variant="primary" icon={<Plus size={16} aria-hidden="true" />} onClick={() => setCreating(true)}>
      New key
    </Button>
  );

  return (
    <>
      <PageHeader
        title="API keys"
        description="Usable wherever a token is: ?token= or Authorization: Bearer. Enter opens a key."
        actions={newKey}
      />
      <div className="toolbar">
        <SearchInput label="Search keys" value={q} onChange={(v) => setQuery({ q: v })} />
      </div>
      <ListBody
        list={list}
        what="API keys"
        onRetry={() => void loadKeys()}
        empty={
          <EmptyState
            icon={<KeyRound size={28} aria-hidden="true" />}
            title="No API keys yet"
            action={newKey}
          >
            Give each kiosk or script its own key, limited to the collections it shows, so you can revoke one
            without touching the others.
          </EmptyState>
        }
        search={{ matches: rows.length, noMatch: `No key matches “${q}”` }}
      >
        {() => (
          <DataTable
            label="API keys"
            columns={columns}
            rows={rows}
            rowKey={(k) => k.id}
            rowLabel={(k) => k.name}
            onOpen={(k) => setQuery({ key: k.id })}
          />
        )}
      </ListBody>
      <CreateKeyDialog open={creating} onClose={() => setCreating(false)} />
      <DeleteKeyDialog apiKey={selected} onClose={() => setQuery({ key: undefined })} />
    </>
  );
}
