/**
 * The replay bar above the event stream: the selected range of seqs (Shift+click in the list, or typed in
 * its fields) and "Replay in playground", which sends those past events to the playground's test client as
 * the live fan-out would.
 */
import { useEffect, useState } from 'react';
import { PlugZap, Repeat, X } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { MONITOR_REPLAY_MAX } from '../../../../shared/monitor-history';
import { useAppStore } from '../../store';
import { setQuery } from '../../store/route';
import { Button } from '../../ui/button';
import { replayInPlayground } from './actions';
import { clearRange, selectRange, useHistory } from './history';
import { live } from './live-data';
import { usePlayground } from './playground-session';

const seqOf = (s: string) => (/^\d+$/.test(s.trim()) && Number(s) >= 1 ? Number(s) : undefined);

export function ReplayBar({ onClose }: { onClose: () => void }) {
  const range = useHistory((s) => s.range);
  // Re-renders as events arrive: the count of the range's events shown here changes.
  useAppStore((s) => s.monitor.eventsVersion);
  const { connectionId, state } = usePlayground(
    useShallow((s) => ({ connectionId: s.connectionId, state: s.state })),
  );
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  // The fields follow a range picked in the list (not one they set themselves, which would reorder them).
  useEffect(() => {
    if (!range) return;
    const x = seqOf(from);
    const y = seqOf(to);
    if (x !== undefined && y !== undefined && Math.min(x, y) === range.from && Math.max(x, y) === range.to)
      return;
    setFrom(String(range.from));
    setTo(String(range.to));
  }, [range?.from, range?.to]);

  const a = seqOf(from);
  const b = seqOf(to);
  const size = a !== undefined && b !== undefined ? Math.abs(b - a) + 1 : 0;
  const shown = range ? live.events.between(range.from, range.to).length : 0;
  const problem =
    a === undefined || b === undefined
      ? 'Shift+click two events, or type the first and last seq.'
      : size > MONITOR_REPLAY_MAX
        ? `At most ${MONITOR_REPLAY_MAX.toLocaleString()} seqs at a time (this is ${size.toLocaleString()}).`
        : null;
  const commit = (f: string, t: string) => {
    const x = seqOf(f);
    const y = seqOf(t);
    if (x !== undefined && y !== undefined) selectRange(x, y);
  };
  const replay = async () => {
    if (a === undefined || b === undefined) return;
    setBusy(true);
    await replayInPlayground(Math.min(a, b), Math.max(a, b));
    setBusy(false);
  };

  return (
    <form
      className="mode-bar mon-replay"
      data-testid="replay-bar"
      aria-label="Replay a range of events"
      onSubmit={(e) => {
        e.preventDefault();
        void replay();
      }}
    >
      <Repeat size={14} aria-hidden="true" className="mon-replay-icon" />
      <span className="mon-replay-label">Replay seqs</span>
      <input
        aria-label="From seq"
        inputMode="numeric"
        placeholder="from"
        value={from}
        onChange={(e) => {
          setFrom(e.target.value);
          commit(e.target.value, to);
        }}
      />
      <span aria-hidden="true">–</span>
      <input
        aria-label="To seq"
        inputMode="numeric"
        placeholder="to"
        value={to}
        onChange={(e) => {
          setTo(e.target.value);
          commit(from, e.target.value);
        }}
      />
      <span className="mon-replay-note" data-testid="replay-summary">
        {problem ??
          `${size.toLocaleString()} seq${size === 1 ? '' : 's'}${range ? ` · ${shown.toLocaleString()} shown here` : ''}`}
      </span>
      <span className="mon-replay-end">
        {connectionId ? (
          <span className="mon-replay-target">
            into <code title="The playground's test client">{connectionId}</code>
          </span>
        ) : (
          <Button
            size="sm"
            variant="ghost"
            icon={<PlugZap size={14} aria-hidden="true" />}
            onClick={() => setQuery({ tab: 'playground' })}
          >
            {state === 'open' ? 'Identifying the test client…' : 'Connect a test client first'}
          </Button>
        )}
        <Button
          type="submit"
          size="sm"
          variant="primary"
          busy={busy}
          disabled={!connectionId || problem !== null}
        >
          Replay in playground
        </Button>
        <button
          type="button"
          className="icon-btn"
          aria-label="Close the replay bar"
          onClick={() => {
            clearRange();
            onClose();
          }}
        >
          <X size={14} aria-hidden="true" />
        </button>
      </span>
    </form>
  );
}
