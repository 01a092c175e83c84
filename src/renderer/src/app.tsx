import { useEffect } from 'react';
import { HealthPanel } from './components/health-panel';
import { ScaleOutPanel } from './components/scale-out-panel';
import { StatusPill } from './components/status-pill';
import { startHealthPolling } from './store/health-actions';

/** The console shell. In this phase it shows whether the server is up and, for the admin, its scale-out. */
export function App() {
  useEffect(() => startHealthPolling(), []);
  return (
    <div className="app">
      <header className="topbar">
        <h1>Switchboard</h1>
        <StatusPill />
      </header>
      <main className="content">
        <HealthPanel />
        <ScaleOutPanel />
      </main>
    </div>
  );
}
