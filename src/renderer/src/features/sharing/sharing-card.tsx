/**
 * "Share on the LAN": the superuser's switch, what it means, and while shared the URLs other machines
 * open, each with a QR code and a copy button. Exported for the Displays and Settings screens.
 */
import { useEffect } from 'react';
import { AlertTriangle, ExternalLink, Wifi, WifiOff } from 'lucide-react';
import { useAppStore } from '../../store';
import { CopyButton } from '../../ui/copy-button';
import { Badge, Card } from '../../ui/page';
import { QrCode } from '../../ui/qr-code';
import { ErrorState, LoadingState } from '../../ui/states';
import { loadSharing, refreshSharing, setSharing } from './actions';
import './sharing.css';

// note: the LAN client count refreshes this often while the card is on screen.
const REFRESH_MS = 5000;

export function ShareOnLanCard() {
  const status = useAppStore((s) => s.sharing.status);
  const superuser = useAppStore((s) => !!s.auth.user?.superuser || s.auth.mode === 'bridge');

  useEffect(() => {
    if (!superuser) return;
    void loadSharing();
    const t = setInterval(() => void refreshSharing(), REFRESH_MS);
    return () => clearInterval(t);
  }, [superuser]);

  if (!superuser) return null;
  const s = status.data;
  let body;
  if (!s && status.status === 'error') {
    body = (
      <ErrorState
        title="Could not read LAN sharing"
        message={status.error!.message}
        onRetry={() => void loadSharing()}
      />
    );
  } else if (!s) {
    body = <LoadingState label="Reading LAN sharing…" />;
  } else {
    body = (
      <>
        <div className="share-row">
          <label className="share-switch">
            <input
              type="checkbox"
              role="switch"
              checked={s.lan}
              disabled={s.locked || status.status === 'loading'}
              aria-describedby="share-what"
              onChange={(e) => void setSharing(e.target.checked)}
              data-testid="share-switch"
            />
            <span>Share on the LAN</span>
          </label>
          {s.lan ? (
            <Badge tone="ok">
              <Wifi size={12} aria-hidden="true" /> shared · {s.lan_clients}{' '}
              {s.lan_clients === 1 ? 'LAN client' : 'LAN clients'}
            </Badge>
          ) : (
            <Badge>
              <WifiOff size={12} aria-hidden="true" /> this machine only
            </Badge>
          )}
          <span className="muted share-listening">listening on {s.listening.join(', ')}</span>
        </div>
        <p id="share-what" className="notice notice-wait">
          <AlertTriangle size={16} aria-hidden="true" />
          <span>
            Sharing lets every device on this network reach the console, the API and the display pages. Public
            collections become readable to anyone here; everything else still needs a password or a key, and
            this app&apos;s own sign-in never works from another machine.
            {s.locked && ' Set on the command line (--host) at start: restart without it to switch here.'}
          </span>
        </p>
        {s.lan && s.urls.length === 0 && (
          <p className="muted">No network address found: connect this machine to a network.</p>
        )}
        {s.lan && s.urls.length > 0 && (
          <ul className="share-urls" data-testid="share-urls">
            {s.urls.map((u) => (
              <li key={u} className="share-url">
                <QrCode value={u} size={112} label={`QR code for ${u}`} />
                <div className="share-url-text">
                  <code>{u}</code>
                  <div className="share-url-actions">
                    <CopyButton value={u} label="Copy URL" />
                    <a className="btn btn-sm btn-ghost" href={u} target="_blank" rel="noreferrer">
                      <ExternalLink size={14} aria-hidden="true" /> Open
                    </a>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        )}
      </>
    );
  }
  return (
    <Card title="Share on the LAN" testId="sharing-card">
      {body}
    </Card>
  );
}

/** The first LAN URL while shared (for display links other screens can open), else undefined. */
export function useLanBase(): string | undefined {
  return useAppStore((s) => (s.sharing.status.data?.lan ? s.sharing.status.data.urls[0] : undefined));
}
