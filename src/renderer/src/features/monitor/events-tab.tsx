/**
 * The Events tab: filters (collection, type, account, text, a time range from the charts), pause with
 * "N new", the virtualized stream and the open event's panel. Filters and the open seq live in the URL.
 */
import { useEffect, useMemo, useState } from 'react';
import { Activity, History, Pause, Play, X } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { EVENT_TYPES } from '../../../../shared/events';
import { setQuery } from '../../store/route';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { SearchInput } from '../../ui/search-input';
import { EmptyState } from '../../ui/states';
import { filterEvents, loadOlderEvents, openEvent, pauseEvents, resumeEvents } from './actions';
import { EventDetail } from './event-detail';
import { EventList } from './event-list';
import { isFiltering, type EventFilter } from './event-buffer';
import { clockMs } from './format';
import { live } from './live-data';

const num = (s: string | undefined) => (s && Number.isFinite(Number(s)) ? Number(s) : undefined);

/** The event filter in the URL's query. */
export function filterFromQuery(q: Record<string, string>): EventFilter {
  return { collection: q.coll, type: q.type, account: q.acct, text: q.q, from: num(q.from), to: num(q.to) };
}

export function EventsTab({ query }: { query: Record<string, string> }) {
  const { paused, newCount, catchingUp, status, version } = useAppStore(
    useShallow((s) => ({
      paused: s.monitor.paused,
      newCount: s.monitor.newCount,
      catchingUp: s.monitor.catchingUp,
      status: s.monitor.feed.status,
      version: s.monitor.eventsVersion,
    })),
  );
  const collections = useAppStore(useShallow((s) => (s.collections.list.data ?? []).map((c) => c.name)));
  const filter = useMemo(
    () => filterFromQuery(query),
    [query.coll, query.type, query.acct, query.q, query.from, query.to],
  );
  useEffect(() => filterEvents(filter), [filter]);
  const seq = num(query.seq) ?? null;
  useEffect(() => void openEvent(seq), [seq]);
  const accounts = useMemo(() => {
    const set = new Set<string>();
    for (const c of live.connections.values()) set.add(c.account);
    for (let i = 0; i < Math.min(500, live.events.ring.size); i++)
      set.add(live.events.ring.at(live.events.ring.size - 1 - i)!.account);
    if (query.acct) set.add(query.acct);
    return [...set].sort();
  }, [version > 0, query.acct]);

  const [older, setOlder] = useState(false);
  const loadMore = () => {
    setOlder(true);
    void loadOlderEvents().finally(() => setOlder(false));
  };
  const shown = live.events.size;
  const filtering = isFiltering(filter);
  const summary = seq !== null ? live.events.find(seq) : undefined;

  return (
    <div className="mon-split">
      <div className="mon-main">
        <div className="mon-toolbar">
          <SearchInput label="Filter events" value={query.q ?? ''} onChange={(v) => setQuery({ q: v })} />
          <select
            aria-label="Collection"
            value={query.coll ?? ''}
            onChange={(e) => setQuery({ coll: e.target.value })}
          >
            <option value="">All collections</option>
            {collections.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
          <select
            aria-label="Type"
            value={query.type ?? ''}
            onChange={(e) => setQuery({ type: e.target.value })}
          >
            <option value="">All types</option>
            {EVENT_TYPES.filter((t) => !t.startsWith('user.')).map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
          <select
            aria-label="Account"
            value={query.acct ?? ''}
            onChange={(e) => setQuery({ acct: e.target.value })}
          >
            <option value="">All accounts</option>
            {accounts.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </select>
          {(filter.from !== undefined || filter.to !== undefined) && (
            <span className="mon-chip" data-testid="range-chip">
              {clockMs(filter.from ?? 0)} – {clockMs(filter.to ?? Date.now())}
              <button
                type="button"
                aria-label="Clear the time range"
                onClick={() => setQuery({ from: undefined, to: undefined })}
              >
                <X size={12} aria-hidden="true" />
              </button>
            </span>
          )}
          <GoToSeq />
          <div className="mon-toolbar-end">
            {catchingUp > 0 && <span className="badge badge-wait">Catching up {catchingUp}…</span>}
            <span className="mon-total" data-testid="event-total">
              {shown.toLocaleString()} {filtering ? 'matching ' : ''}event{shown === 1 ? '' : 's'}
            </span>
            <Button
              size="sm"
              variant="ghost"
              busy={older}
              icon={<History size={14} aria-hidden="true" />}
              onClick={loadMore}
              title="Load the 1,000 events before the oldest shown, from the event log"
            >
              Older
            </Button>
            {paused ? (
              <Button
                variant="primary"
                size="sm"
                icon={<Play size={14} aria-hidden="true" />}
                onClick={resumeEvents}
              >
                Resume{' '}
                <span className="mon-new" data-testid="new-count">
                  {newCount.toLocaleString()} new
                </span>
              </Button>
            ) : (
              <Button size="sm" icon={<Pause size={14} aria-hidden="true" />} onClick={pauseEvents}>
                Pause
              </Button>
            )}
          </div>
        </div>
        {shown === 0 && !filtering && !paused ? (
          <EmptyState icon={<Activity size={28} aria-hidden="true" />} title="No events yet">
            {status === 'live'
              ? 'Write a record and watch it fan out to every connection — or load the earlier ones from the event log with Older.'
              : 'Connecting to the monitor feed…'}
          </EmptyState>
        ) : shown === 0 ? (
          <EmptyState title="No event matches">Change or clear the filters.</EmptyState>
        ) : (
          <EventList openSeq={seq} onOpen={(s) => setQuery({ seq: s })} />
        )}
      </div>
      {seq !== null && (
        <EventDetail seq={seq} summary={summary} onClose={() => setQuery({ seq: undefined })} />
      )}
    </div>
  );
}

/** Opens any seq still in the event log (its detail loads from there). */
function GoToSeq() {
  const [v, setV] = useState('');
  return (
    <form
      className="mon-goto"
      onSubmit={(e) => {
        e.preventDefault();
        const n = Number(v);
        if (Number.isInteger(n) && n > 0) setQuery({ seq: n });
      }}
    >
      <input
        aria-label="Go to seq"
        placeholder="seq"
        inputMode="numeric"
        value={v}
        onChange={(e) => setV(e.target.value)}
      />
    </form>
  );
}
