/**
 * The open event: what it was (type, record, trace), how its fan-out went (counts), its payload as a JSON
 * tree, for an update the diff previous -> data, and on request the per-connection explanation naming the
 * deciding clause — or the answer to "why didn't connection X get seq N?".
 */
import { useState, type FormEvent } from 'react';
import { HelpCircle } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { ExplainConnection } from '../../../../shared/monitor';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { CopyButton } from '../../ui/copy-button';
import { ErrorState, LoadingState } from '../../ui/states';
import { explainEvent } from './actions';
import { DetailPanel } from './detail-panel';
import { DiffView } from '../../ui/diff-view';
import type { HeldEvent } from './event-buffer';
import { clockMs } from './format';
import { JsonTree } from './json-tree';

export function EventDetail({
  seq,
  summary,
  onClose,
}: {
  seq: number;
  summary: HeldEvent | undefined;
  onClose: () => void;
}) {
  const { event, explain } = useAppStore(
    useShallow((s) => ({ event: s.monitor.event, explain: s.monitor.explain })),
  );
  const ev = event.data?.seq === seq ? event.data : null;
  const f = summary?.fanout ?? (explain.data?.seq === seq ? explain.data.recorded[0] : undefined);
  return (
    <DetailPanel
      label={`Event ${seq}`}
      testId="event-detail"
      title={
        <>
          Event {seq} <span className="muted">{summary?.type ?? ev?.type}</span>
        </>
      }
      onClose={onClose}
    >
      <dl className="mon-facts">
        <dt>Collection</dt>
        <dd>{summary?.collection ?? ev?.collection ?? '—'}</dd>
        <dt>Record</dt>
        <dd className="mon-mono">{summary?.record_id ?? ev?.record_id ?? '—'}</dd>
        <dt>Account</dt>
        <dd>{summary?.account ?? ev?.account}</dd>
        <dt>Actor</dt>
        <dd className="mon-mono">{summary?.actor ?? ev?.actor ?? '—'}</dd>
        <dt>Time</dt>
        <dd className="mon-mono">{clockMs(Date.parse(summary?.timestamp ?? ev?.timestamp ?? ''))}</dd>
        <dt>Trace</dt>
        <dd className="mon-mono">
          {(summary?.trace_id ?? ev?.trace_id) || '—'}
          {(summary?.trace_id ?? ev?.trace_id) && <CopyButton value={(summary?.trace_id ?? ev?.trace_id)!} />}
        </dd>
      </dl>
      {f && (
        <section aria-label="Fan-out" data-testid="fanout">
          <h3 title={summary?.instances.join(', ')}>
            Fan-out{summary ? fanoutWhere(summary.instances) : ''}
          </h3>
          <div className="mon-counts">
            <Count label="candidates" n={f.candidates} />
            <Count label="matched" n={f.matched} />
            <Count label="sent" n={f.sent} tone="ok" />
            <Count label="skipped by filter" n={f.skipped_filter} />
            <Count label="skipped by rule" n={f.skipped_rule} />
            <Count label="dropped" n={f.dropped} tone={f.dropped ? 'bad' : undefined} />
            <Count label="µs" n={f.micros} />
          </div>
        </section>
      )}
      <section aria-label="Explanation">
        <div className="mon-row-actions">
          <Button
            size="sm"
            icon={<HelpCircle size={14} aria-hidden="true" />}
            busy={explain.status === 'loading'}
            onClick={() => void explainEvent(seq)}
          >
            Explain per connection
          </Button>
        </div>
        <WhyForm seq={seq} />
        {explain.status === 'error' && (
          <p className="form-error" role="alert">
            {explain.error?.message}
          </p>
        )}
        {explain.data?.seq === seq && (
          <div data-testid="explain">
            <p className="muted mon-note">{explain.data.note}</p>
            {explain.data.connections.length === 0 && <p>No connection is open right now.</p>}
            <ul className="mon-explain">
              {explain.data.connections.map((c) => (
                <ExplainItem key={c.connection} c={c} />
              ))}
            </ul>
          </div>
        )}
      </section>
      <section aria-label="Payload">
        <h3>Payload</h3>
        {event.status === 'loading' && !ev && <LoadingState label="Loading the event…" />}
        {event.status === 'error' && !ev && (
          <ErrorState title="Could not load the event" message={event.error?.message ?? ''} />
        )}
        {ev &&
          (ev.data ? <JsonTree value={ev.data} label="Payload" /> : <p className="muted">No payload.</p>)}
      </section>
      {ev?.type === 'record.updated' && ev.previous && ev.data && (
        <section aria-label="Diff">
          <h3>Changes</h3>
          <DiffView before={ev.previous} after={ev.data} />
        </section>
      )}
    </DetailPanel>
  );
}

function Count({ label, n, tone }: { label: string; n: number; tone?: 'ok' | 'bad' }) {
  return (
    <div
      className={`mon-count${tone ? ` mon-count-${tone}` : ''}`}
      data-testid={`count-${label.replace(/\W+/g, '-')}`}
    >
      <strong>{n}</strong>
      <span>{label}</span>
    </div>
  );
}

function WhyForm({ seq }: { seq: number }) {
  const [conn, setConn] = useState('');
  const [n, setN] = useState(String(seq));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const s = Number(n);
    if (Number.isInteger(s) && s > 0) void explainEvent(s, conn.trim());
  };
  return (
    <form className="mon-why" onSubmit={submit} aria-label="Why did a connection not get an event">
      <span>Why didn't</span>
      <input
        aria-label="Connection id"
        placeholder="connection id"
        value={conn}
        onChange={(e) => setConn(e.target.value)}
      />
      <span>get seq</span>
      <input
        aria-label="Seq"
        inputMode="numeric"
        className="mon-why-seq"
        value={n}
        onChange={(e) => setN(e.target.value)}
      />
      <Button size="sm" type="submit" disabled={!conn.trim()}>
        Ask
      </Button>
    </form>
  );
}

function ExplainItem({ c }: { c: ExplainConnection }) {
  return (
    <li
      className={c.delivered ? 'mon-ok' : 'mon-skip'}
      data-testid="explain-connection"
      data-connection={c.connection}
    >
      <div className="mon-explain-head">
        <strong>{c.delivered ? 'Delivered' : 'Not delivered'}</strong> ·{' '}
        <span className="mon-mono">{c.connection}</span> · {c.email ?? c.user_id ?? 'anonymous'} · {c.dialect}{' '}
        · {c.account}
      </div>
      {c.subscriptions.length === 0 && <div className="muted">No subscriptions.</div>}
      {c.subscriptions.map((s) => (
        <div key={s.key} className="mon-explain-sub">
          <span className="mon-mono">{s.key}</span> <span className="badge">{s.reason}</span> {s.message}
          {(s.clause ?? s.after) && (
            <code className="mon-clause" title={s.clause?.path ?? s.after?.path}>
              {JSON.stringify((s.clause ?? s.after)!.expression)}
              {(s.clause ?? s.after)!.actual !== undefined &&
                ` (was ${JSON.stringify((s.clause ?? s.after)!.actual)})`}
            </code>
          )}
        </div>
      ))}
    </li>
  );
}

/** Where the figures come from: nothing for a single server, the instance, or how many a cluster summed. */
function fanoutWhere(instances: string[]): string {
  if (instances.length > 1) return ` on ${instances.length} instances`;
  return instances[0] === 'local' ? '' : ` on ${instances[0]}`;
}
