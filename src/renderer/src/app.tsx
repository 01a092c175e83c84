/**
 * The console shell: the login form until someone is signed in, then the sidebar and the current screen.
 * Screens are chosen from the route (lib/router.ts); to add one, add its `Screen` there and a line here.
 */
import type { ReactNode } from 'react';
import { LoginScreen } from './features/auth/login-screen';
import { CollectionScreen } from './features/collections/collection-screen';
import { CollectionsScreen } from './features/collections/collections-screen';
import { DisplaysScreen } from './features/displays/displays-screen';
import { KeysScreen } from './features/keys/keys-screen';
import { MonitorScreen } from './features/monitor/monitor-screen';
import { SettingsScreen } from './features/settings/settings-screen';
import { UsersScreen } from './features/users/users-screen';
import type { Route, Screen } from './lib/router';
import { NotFoundScreen } from './shell/placeholder-screens';
import { Sidebar } from './shell/sidebar';
import { Toaster } from './shell/toaster';
import { useAppStore } from './store';
import { LoadingState } from './ui/states';

const SCREENS: Record<Screen, (route: Route) => ReactNode> = {
  collections: () => <CollectionsScreen />,
  collection: (r) => <CollectionScreen key={r.params.name} name={r.params.name!} />,
  users: () => <UsersScreen />,
  keys: () => <KeysScreen />,
  settings: () => <SettingsScreen />,
  monitor: () => <MonitorScreen />,
  displays: () => <DisplaysScreen />,
  'not-found': (r) => <NotFoundScreen path={r.path} />,
};

export function App() {
  const status = useAppStore((s) => s.auth.status);
  const route = useAppStore((s) => s.route);

  if (status === 'restoring') {
    return (
      <main className="center-page">
        <LoadingState label="Restoring your session…" />
      </main>
    );
  }
  if (status === 'signed-out') return <LoginScreen />;

  return (
    <div className="shell">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // note: the hash is the router's; move focus instead of navigating.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <Sidebar />
      <main id="main" className="main" tabIndex={-1} data-screen={route.screen}>
        {SCREENS[route.screen](route)}
      </main>
      <Toaster />
    </div>
  );
}
