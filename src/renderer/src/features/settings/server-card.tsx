/** The server: version, uptime, URL, start time (read once and after each reconnect, not polled). */
import { useShallow } from 'zustand/react/shallow';
import { formatDateTime, formatDuration } from '../../lib/format';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../store';
import { loadHealth } from '../../store/connection';
import { Card } from '../../ui/page';
import { ErrorState, LoadingState } from '../../ui/states';

export function ServerCard() {
  const { health, healthAt, serverUrl } = useAppStore(
    useShallow((s) => ({
      health: s.connection.health,
      healthAt: s.connection.healthAt,
      serverUrl: s.connection.serverUrl,
    })),
  );
  const info = health.data;
  const now = useNow(1000, !!info);
  if (!info) {
    return (
      <Card title="Server" testId="server-card">
        {health.status === 'error' ? (
          <ErrorState
            title="Server unavailable"
            message={health.error!.message}
            onRetry={() => void loadHealth()}
          />
        ) : (
          <LoadingState label={`Connecting to ${serverUrl ?? 'the server'}…`} />
        )}
      </Card>
    );
  }
  const uptime = info.uptime_s + Math.max(0, (now - (healthAt ?? now)) / 1000);
  return (
    <Card title="Server" testId="server-card">
      <dl className="facts">
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
    </Card>
  );
}
