/**
 * The Monitor screen: the feed's state and tabs (Events | Connections | Presence | Flow | Charts | Playground).
 * The tab, the open event or connection and the filters are in the URL; Esc closes the open panel.
 */
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { PageHeader } from '../../ui/page';
import { LoadingState } from '../../ui/states';
import { TabStrip } from '../../ui/tabs';
import { ConnectionsTab } from './connections-tab';
import { EventsTab } from './events-tab';
import { startFeed } from './feed';
import { PresenceTab } from './presence-tab';
import './monitor.css';

const ChartsTab = lazy(() => import('./charts-tab'));
const FlowTab = lazy(() => import('./flow-tab'));
const PlaygroundTab = lazy(() => import('./playground-tab'));

const TABS = [
  { id: 'events', label: 'Events' },
  { id: 'connections', label: 'Connections' },
  { id: 'presence', label: 'Presence' },
  { id: 'flow', label: 'Flow' },
  { id: 'charts', label: 'Charts' },
  { id: 'playground', label: 'Playground' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function MonitorScreen() {
  const query = useAppStore((s) => s.route.query);
  const tab: Tab = TABS.some((t) => t.id === query.tab) ? (query.tab as Tab) : 'events';
  useEffect(() => startFeed(), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || document.querySelector('dialog[open]')) return;
      const t = e.target as HTMLElement | null;
      if (t && /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)) return;
      const q = useAppStore.getState().route.query;
      if (q.seq) setQuery({ seq: undefined });
      else if (q.conn) setQuery({ conn: undefined });
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const panels: Record<Tab, () => ReactNode> = {
    events: () => <EventsTab query={query} />,
    connections: () => <ConnectionsTab query={query} />,
    presence: () => <PresenceTab />,
    flow: () => <FlowTab />,
    charts: () => <ChartsTab />,
    playground: () => <PlaygroundTab />,
  };

  return (
    <div className="mon">
      <PageHeader
        title="Monitor"
        description="Every connection, subscription and event as it fans out, live."
        actions={<FeedStatus />}
      />
      <TabStrip
        label="Monitor"
        tabs={TABS}
        value={tab}
        onSelect={(t) => setQuery({ tab: t === 'events' ? undefined : t })}
        idOf={(t) => `mon-tab-${t}`}
        panelOf={() => 'mon-tabpanel'}
      />
      <div id="mon-tabpanel" role="tabpanel" aria-labelledby={`mon-tab-${tab}`} className="mon-tabpanel">
        <Suspense fallback={<LoadingState label="Loading…" />}>{panels[tab]()}</Suspense>
      </div>
    </div>
  );
}

function FeedStatus() {
  const { status, error, instances } = useAppStore(
    useShallow((s) => ({
      status: s.monitor.feed.status,
      error: s.monitor.feed.error,
      instances: s.monitor.feed.instances,
    })),
  );
  const tone = status === 'live' ? 'ok' : status === 'error' ? 'bad' : 'wait';
  const label =
    status === 'live'
      ? `Live${instances.length > 1 ? ` · ${instances.length} instances` : ''}`
      : status === 'error'
        ? 'Feed unavailable'
        : status === 'reconnecting'
          ? 'Reconnecting…'
          : 'Connecting…';
  return (
    <span className={`pill pill-${tone}`} role="status" title={error ?? undefined} data-testid="feed-status">
      <span className="pill-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
