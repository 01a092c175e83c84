/**
 * Displays: the kiosk pages showing a collection. Each shows how many screens watch it now, its link
 * with a QR code, Open, Edit, and its key (revoke, or a new link). The "Share on the LAN" card sits on
 * top: a display's link is only useful to other screens once the server is shared.
 */
import { useEffect, useState } from 'react';
import { ExternalLink, KeyRound, MonitorPlay, Pencil, Plus, QrCode as QrIcon, Trash2 } from 'lucide-react';
import type { Display } from '../../../../shared/displays';
import { ShareOnLanCard, useLanBase } from '../sharing/sharing-card';
import { connection } from '../../sdk';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { ConfirmDialog } from '../../ui/confirm-dialog';
import { CopyButton } from '../../ui/copy-button';
import { Dialog } from '../../ui/dialog';
import { Badge, PageHeader } from '../../ui/page';
import { QrCode } from '../../ui/qr-code';
import { EmptyState, ListBody } from '../../ui/states';
import { deleteDisplay, loadDisplays, newDisplayKey, refreshDisplays, revokeDisplayKey } from './actions';
import { DisplayDialog } from './display-dialog';
import './displays.css';

// note: how often the "watching" counts refresh while the screen is open.
const REFRESH_MS = 4000;

type Pending =
  { kind: 'edit' | 'qr' | 'revoke' | 'delete' | 'rekey'; display: Display } | { kind: 'new' } | null;

/** The display's full link: on the LAN address while shared, else this server's own. */
function fullUrl(d: Display, lanBase: string | undefined): string | null {
  if (!d.url) return null;
  const base = lanBase ?? connection.serverUrl ?? location.origin;
  return new URL(d.url, base).toString();
}

export function DisplaysScreen() {
  const list = useAppStore((s) => s.displays.list);
  const lanBase = useLanBase();
  const [pending, setPending] = useState<Pending>(null);

  useEffect(() => {
    void loadDisplays();
    const t = setInterval(() => void refreshDisplays(), REFRESH_MS);
    return () => clearInterval(t);
  }, []);

  const close = () => setPending(null);
  const newDisplay = (
    <Button
      variant="primary"
      icon={<Plus size={16} aria-hidden="true" />}
      onClick={() => setPending({ kind: 'new' })}
    >
      New display
    </Button>
  );

  const cards = (data: readonly Display[]) => (
    <ul className="display-list" aria-label="Displays">
      {data.map((d) => {
        const url = fullUrl(d, lanBase);
        return (
          <li key={d.id} className="card display-card" data-testid="display-card" data-id={d.id}>
            <div className="display-card-head">
              <h2>{d.name}</h2>
              <Badge tone={d.watching > 0 ? 'ok' : 'neutral'}>
                <span data-testid="watching">{d.watching}</span> {d.watching === 1 ? 'screen' : 'screens'}{' '}
                watching
              </Badge>
              <Button
                size="sm"
                variant="ghost"
                className="display-delete"
                aria-label={`Delete ${d.name}`}
                title="Delete display"
                icon={<Trash2 size={14} aria-hidden="true" />}
                onClick={() => setPending({ kind: 'delete', display: d })}
              />
            </div>
            <p className="muted display-card-meta">
              <code>{d.collection}</code> · {d.config.layout}
              {d.config.layout === 'rotate' ? ` every ${d.config.rotate_seconds} s` : ''} · {d.config.theme} ·
              text {d.config.font_size.toUpperCase()}
              {d.config.filter ? ' · filtered' : ''}
            </p>
            {url ? (
              <div className="display-link">
                <code title={url}>{url.replace(/token=.*/, 'token=…')}</code>
                <CopyButton value={url} label="Copy link" />
              </div>
            ) : (
              <p className="notice notice-bad">
                Access revoked: its screens show that. Issue a new link to use it again.
              </p>
            )}
            <div className="display-actions">
              {url && (
                <a
                  className="btn btn-sm btn-secondary"
                  href={url}
                  target="_blank"
                  rel="noreferrer"
                  data-testid="open-display"
                >
                  <ExternalLink size={14} aria-hidden="true" /> Open
                </a>
              )}
              {url && (
                <Button
                  size="sm"
                  icon={<QrIcon size={14} aria-hidden="true" />}
                  onClick={() => setPending({ kind: 'qr', display: d })}
                >
                  QR code
                </Button>
              )}
              <Button
                size="sm"
                icon={<Pencil size={14} aria-hidden="true" />}
                onClick={() => setPending({ kind: 'edit', display: d })}
              >
                Edit
              </Button>
              {d.key_id ? (
                <Button
                  size="sm"
                  variant="ghost"
                  icon={<KeyRound size={14} aria-hidden="true" />}
                  onClick={() => setPending({ kind: 'revoke', display: d })}
                >
                  Revoke access
                </Button>
              ) : (
                <Button
                  size="sm"
                  variant="ghost"
                  icon={<KeyRound size={14} aria-hidden="true" />}
                  onClick={() => setPending({ kind: 'rekey', display: d })}
                >
                  New link
                </Button>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );

  const d = pending && 'display' in pending ? pending.display : undefined;
  const qrUrl = pending?.kind === 'qr' && d ? fullUrl(d, lanBase) : null;
  return (
    <>
      <PageHeader
        title="Displays"
        description="Kiosk pages that show a collection full screen and stay live by themselves."
        actions={newDisplay}
      />
      <ShareOnLanCard />
      <ListBody
        list={list}
        what="displays"
        onRetry={() => void loadDisplays()}
        empty={
          <EmptyState
            icon={<MonitorPlay size={28} aria-hidden="true" />}
            title="No displays yet"
            action={newDisplay}
          >
            A display shows a collection full screen on a TV or kiosk and updates the moment a record changes.
            Each gets its own read-only link and QR code. Without one, /display/&lt;collection&gt; shows a
            public collection as a list.
          </EmptyState>
        }
      >
        {cards}
      </ListBody>
      <DisplayDialog
        open={pending?.kind === 'new' || pending?.kind === 'edit'}
        display={pending?.kind === 'edit' ? d : undefined}
        onClose={close}
      />
      <Dialog
        open={!!qrUrl}
        title={d ? `Open ${d.name} on a screen` : 'QR code'}
        onClose={close}
        testId="display-qr"
      >
        {qrUrl && (
          <div className="display-qr">
            <QrCode value={qrUrl} size={240} label={`QR code for ${d?.name}`} />
            <p className="muted">
              Scan with the screen&apos;s browser, or type the link.
              {!lanBase &&
                ' This link works on this machine only: share on the LAN so other screens can open it.'}
            </p>
            <div className="display-link">
              <code>{qrUrl}</code>
              <CopyButton value={qrUrl} label="Copy link" />
            </div>
          </div>
        )}
      </Dialog>
      <ConfirmDialog
        open={pending?.kind === 'revoke'}
        title={d ? `Revoke the access of ${d.name}?` : 'Revoke access?'}
        confirmLabel="Revoke access"
        consequence={
          d && (
            <p>
              Its {d.watching} {d.watching === 1 ? 'screen' : 'screens'} stop at once and show that their
              access was revoked. You can issue a new link later; screens then need that new link.
            </p>
          )
        }
        onConfirm={async () => {
          if (!d) return null;
          const r = await revokeDisplayKey(d);
          return r.ok ? null : r.error.message;
        }}
        onClose={close}
      />
      <ConfirmDialog
        open={pending?.kind === 'rekey'}
        title={d ? `A new link for ${d.name}?` : 'New link?'}
        confirmLabel="Issue new link"
        consequence={
          <p>A new read-only key is made for this display; open the new link or QR on its screens.</p>
        }
        onConfirm={async () => {
          if (!d) return null;
          const r = await newDisplayKey(d);
          return r.ok ? null : r.error.message;
        }}
        onClose={close}
      />
      <ConfirmDialog
        open={pending?.kind === 'delete'}
        title={d ? `Delete the display ${d.name}?` : 'Delete the display?'}
        confirmLabel="Delete display"
        consequence={
          d && (
            <p>
              Its settings and its key go; its {d.watching} {d.watching === 1 ? 'screen' : 'screens'} stop at
              once. The records of <code>{d.collection}</code> stay. This cannot be undone.
            </p>
          )
        }
        onConfirm={async () => {
          if (!d) return null;
          const r = await deleteDisplay(d);
          return r.ok ? null : r.error.message;
        }}
        onClose={close}
      />
    </>
  );
}
