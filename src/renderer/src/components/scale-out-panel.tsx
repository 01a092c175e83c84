import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ScaleOutStatus } from '../lib/settings-api';
import { useAppStore } from '../store';
import { loadSettings, setRedisUrl } from '../store/settings-actions';

const SINGLE = 'Single process (in-memory pub/sub)';

/**
 * The scale-out card: whether the server relays realtime events through Redis, and a form to change it.
 * Instance settings are the superuser's, so the card exists only when the console holds an admin token
 * (the desktop app); it loads once the server is up.
 */
export function ScaleOutPanel() {
  const adminToken = useAppStore((s) => s.connection.adminToken);
  const serverUp = useAppStore((s) => s.health.status === 'up');
  const { status, scaleOut, error } = useAppStore(
    useShallow((s) => ({
      status: s.settings.status,
      scaleOut: s.settings.scaleOut,
      error: s.settings.error,
    })),
  );

  useEffect(() => {
    if (adminToken && serverUp && status === 'idle') void loadSettings();
  }, [adminToken, serverUp, status]);

  if (!adminToken) return null;

  if (status === 'error') {
    return (
      <section className="card card-error scale-out" data-testid="scale-out-error">
        <h2>Scale-out</h2>
        <p role="alert" data-testid="scale-out-error-message">
          {error}
        </p>
        <button type="button" onClick={() => void loadSettings()}>
          Retry
        </button>
      </section>
    );
  }

  if (!scaleOut) {
    return (
      <section className="card scale-out" data-testid="scale-out-loading" aria-busy="true">
        <h2>Scale-out</h2>
        <p className="muted" role="status">
          <span className="spinner" aria-hidden="true" />{' '}
          {status === 'loading' ? 'Loading settings…' : 'Waiting for the server…'}
        </p>
      </section>
    );
  }

  return (
    <section className="card scale-out" data-testid="scale-out" data-state={scaleOut.state}>
      <h2>Scale-out</h2>
      <ScaleOutSummary scaleOut={scaleOut} />
      {scaleOut.editable ? (
        <ScaleOutForm connected={scaleOut.state !== 'off'} />
      ) : (
        <p className="muted" data-testid="scale-out-locked">
          The server was started with <code>--redis</code> or <code>SWITCHBOARD_REDIS_URL</code>, which wins
          over the console. Change it there and restart the server.
        </p>
      )}
    </section>
  );
}

/** Where events go, where the URL came from, and why a saved Redis is not in use. */
function ScaleOutSummary({ scaleOut }: { scaleOut: ScaleOutStatus }) {
  const { state, redis_url: url, source } = scaleOut;
  return (
    <>
      <dl className="facts" role="status">
        <dt>Pub/sub</dt>
        <dd data-testid="scale-out-state">
          {state === 'connected' ? (
            <>
              <span className="ok">Relaying</span> to <code>{url}</code>
            </>
          ) : (
            SINGLE
          )}
        </dd>
        {source && (
          <>
            <dt>Source</dt>
            <dd data-testid="scale-out-source">
              {source === 'flag' ? (
                <>
                  set by <code>--redis</code> / <code>SWITCHBOARD_REDIS_URL</code>
                </>
              ) : (
                'saved from the console'
              )}
            </dd>
          </>
        )}
      </dl>
      {state === 'error' && (
        <p className="notice-error" role="alert" data-testid="scale-out-unreachable">
          The saved Redis <code>{url}</code> is unreachable: {scaleOut.error}. The server runs as a single
          process until a URL that works is saved.
        </p>
      )}
    </>
  );
}

/** The Redis URL input with Connect (and Disconnect while a URL is set); keeps the text until it works. */
function ScaleOutForm({ connected }: { connected: boolean }) {
  const { saving, saveError } = useAppStore(
    useShallow((s) => ({ saving: s.settings.saving, saveError: s.settings.saveError })),
  );
  const [draft, setDraft] = useState('');
  const inputId = useId();
  const errorId = useId();

  const apply = async (url: string | null): Promise<void> => {
    if (await setRedisUrl(url)) setDraft('');
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    if (draft.trim()) void apply(draft.trim());
  };

  return (
    <form className="scale-out-form" onSubmit={onSubmit} aria-busy={saving !== null} noValidate>
      <label htmlFor={inputId}>Redis URL</label>
      <div className="field-row">
        <input
          id={inputId}
          type="text"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          placeholder="redis://127.0.0.1:6379"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          aria-invalid={saveError !== null}
          aria-describedby={saveError !== null ? errorId : undefined}
          data-testid="scale-out-input"
        />
        <button type="submit" disabled={saving !== null || !draft.trim()}>
          {saving === 'connect' ? 'Connecting…' : 'Connect'}
        </button>
        {connected && (
          <button
            type="button"
            className="button-secondary"
            disabled={saving !== null}
            onClick={() => void apply(null)}
          >
            {saving === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
          </button>
        )}
      </div>
      {saveError !== null ? (
        <p id={errorId} className="field-error" role="alert" data-testid="scale-out-field-error">
          {saveError}
        </p>
      ) : (
        <p className="muted hint">The server joins the cluster at once and saves the URL only if it works.</p>
      )}
    </form>
  );
}
