/**
 * One connection (Centrifugo's "trace one client"): who it is, its subscriptions, its frames in and out as
 * they happen (DevTools' WebSocket panel: direction, length, time to the ms, a JSON tree for the picked
 * frame), a test frame, and disconnect with a reason (confirmed).
 */
import { useEffect, useMemo, useState } from 'react';
import { ArrowDown, ArrowUp, Plug, Send } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { MonitorConnection, MonitorFrame } from '../../../../shared/monitor';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { disconnectConnection, inspectConnection, sendTestFrame } from './actions';
import { who } from './connection-table';
import { DetailPanel } from './detail-panel';
import { bytes } from './format';
import { FrameRow } from './frame-row';
import { JsonTree, tryJson } from './json-tree';
import { live } from './live-data';

export function ConnectionDetail({ id, onClose }: { id: string; onClose: () => void }) {
  useAppStore((s) => s.monitor.connectionsVersion);
  const c = live.connections.get(id);
  const [gone, setGone] = useState<MonitorConnection | null>(null);
  useEffect(() => {
    if (c) setGone(c);
  }, [c]);
  const shown = c ?? gone;
  const [confirm, setConfirm] = useState(false);
  const [reason, setReason] = useState('');

  useEffect(() => {
    inspectConnection(id);
    return () => inspectConnection(null);
  }, [id]);

  return (
    <DetailPanel
      label={`Connection ${id}`}
      testId="connection-detail"
      title={<span className="mon-mono">{id}</span>}
      onClose={onClose}
      dialogs={
        <ConfirmDialog
          open={confirm}
          title="Disconnect this connection?"
          confirmLabel="Disconnect"
          consequence={
            <>
              <p>
                {shown ? who(shown) : id} ({shown?.dialect}) will be closed with code 4010 and this reason. A
                client that reconnects by itself will be back.
              </p>
              <label className="field">
                <span className="field-label">Reason (sent to the client)</span>
                <input
                  value={reason}
                  onChange={(e) => setReason(e.target.value)}
                  data-autofocus
                  placeholder="e.g. maintenance"
                />
              </label>
            </>
          }
          onConfirm={async () => {
            const r = await disconnectConnection(id, reason);
            return r.ok ? null : r.error.message;
          }}
          onClose={() => setConfirm(false)}
        />
      }
    >
      {!c && <p className="notice notice-wait">This connection has closed.</p>}
      {shown && (
        <dl className="mon-facts">
          <dt>Who</dt>
          <dd>{who(shown)}</dd>
          <dt>Account</dt>
          <dd>{shown.account}</dd>
          <dt>Dialect</dt>
          <dd>{shown.dialect}</dd>
          <dt>Address</dt>
          <dd className="mon-mono">{shown.remote}</dd>
          <dt>Instance</dt>
          <dd>{shown.instance}</dd>
          <dt>Messages</dt>
          <dd>
            {shown.messages_in} in · {shown.messages_out} out
          </dd>
          {shown.bytes_in !== undefined && (
            <>
              <dt>Bytes</dt>
              <dd>
                {bytes(shown.bytes_in)} in · {bytes(shown.bytes_out ?? 0)} out · {bytes(shown.buffered ?? 0)}{' '}
                queued
              </dd>
            </>
          )}
        </dl>
      )}
      {c && (
        <div className="mon-row-actions">
          <Button
            size="sm"
            variant="danger"
            icon={<Plug size={14} aria-hidden="true" />}
            onClick={() => setConfirm(true)}
          >
            Disconnect…
          </Button>
        </div>
      )}
      <section aria-label="Subscriptions">
        <h3>Subscriptions</h3>
        {shown && shown.subscription_details.length === 0 && <p className="muted">None yet.</p>}
        <ul className="mon-subs">
          {shown?.subscription_details.map((s) => (
            <li key={s.key} data-testid="subscription">
              <span className="mon-mono">{s.key}</span> → <strong>{s.collection}</strong>
              {s.filtered && <span className="badge">filter</span>}
              {s.events && <span className="badge">{s.events.join(', ')}</span>}
              {s.record_id && <span className="badge">record {s.record_id}</span>}
            </li>
          ))}
        </ul>
      </section>
      {c && <TestFrame id={id} />}
      <Frames />
    </DetailPanel>
  );
}

function TestFrame({ id }: { id: string }) {
  const [text, setText] = useState('{ "title": "test frame" }');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    const data = tryJson(text);
    if (!data || typeof data !== 'object' || Array.isArray(data))
      return setError('Write a JSON object: the test record.');
    setBusy(true);
    const r = await sendTestFrame(id, data as Record<string, unknown>);
    setBusy(false);
    setError(r.ok ? null : r.error.message);
  };
  return (
    <section aria-label="Send a test frame">
      <h3>Test frame</h3>
      <div className="mon-test">
        <textarea
          aria-label="Test record (JSON)"
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
        />
        <Button
          size="sm"
          busy={busy}
          icon={<Send size={14} aria-hidden="true" />}
          onClick={() => void send()}
        >
          Send
        </Button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Frames() {
  const { inspect, version } = useAppStore(
    useShallow((s) => ({ inspect: s.monitor.inspect, version: s.monitor.framesVersion })),
  );
  const frames = useMemo(() => live.frames.toArray().reverse(), [version]);
  const [picked, setPicked] = useState<MonitorFrame | null>(null);
  return (
    <section aria-label="Frames" data-testid="frames">
      <h3>
        Frames{' '}
        <span className="muted">
          {inspect.status === 'on' ? '· inspecting' : inspect.status === 'starting' ? '· starting…' : ''}
        </span>
      </h3>
      {inspect.error && (
        <p className="form-error" role="alert">
          {inspect.error}
        </p>
      )}
      {frames.length === 0 ? (
        <p className="muted">No frames yet. They appear here as the client and server talk.</p>
      ) : (
        <div className="mon-frames" role="list">
          {frames.slice(0, 300).map((f, i) => (
            <FrameRow
              key={`${f.at}-${i}-${f.size}`}
              direction={f.direction}
              arrow={
                f.direction === 'in' ? (
                  <ArrowUp size={13} aria-label="from the client" className="mon-in" />
                ) : (
                  <ArrowDown size={13} aria-label="to the client" className="mon-out" />
                )
              }
              text={f.text}
              size={bytes(f.size)}
              at={f.at}
              open={picked === f}
              onToggle={() => setPicked(picked === f ? null : f)}
              testId="frame"
            />
          ))}
        </div>
      )}
      {picked && (
        <div className="mon-frame-tree">
          {tryJson(picked.text) !== undefined ? (
            <JsonTree value={tryJson(picked.text)} label="Frame" />
          ) : (
            <pre>{picked.text}</pre>
          )}
          {picked.truncated && <p className="muted">Cut at 4 KiB.</p>}
        </div>
      )}
    </section>
  );
}
