/**
 * The Events tab: filters (collection, type, account, text, a time range from the charts), "go to" a seq or
 * a time, pause with "N new", the virtualized stream (prefilled from the event log) with its replay bar, and
 * the open event's panel. Filters and the open seq live in the URL.
 */
import { useEffect, useMemo, useState } from 'react';
import { Activity, History, Pause, Play, Repeat, X } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { EVENT_TYPES } from '../../../../shared/events';
import { setQuery } from '../../store/route';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { SearchInput } from '../../ui/search-input';
import { EmptyState, ErrorState, LoadingState } from '../../ui/states';
import { filterEvents, loadOlderEvents, openEvent, pauseEvents, resumeEvents } from './actions';
import { EventDetail } from './event-detail';
import { EventList } from './event-list';
import { isFiltering, type EventFilter } from './event-buffer';
import { clockMs } from './format';
import { clearGoToError, goTo, prefill, useHistory, watchHistory } from './history';
import { live } from './live-data';
import { ReplayBar } from './replay-bar';
import './history.css';

// The prefill runs whenever the feed goes live, whichever tab is open (the monitor screen imports this one).
watchHistory();

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

  const history = useHistory(
    useShallow((s) => ({
      prefill: s.prefill,
      prefillError: s.prefillError,
      paging: s.paging,
      ranged: s.range !== null,
      gotoError: s.gotoError,
    })),
  );
  const [replayOpen, setReplayOpen] = useState(false);
  const shown = live.events.size;
  const filtering = isFiltering(filter);
  const summary = seq !== null ? live.events.find(seq) : undefined;
  const loadingHistory = history.prefill === 'loading' || (history.prefill === 'idle' && status !== 'error');

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
          <GoTo busy={history.paging} />
          <div className="mon-toolbar-end">
            {catchingUp > 0 && <span className="badge badge-wait">Catching up {catchingUp}…</span>}
            <span className="mon-total" data-testid="event-total">
              {shown.toLocaleString()} {filtering ? 'matching ' : ''}event{shown === 1 ? '' : 's'}
            </span>
            <Button
              size="sm"
              variant="ghost"
              busy={history.paging}
              disabled={history.prefill === 'loading'}
              icon={<History size={14} aria-hidden="true" />}
              onClick={() => void loadOlderEvents()}
              title="Load the 1,000 seqs before the oldest shown, from the event log"
            >
              Older
            </Button>
            <Button
              size="sm"
              variant="ghost"
              icon={<Repeat size={14} aria-hidden="true" />}
              aria-pressed={replayOpen || history.ranged}
              onClick={() => setReplayOpen((o) => !o)}
              title="Replay a range of past events into the playground's test client (or Shift+click two events)"
            >
              Replay…
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
        {history.gotoError && (
          <div className="mon-history-error" id="mon-goto-error" role="alert" data-testid="goto-error">
            <span>{history.gotoError}</span>
            <button type="button" className="icon-btn" aria-label="Dismiss" onClick={clearGoToError}>
              <X size={14} aria-hidden="true" />
            </button>
          </div>
        )}
        {(replayOpen || history.ranged) && <ReplayBar onClose={() => setReplayOpen(false)} />}
        {history.prefill === 'error' && shown > 0 && (
          <div className="mon-history-error" role="alert">
            Could not load the earlier events from the event log: {history.prefillError}
            <Button size="sm" onClick={() => void prefill()}>
              Retry
            </Button>
          </div>
        )}
        {shown === 0 && !filtering && !paused && history.prefill === 'error' ? (
          <ErrorState
            title="Could not load the event log"
            message={history.prefillError ?? 'The server did not answer.'}
            onRetry={() => void prefill()}
          />
        ) : shown === 0 && !filtering && !paused && loadingHistory ? (
          <LoadingState
            label={
              status === 'live'
                ? 'Loading recent events from the event log…'
                : 'Connecting to the monitor feed…'
            }
          />
        ) : shown === 0 && !filtering && !paused ? (
          <EmptyState icon={<Activity size={28} aria-hidden="true" />} title="No events yet">
            The event log is empty. Write a record and watch it fan out to every connection.
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

/** "Go to" a seq or a time: pages the event log there, scrolls to it and opens it; errors say why not. */
function GoTo({ busy }: { busy: boolean }) {
  const [v, setV] = useState('');
  const error = useHistory((s) => s.gotoError);
  return (
    <form
      className="mon-goto"
      role="search"
      aria-label="Go to an event"
      onSubmit={(e) => {
        e.preventDefault();
        void goTo(v);
      }}
    >
      <input
        aria-label="Go to seq or time"
        placeholder="Go to seq or time"
        title="A seq (1234), a time today (14:30:05) or a date and time (2024-05-01 14:30); Enter goes there"
        value={v}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'mon-goto-error' : undefined}
        onChange={(e) => {
          setV(e.target.value);
          clearGoToError();
        }}
      />
      {busy && <span className="mon-goto-busy">Loading…</span>}
    </form>
  );
}
