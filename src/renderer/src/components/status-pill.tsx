import { useAppStore } from '../store';
import type { HealthStatus } from '../store/health-slice';

const LABELS: Record<HealthStatus, string> = { loading: 'Connecting', up: 'Server up', error: 'Server down' };

/** A small coloured badge with the server's state, for the header. */
export function StatusPill() {
  const status = useAppStore((s) => s.health.status);
  return (
    <span className={`pill pill-${status}`} data-testid="status-pill" data-status={status}>
      <span className="pill-dot" aria-hidden="true" />
      {LABELS[status]}
    </span>
  );
}
