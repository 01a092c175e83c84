/**
 * The scale-out card: whether the server relays realtime events through Redis, and a form to change it.
 * Instance settings are the owner's (superuser): other admins see why they cannot change them.
 */
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ScaleOutStatus } from '../../../../shared/admin';
import { useAppStore } from '../../store';
import { Button } from '../../ui/button';
import { Card } from '../../ui/page';
import { ErrorState, LoadingState } from '../../ui/states';
import { loadSettings, setRedisUrl } from './actions';

const SINGLE = 'Single process (in-memory pub/sub)';

export function ScaleOutCard() {
  const superuser = useAppStore((s) => s.auth.user?.superuser ?? s.auth.mode === 'bridge');
  const instance = useAppStore((s) => s.settings.instance);

  useEffect(() => {
    if (superuser) void loadSettings();
  }, [superuser]);

  if (!superuser) {
    return (
      <Card title="Scale-out" testId="scale-out-locked">
        <p className="muted">Only the server’s owner may see and change how it scales out.</p>
      </Card>
    );
  }
  const scaleOut = instance.data?.scale_out;
  if (!scaleOut) {
    return (
      <Card title="Scale-out" testId={instance.status === 'error' ? 'scale-out-error' : 'scale-out-loading'}>
        {instance.status === 'error' ? (
          <ErrorState
            title="Could not read the settings"
            message={instance.error!.message}
            onRetry={() => void loadSettings()}
          />
        ) : (
          <LoadingState label="Loading settings…" />
        )}
      </Card>
    );
  }
  return (
    <Card title="Scale-out" testId="scale-out" className="scale-out">
      <div data-state={scaleOut.state}>
        <ScaleOutSummary scaleOut={scaleOut} />
        {scaleOut.editable ? (
          <ScaleOutForm connected={scaleOut.state !== 'off'} />
        ) : (
          <p className="muted" data-testid="scale-out-flag">
            The server was started with <code>--redis</code> or <code>SWITCHBOARD_REDIS_URL</code>, which wins
            over the console. Change it there and restart the server.
          </p>
        )}
      </div>
    </Card>
  );
}

/** Where events go, where the URL came from, and why a saved Redis is not in use. */
function ScaleOutSummary({ scaleOut }: { scaleOut: ScaleOutStatus }) {
  const { state, redis_url: url, source } = scaleOut;
  return (
    <>
      <dl className="facts">
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
        <p className="notice notice-bad" role="alert" data-testid="scale-out-unreachable">
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
        <Button
          type="submit"
          variant="primary"
          busy={saving === 'connect'}
          disabled={saving !== null || !draft.trim()}
        >
          {saving === 'connect' ? 'Connecting…' : 'Connect'}
        </Button>
        {connected && (
          <Button busy={saving === 'disconnect'} disabled={saving !== null} onClick={() => void apply(null)}>
            {saving === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
          </Button>
        )}
      </div>
      {saveError !== null ? (
        <p id={errorId} className="field-error" role="alert" data-testid="scale-out-field-error">
          {saveError}
        </p>
      ) : (
        <p className="field-hint">The server joins the cluster at once and saves the URL only if it works.</p>
      )}
    </form>
  );
}
