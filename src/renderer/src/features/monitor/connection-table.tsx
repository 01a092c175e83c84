/**
 * Every connection, live: a virtualized grid over the connections map (snapshot, then deltas applied once
 * per frame; only the rows in view render, a row re-renders only when its connection changed — including
 * its counters, patched by the once-a-second `connection.stats`). Sort by a header, arrows move, Enter opens.
 */
import { memo, useCallback, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { MonitorConnection } from '../../../../shared/monitor';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../store';
import { ago, bytes } from './format';
import { live } from './live-data';

const ROW_H = 32;

interface Col {
  key: string;
  header: string;
  value: (c: MonitorConnection) => string | number;
  num?: boolean;
}

export const COLUMNS: Col[] = [
  { key: 'id', header: 'ID', value: (c) => c.id },
  { key: 'who', header: 'User or key', value: who },
  { key: 'account', header: 'Account', value: (c) => c.account },
  { key: 'dialect', header: 'Dialect', value: (c) => c.dialect },
  { key: 'instance', header: 'Instance', value: (c) => c.instance },
  { key: 'remote', header: 'Address', value: (c) => c.remote },
  { key: 'connected_at', header: 'Connected', value: (c) => c.connected_at },
  { key: 'subs', header: 'Subs', value: (c) => c.subscriptions.length, num: true },
  { key: 'in', header: 'In', value: (c) => c.messages_in, num: true },
  { key: 'out', header: 'Out', value: (c) => c.messages_out, num: true },
  { key: 'bytes_in', header: 'Bytes in', value: (c) => c.bytes_in ?? 0, num: true },
  { key: 'bytes_out', header: 'Bytes out', value: (c) => c.bytes_out ?? 0, num: true },
  { key: 'buffered', header: 'Buffer', value: (c) => c.buffered ?? 0, num: true },
  { key: 'last_seen', header: 'Seen', value: (c) => c.last_seen ?? 0, num: true },
];

const BYTE_COLUMNS = new Set(['bytes_in', 'bytes_out', 'buffered']);

/** A cluster instance's id as the server makes it: `edge@127.0.0.1:8001`, `primary@[::1]:8000`. */
const INSTANCE_ID = /^(\w+)@(.+):(\d+)$/;

/**
 * Short names for instances, for a narrow column where `edge@127.0.0.1:…` would cut off what tells
 * two edges apart: the primary is `primary` (a cluster has one); an edge is its id without what all
 * edges share — `edge:8001` on one host, `edge@10.0.0.2` on one port. Other ids (`local`) stay.
 */
export function instanceLabels(ids: readonly string[]): Map<string, string> {
  const parsed = ids.map((id) => ({ id, m: INSTANCE_ID.exec(id) }));
  const edges = parsed.filter((p) => p.m?.[1] === 'edge').map((p) => p.m!);
  const oneHost = new Set(edges.map((m) => m[2])).size === 1;
  const onePort = new Set(edges.map((m) => m[3])).size === 1;
  const labels = new Map<string, string>();
  for (const { id, m } of parsed) {
    if (m?.[1] === 'primary') labels.set(id, 'primary');
    else if (m?.[1] === 'edge' && oneHost) labels.set(id, `edge:${m[3]}`);
    else if (m?.[1] === 'edge' && onePort) labels.set(id, `edge@${m[2]}`);
    else labels.set(id, id);
  }
  return labels;
}

/** One cell's text (bytes in B/KiB/MiB, times as `4s ago`, the instance by its short name); `now` in epoch ms. */
function cell(col: Col, c: MonitorConnection, now: number, instance: string) {
  if (col.key === 'instance') return <span title={c.instance}>{instance}</span>;
  if (col.key === 'connected_at')
    return <span title={c.connected_at}>{ago(Date.parse(c.connected_at), now)} ago</span>;
  if (col.key === 'last_seen') {
    if (c.last_seen === undefined) return '—';
    return <span title={new Date(c.last_seen).toISOString()}>{ago(c.last_seen, now)} ago</span>;
  }
  if (BYTE_COLUMNS.has(col.key)) {
    const n = col.value(c) as number;
    return <span title={`${n.toLocaleString()} bytes`}>{bytes(n)}</span>;
  }
  return col.value(c);
}

/** Who a connection is, in words. */
export function who(c: MonitorConnection): string {
  if (c.kind === 'key') return `key ${c.user_id ?? ''}`.trim();
  return c.email ?? c.user_id ?? 'anonymous';
}

/** The connections matching `search`, sorted by `sort` (`-key` descending). */
export function sortedConnections(
  all: Iterable<MonitorConnection>,
  sort: string,
  search: string,
): MonitorConnection[] {
  const desc = sort.startsWith('-');
  const col = COLUMNS.find((c) => c.key === sort.replace(/^-/, '')) ?? COLUMNS[6]!;
  const q = search.trim().toLowerCase();
  const rows: MonitorConnection[] = [];
  for (const c of all)
    if (
      !q ||
      [c.id, who(c), c.account, c.dialect, c.remote, c.instance].some((v) => v.toLowerCase().includes(q))
    )
      rows.push(c);
  const keyed = rows.map((c) => [col.value(c), c] as const);
  keyed.sort((a, b) => {
    const r = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
    return desc ? -r : r;
  });
  return keyed.map((k) => k[1]);
}

export function ConnectionTable({
  sort,
  search,
  onSort,
  openId,
  onOpen,
}: {
  sort: string;
  search: string;
  onSort: (key: string) => void;
  openId: string | null;
  onOpen: (id: string) => void;
}) {
  const version = useAppStore((s) => s.monitor.connectionsVersion);
  const instanceIds = useAppStore(useShallow((s) => s.monitor.feed.instances.map((i) => i.id)));
  const labels = useMemo(() => instanceLabels(instanceIds), [instanceIds]);
  const rows = useMemo(
    () => sortedConnections(live.connections.values(), sort, search),
    [version, sort, search],
  );
  const now = useNow(1000);
  const scroller = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_H,
    overscan: 12,
  });
  const move = (to: number) => {
    const i = Math.max(0, Math.min(rows.length - 1, to));
    setActive(i);
    virtualizer.scrollToIndex(i, { align: 'auto' });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.target as HTMLElement).tagName === 'BUTTON') return;
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(active + 1),
      ArrowUp: () => move(active - 1),
      PageDown: () => move(active + 10),
      PageUp: () => move(active - 10),
      Home: () => move(0),
      End: () => move(rows.length - 1),
      Enter: () => rows[active] && onOpen(rows[active].id),
    };
    const run = keys[e.key];
    if (!run) return;
    e.preventDefault();
    run();
  };
  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  const onRowOpen = useCallback((i: number, id: string) => {
    setActive(i);
    openRef.current(id);
  }, []);
  const sortKey = sort.replace(/^-/, '');
  return (
    <div
      ref={scroller}
      className="mon-grid mon-conns"
      role="grid"
      aria-label="Connections"
      aria-rowcount={rows.length + 1}
      tabIndex={0}
      onKeyDown={onKeyDown}
      data-testid="connection-table"
      data-count={rows.length}
    >
      <div className="mon-row mon-head" role="row">
        {COLUMNS.map((c) => (
          <div
            key={c.key}
            role="columnheader"
            className={`mon-cell${c.num ? ' mon-num' : ''}`}
            aria-sort={sortKey === c.key ? (sort.startsWith('-') ? 'descending' : 'ascending') : 'none'}
          >
            <button type="button" className="mon-sort" onClick={() => onSort(c.key)}>
              {c.header}
              {sortKey === c.key &&
                (sort.startsWith('-') ? (
                  <ArrowDown size={12} aria-hidden="true" />
                ) : (
                  <ArrowUp size={12} aria-hidden="true" />
                ))}
            </button>
          </div>
        ))}
      </div>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((v) => {
          const c = rows[v.index]!;
          return (
            <ConnRow
              key={c.id}
              c={c}
              instance={labels.get(c.instance) ?? c.instance}
              top={v.start}
              index={v.index}
              now={Math.floor(now / 1000)}
              active={v.index === active}
              open={c.id === openId}
              onOpen={onRowOpen}
            />
          );
        })}
      </div>
    </div>
  );
}

const ConnRow = memo(function ConnRow({
  c,
  instance,
  top,
  index,
  now,
  active,
  open,
  onOpen,
}: {
  c: MonitorConnection;
  /** The short name of its instance (see instanceLabels). */
  instance: string;
  top: number;
  index: number;
  now: number;
  active: boolean;
  open: boolean;
  onOpen: (index: number, id: string) => void;
}) {
  return (
    <div
      className={`mon-row${active ? ' mon-active' : ''}${open ? ' mon-open' : ''}`}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={open}
      data-testid="connection-row"
      data-id={c.id}
      style={{ transform: `translateY(${top}px)` }}
      onClick={() => onOpen(index, c.id)}
    >
      {COLUMNS.map((col) => (
        <div
          key={col.key}
          role="gridcell"
          className={`mon-cell${col.num ? ' mon-num' : ''}${col.key === 'id' ? ' mon-mono' : ''}`}
          data-col={col.key}
        >
          {cell(col, c, now * 1000, instance)}
        </div>
      ))}
    </div>
  );
});
