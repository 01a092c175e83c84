/** Boot: theme, router, connectivity, auth, live wiring and shortcuts, then render the shell. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { startAuth } from './features/auth/actions';
import { startShortcuts } from './shell/keyboard';
import { startLive } from './shell/live';
import { startConnectivity } from './store/connection';
import { startTheme } from './store/prefs';
import { startRouter } from './store/route';
import './styles.css';

startTheme();
startRouter();
startConnectivity();
startAuth();
startLive();
startShortcuts();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
