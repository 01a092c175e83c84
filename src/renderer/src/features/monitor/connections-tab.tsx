/** The Connections tab: search, the live table (sort in the URL) and the open connection's panel. */
import { Cable } from 'lucide-react';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { SearchInput } from '../../ui/search-input';
import { EmptyState } from '../../ui/states';
import { ConnectionDetail } from './connection-detail';
import { ConnectionTable } from './connection-table';
import { live } from './live-data';

export function ConnectionsTab({ query }: { query: Record<string, string> }) {
  useAppStore((s) => s.monitor.connectionsVersion);
  const status = useAppStore((s) => s.monitor.feed.status);
  const sort = query.sort ?? '-connected_at';
  const open = query.conn ?? null;
  const total = live.connections.size;
  return (
    <div className="mon-split">
      <div className="mon-main">
        <div className="mon-toolbar">
          <SearchInput
            label="Search connections"
            value={query.cq ?? ''}
            onChange={(v) => setQuery({ cq: v })}
          />
          <span className="mon-total mon-toolbar-end" data-testid="connection-total">
            {total.toLocaleString()} connection{total === 1 ? '' : 's'}
          </span>
        </div>
        {total === 0 ? (
          <EmptyState icon={<Cable size={28} aria-hidden="true" />} title="No connections">
            {status === 'live'
              ? 'Open a client — or the Playground tab — and it shows here the moment it connects.'
              : 'Connecting to the monitor feed…'}
          </EmptyState>
        ) : (
          <ConnectionTable
            sort={sort}
            search={query.cq ?? ''}
            onSort={(key) => setQuery({ sort: sort === key ? `-${key}` : key })}
            openId={open}
            onOpen={(id) => setQuery({ conn: id })}
          />
        )}
      </div>
      {open && <ConnectionDetail key={open} id={open} onClose={() => setQuery({ conn: undefined })} />}
    </div>
  );
}
