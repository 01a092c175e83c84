/**
 * The Flow tab: the last 10 s of traffic as a picture — writers on the left, collections in the middle,
 * connections on the right, each event a pulse that fans out, edges coloured (and dashed) by outcome —
 * with its text alternative underneath (the same numbers as tables). While the tab is open the feed asks
 * the server for each event's per-connection outcomes; closing the tab stops that.
 */
import { useEffect, useRef, useState } from 'react';
import { Pause, Play, Waypoints } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { EmptyState } from '../../ui/states';
import { watchFlow } from './feed';
import { FlowCanvas } from './flow-canvas';
import { flow, OTHERS, OUTCOMES, type FlowWindow } from './flow-model';
import { collectionLabel, connectionLabel, onNames, writerLabel } from './flow-names';
import { OUTCOME_DASH } from './flow-draw';
import './flow.css';

const LEGEND: { label: string; color: string; dash: number[] }[] = [
  { label: 'Write', color: 'var(--accent)', dash: [] },
  { label: 'Delivered', color: 'var(--ok)', dash: OUTCOME_DASH[0]! },
  { label: 'Filtered out', color: 'var(--muted)', dash: OUTCOME_DASH[1]! },
  { label: 'Denied by rule', color: 'var(--wait)', dash: OUTCOME_DASH[2]! },
  { label: 'Dropped (slow consumer)', color: 'var(--bad)', dash: OUTCOME_DASH[3]! },
];

/** The window, recomputed once a second while live (and the page is visible), held while paused. */
function useFlowWindow(paused: boolean): FlowWindow {
  const [win, setWin] = useState(() => flow.window(performance.now()));
  useEffect(() => {
    if (paused) return;
    const tick = () => {
      if (!document.hidden) setWin(flow.window(performance.now()));
    };
    tick();
    const t = setInterval(tick, 1000);
    // Names that resolve later show at once.
    const off = onNames(tick);
    return () => {
      clearInterval(t);
      off();
    };
  }, [paused]);
  return win;
}

export default function FlowTab() {
  const { status, flowOn } = useAppStore(
    useShallow((s) => ({ status: s.monitor.feed.status, flowOn: s.monitor.flowOn })),
  );
  const [paused, setPaused] = useState(false);
  useEffect(() => watchFlow(), []);
  const win = useFlowWindow(paused);
  const frozen = useRef<FlowWindow | null>(null);
  frozen.current = paused ? win : null;

  const notice =
    status !== 'live'
      ? 'Connecting to the monitor feed…'
      : !flowOn
        ? 'Asking the server for each event’s fan-out…'
        : win.events === 0
          ? 'No traffic in the last 10 seconds. Write a record (or send one from the Playground) and watch it fan out.'
          : null;

  return (
    <div className="flow" data-testid="flow">
      <div className="mon-toolbar">
        <ul className="flow-legend" aria-label="Legend">
          {LEGEND.map((l) => (
            <li key={l.label}>
              <svg width="26" height="8" aria-hidden="true">
                <line
                  x1="2"
                  y1="4"
                  x2="24"
                  y2="4"
                  stroke={l.color}
                  strokeWidth="2.5"
                  strokeLinecap="round"
                  strokeDasharray={l.dash.join(' ') || undefined}
                />
              </svg>
              {l.label}
            </li>
          ))}
        </ul>
        <div className="mon-toolbar-end">
          <span className="mon-total" data-testid="flow-total">
            {win.events.toLocaleString()} event{win.events === 1 ? '' : 's'} in the last 10 s
          </span>
          <Button
            size="sm"
            variant={paused ? 'primary' : 'secondary'}
            icon={paused ? <Play size={14} aria-hidden="true" /> : <Pause size={14} aria-hidden="true" />}
            onClick={() => setPaused((p) => !p)}
          >
            {paused ? 'Resume' : 'Pause'}
          </Button>
        </div>
      </div>
      <div className="flow-stage card">
        <FlowCanvas paused={paused} frozen={frozen} events={win.events} />
        {notice && (
          <div className="flow-notice">
            <EmptyState icon={<Waypoints size={28} aria-hidden="true" />} title="Flow">
              {notice}
            </EmptyState>
          </div>
        )}
      </div>
      {win.capped > 0 && (
        <p className="muted mon-note" data-testid="flow-capped">
          {win.capped.toLocaleString()} event{win.capped === 1 ? '' : 's'} reached more than 200
          subscriptions: only the first 200 of each are drawn (the Events tab counts every one).
        </p>
      )}
      <FlowTables win={win} />
    </div>
  );
}

const open = (id: string) => setQuery({ tab: 'connections', conn: id });

/** The picture as tables: who wrote where, and each collection's fan-out per connection by outcome. */
function FlowTables({ win }: { win: FlowWindow }) {
  const collectionOrder = new Map(win.collections.map((c, i) => [c.key, i]));
  const connectionOrder = new Map(win.connections.map((c, i) => [c.key, i]));
  const others = (list: typeof win.connections) => list.find((n) => n.key === OTHERS)?.others;
  const edges = [...win.edges].sort(
    (a, b) =>
      (collectionOrder.get(a.collection) ?? 0) - (collectionOrder.get(b.collection) ?? 0) ||
      (connectionOrder.get(a.connection) ?? 0) - (connectionOrder.get(b.connection) ?? 0),
  );
  const writes = [...win.writes].sort((a, b) => b.count - a.count);
  return (
    <div className="flow-tables">
      <div className="table-wrap">
        <table className="table flow-table" data-testid="flow-table">
          <caption>Fan-out in the last 10 s, per collection and connection</caption>
          <thead>
            <tr>
              <th scope="col">Collection</th>
              <th scope="col">Connection</th>
              {OUTCOMES.map((o) => (
                <th key={o} scope="col" className="align-end">
                  {o}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {edges.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  Nothing fanned out in the last 10 s.
                </td>
              </tr>
            )}
            {edges.map((e) => (
              <tr key={`${e.collection}|${e.connection}`} data-connection={e.connection}>
                <td>{collectionLabel(e.collection, others(win.collections))}</td>
                <td>
                  {e.connection === OTHERS ? (
                    connectionLabel(OTHERS, others(win.connections))
                  ) : (
                    <button type="button" className="flow-link" onClick={() => open(e.connection)}>
                      {connectionLabel(e.connection)}
                    </button>
                  )}
                </td>
                {OUTCOMES.map((o, i) => (
                  <td key={o} className="align-end flow-count" data-outcome={o}>
                    {e.counts[i]}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-wrap">
        <table className="table flow-table flow-writers" data-testid="flow-writers">
          <caption>Writes in the last 10 s, per writer and collection</caption>
          <thead>
            <tr>
              <th scope="col">Writer</th>
              <th scope="col">Collection</th>
              <th scope="col" className="align-end">
                Events
              </th>
            </tr>
          </thead>
          <tbody>
            {writes.length === 0 && (
              <tr>
                <td colSpan={3} className="muted">
                  No writes in the last 10 s.
                </td>
              </tr>
            )}
            {writes.map((w) => (
              <tr key={`${w.writer}|${w.collection}`}>
                <td>{writerLabel(w.writer, others(win.writers))}</td>
                <td>{collectionLabel(w.collection, others(win.collections))}</td>
                <td className="align-end flow-count">{w.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
