import { useShallow } from 'zustand/react/shallow';
import { formatDateTime, formatDuration, formatTime } from '../lib/format';
import { useNow } from '../lib/use-now';
import { useAppStore } from '../store';
import { checkHealth } from '../store/health-actions';

/** The server card: connecting, up (version, uptime, URL, start time) or down (reason and Retry). */
export function HealthPanel() {
  const { status, info, error, checkedAt, checking } = useAppStore(useShallow((s) => s.health));
  const serverUrl = useAppStore((s) => s.connection.serverUrl);
  const now = useNow(1000, status === 'up');

  if (status === 'error') {
    return (
      <section className="card card-error" data-testid="health-error">
        <h2>Server unavailable</h2>
        <p role="alert" data-testid="health-error-message">
          {error}
        </p>
        {info && (
          <p className="muted">
            It was running version {info.version}, started {formatDateTime(info.started_at)}.
          </p>
        )}
        <p className="muted">
          Checking again every few seconds{checkedAt ? ` (last check ${formatTime(checkedAt)})` : ''}.
        </p>
        <button
          type="button"
          onClick={() => void checkHealth()}
          disabled={checking}
          data-testid="health-retry"
        >
          {checking ? 'Checking…' : 'Retry'}
        </button>
      </section>
    );
  }

  if (status === 'loading' || !info) {
    return (
      <section className="card" data-testid="health-loading" aria-busy="true">
        <h2>Server</h2>
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" /> Connecting to {serverUrl ?? 'the server'}…
        </p>
      </section>
    );
  }

  const uptime = info.uptime_s + Math.max(0, (now - (checkedAt ?? now)) / 1000);
  return (
    <section className="card" data-testid="health-up">
      <h2>Server</h2>
      <dl className="facts" role="status">
        <dt>Status</dt>
        <dd>
          <span className="ok">Running</span>
        </dd>
        <dt>Version</dt>
        <dd data-testid="health-version">{info.version}</dd>
        <dt>Uptime</dt>
        <dd data-testid="health-uptime">{formatDuration(uptime)}</dd>
        <dt>URL</dt>
        <dd>
          <code data-testid="health-url">{serverUrl}</code>
        </dd>
        <dt>Started</dt>
        <dd data-testid="health-started-at" title={info.started_at}>
          {formatDateTime(info.started_at)}
        </dd>
      </dl>
    </section>
  );
}
