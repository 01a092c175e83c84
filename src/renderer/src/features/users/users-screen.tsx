/** Users: who may sign in, with which role, in which account. */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Plus, Users as UsersIcon } from 'lucide-react';
import type { User } from '../../../../shared/admin';
import { formatDate, formatDateTime } from '../../lib/format';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { Badge, PageHeader } from '../../ui/page';
import { EmptyState, ListBody } from '../../ui/states';
import { DataTable, type Column } from '../../ui/table';
import { SearchInput } from '../../ui/search-input';
import { loadUsers } from './actions';
import { UserDialog } from './user-dialog';

const columns: Column<User>[] = [
  {
    key: 'email',
    header: 'Email',
    width: '38%',
    cell: (u) => (
      <span className="cell-main">
        {u.email} {u.superuser && <Badge tone="accent">owner</Badge>}
      </span>
    ),
  },
  {
    key: 'role',
    header: 'Role',
    cell: (u) => <Badge tone={u.role === 'admin' ? 'ok' : 'neutral'}>{u.role}</Badge>,
  },
  { key: 'account', header: 'Account', cell: (u) => <code>{u.account}</code> },
  {
    key: 'created',
    header: 'Created',
    cell: (u) => (
      <span className="muted" title={formatDateTime(u.created_at)}>
        {formatDate(u.created_at)}
      </span>
    ),
  },
];

export function UsersScreen() {
  const list = useAppStore((s) => s.users.list);
  const { q, open } = useAppStore(
    useShallow((s) => ({ q: s.route.query.q ?? '', open: s.route.query.user })),
  );
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    void loadUsers();
  }, []);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = list.data ?? [];
    return needle
      ? all.filter((u) => `${u.email} ${u.role} ${u.account}`.toLowerCase().includes(needle))
      : all;
  }, [list.data, q]);
  const editing = open ? list.data?.find((u) => u.id === open) : undefined;

  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to the console or the API. Enter opens a user."
        actions={
          <Button
            variant="primary"
            icon={<Plus size={16} aria-hidden="true" />}
            onClick={() => setCreating(true)}
          >
            New user
          </Button>
        }
      />
      <div className="toolbar">
        <SearchInput label="Search users" value={q} onChange={(v) => setQuery({ q: v })} />
        {list.status === 'loading' && list.data && <span className="muted">Refreshing…</span>}
      </div>
      <ListBody
        list={list}
        what="users"
        onRetry={() => void loadUsers()}
        empty={
          <EmptyState icon={<UsersIcon size={28} aria-hidden="true" />} title="No users yet">
            Create one for each person who edits content.
          </EmptyState>
        }
        search={{ matches: rows.length, noMatch: `No user matches “${q}”` }}
      >
        {() => (
          <DataTable
            label="Users"
            columns={columns}
            rows={rows}
            rowKey={(u) => u.id}
            rowLabel={(u) => u.email}
            onOpen={(u) => setQuery({ user: u.id })}
          />
        )}
      </ListBody>
      <UserDialog open={creating} onClose={() => setCreating(false)} />
      <UserDialog open={!!editing} user={editing} onClose={() => setQuery({ user: undefined })} />
    </>
  );
}
