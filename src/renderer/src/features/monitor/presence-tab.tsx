/** The Presence tab: who is present in each account (with their state), and joins and leaves as they happen. */
import { useMemo } from 'react';
import { Users } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import type { PresentUser } from '../../../../shared/admin';
import { useNow } from '../../lib/use-now';
import { useAppStore } from '../../store';
import { Card } from '../../ui/page';
import { EmptyState } from '../../ui/states';
import { ago, clockMs } from './format';
import { live } from './live-data';

export function PresenceTab() {
  const { presence, logVersion } = useAppStore(
    useShallow((s) => ({ presence: s.monitor.presence, logVersion: s.monitor.presenceLogVersion })),
  );
  const now = useNow(5000);
  const byAccount = useMemo(() => {
    const m = new Map<string, PresentUser[]>();
    for (const u of presence) {
      const l = m.get(u.account) ?? [];
      l.push(u);
      m.set(u.account, l);
    }
    return [...m.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }, [presence]);
  const log = useMemo(() => live.presenceLog.toArray().reverse().slice(0, 200), [logVersion]);

  return (
    <div className="mon-presence">
      <div className="mon-presence-now" data-testid="presence-list">
        {byAccount.length === 0 && (
          <EmptyState icon={<Users size={28} aria-hidden="true" />} title="Nobody is present">
            A client that subscribes to presence shows here while it is connected.
          </EmptyState>
        )}
        {byAccount.map(([account, users]) => (
          <Card key={account} title={`${account} · ${users.length} present`}>
            <ul className="mon-people">
              {users.map((u) => (
                <li key={u.user_id} data-testid="present-user">
                  <span className="pill-dot mon-dot-ok" aria-hidden="true" />
                  <strong>{u.email ?? u.user_id}</strong>
                  <span className="muted">
                    {u.kind} · {u.connections ?? 1} connection{(u.connections ?? 1) === 1 ? '' : 's'}
                    {u.dialects?.length ? ` · ${u.dialects.join(', ')}` : ''}
                    {u.since ? ` · for ${ago(Date.parse(u.since), now)}` : ''}
                  </span>
                  {u.state && Object.keys(u.state).length > 0 && (
                    <code className="mon-state">{JSON.stringify(u.state)}</code>
                  )}
                </li>
              ))}
            </ul>
          </Card>
        ))}
      </div>
      <Card title="Joins and leaves" className="mon-presence-log">
        {log.length === 0 ? (
          <p className="muted">Nothing yet. Joins, leaves and state changes appear here as they happen.</p>
        ) : (
          <ol className="mon-log" data-testid="presence-log">
            {log.map((e, i) => (
              <li key={`${e.at}-${i}`} data-event={e.event}>
                <span className="mon-mono muted">{clockMs(e.at)}</span>
                <span
                  className={`badge ${e.event === 'user.joined' ? 'badge-ok' : e.event === 'user.left' ? 'badge-wait' : ''}`}
                >
                  {e.event === 'user.joined' ? 'joined' : e.event === 'user.left' ? 'left' : 'state'}
                </span>
                <span>{e.who}</span>
                <span className="muted">{e.account}</span>
                {e.state && <code className="mon-state">{JSON.stringify(e.state)}</code>}
              </li>
            ))}
          </ol>
        )}
      </Card>
    </div>
  );
}
