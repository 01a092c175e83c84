/** The realtime connection as the SDK reports it: a dot and a word, with the reason on hover. */
import { useShallow } from 'zustand/react/shallow';
import type { ConnectionStatus } from '../../../shared/client';
import { useAppStore } from '../store';

const LABELS: Record<ConnectionStatus, string> = {
  idle: 'Not connected',
  connecting: 'Connecting',
  open: 'Live',
  polling: 'Live (polling)',
  reconnecting: 'Reconnecting',
  closed: 'Disconnected',
};
const TONES: Record<ConnectionStatus, string> = {
  idle: 'wait',
  connecting: 'wait',
  open: 'ok',
  polling: 'ok',
  reconnecting: 'wait',
  closed: 'bad',
};

export function ConnectionStatusPill() {
  const { status, error } = useAppStore(
    useShallow((s) => ({ status: s.connection.state.status, error: s.connection.state.error })),
  );
  return (
    <span
      className={`pill pill-${TONES[status]}`}
      role="status"
      data-testid="connection-status"
      data-status={status}
      title={error && status !== 'open' ? error.message : undefined}
    >
      <span className="pill-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
