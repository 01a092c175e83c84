/**
 * The sidebar: Collections (each by name), Users, API keys, Monitor, Displays and Settings. Links are
 * plain hash links (middle-click opens a tab); the current one has aria-current.
 */
import type { ReactNode } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Activity, Database, KeyRound, LogOut, MonitorPlay, Settings, Table2, Users } from 'lucide-react';
import { signOut } from '../features/auth/actions';
import { collectionHref } from '../lib/router';
import { useAppStore } from '../store';
import { ConnectionStatusPill } from './connection-status';
import { ThemeSwitch } from './theme-switch';

function NavLink({
  href,
  current,
  icon,
  children,
}: {
  href: string;
  current: boolean;
  icon: ReactNode;
  children: ReactNode;
}) {
  return (
    <li>
      <a href={href} className="nav-link" aria-current={current ? 'page' : undefined}>
        {icon}
        <span className="nav-label">{children}</span>
      </a>
    </li>
  );
}

const icon = (I: typeof Users) => <I size={16} aria-hidden="true" />;

export function Sidebar() {
  const route = useAppStore((s) => s.route);
  const collections = useAppStore(useShallow((s) => (s.collections.list.data ?? []).map((c) => c.name)));
  const listStatus = useAppStore((s) => s.collections.list.status);
  const { user, mode } = useAppStore(useShallow((s) => ({ user: s.auth.user, mode: s.auth.mode })));
  const is = (screen: string) => route.screen === screen;

  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Switchboard
      </div>
      <div className="nav-scroll">
        <h2 className="nav-heading">Content</h2>
        <ul className="nav-list">
          <NavLink href="#/collections" current={is('collections')} icon={icon(Database)}>
            Collections
          </NavLink>
        </ul>
        <ul className="nav-list nav-sub" aria-label="Collections">
          {collections.map((name) => (
            <NavLink
              key={name}
              href={collectionHref(name)}
              current={is('collection') && route.params.name === name}
              icon={icon(Table2)}
            >
              {name}
            </NavLink>
          ))}
          {listStatus === 'ready' && collections.length === 0 && (
            <li className="nav-empty">No collections yet</li>
          )}
        </ul>
        <h2 className="nav-heading">Access</h2>
        <ul className="nav-list">
          <NavLink href="#/users" current={is('users')} icon={icon(Users)}>
            Users
          </NavLink>
          <NavLink href="#/keys" current={is('keys')} icon={icon(KeyRound)}>
            API keys
          </NavLink>
        </ul>
        <h2 className="nav-heading">Live</h2>
        <ul className="nav-list">
          <NavLink href="#/monitor" current={is('monitor')} icon={icon(Activity)}>
            Monitor
          </NavLink>
          <NavLink href="#/displays" current={is('displays')} icon={icon(MonitorPlay)}>
            Displays
          </NavLink>
        </ul>
        <h2 className="nav-heading">Instance</h2>
        <ul className="nav-list">
          <NavLink href="#/settings" current={is('settings')} icon={icon(Settings)}>
            Settings
          </NavLink>
        </ul>
      </div>
      <div className="sidebar-footer">
        <div className="sidebar-row">
          <ConnectionStatusPill />
          <ThemeSwitch />
        </div>
        <div className="sidebar-row">
          <span className="whoami" title={user?.email} data-testid="whoami">
            {user?.email ?? (mode === 'bridge' ? 'Desktop owner' : '')}
          </span>
          {mode === 'password' && (
            <button
              type="button"
              className="icon-btn"
              aria-label="Sign out"
              title="Sign out"
              onClick={() => void signOut()}
            >
              <LogOut size={16} aria-hidden="true" />
            </button>
          )}
        </div>
      </div>
    </nav>
  );
}
