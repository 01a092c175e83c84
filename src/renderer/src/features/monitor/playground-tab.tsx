/**
 * The Playground (Supabase's Realtime Inspector): connect a test client from the browser — anonymous, as a
 * user (email and password), or with an API key — in any dialect, subscribe with a filter, watch the raw
 * frames in and out, send frames, keep a few saved messages. The client lives in playground-session.ts, so
 * it stays connected on the other tabs (the Events tab replays past events into it).
 */
import { useState } from 'react';
import { ArrowDown, ArrowUp, Info, Plug, PlugZap, Save, Send, Trash2 } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button } from '../../ui/button';
import { Card } from '../../ui/page';
import { FrameRow } from './frame-row';
import { JsonTree, tryJson } from './json-tree';
import {
  DIALECTS,
  loadSaved,
  storeSaved,
  type DialectId,
  type PlaygroundFrame,
  type SavedMessage,
} from './playground-model';
import {
  clearPlaygroundFrames,
  connectPlayground,
  disconnectPlayground,
  pickPlaygroundConnection,
  sendPlayground,
  setPlaygroundForm,
  usePlayground,
  type ConnectAs,
} from './playground-session';

export default function PlaygroundTab() {
  const { form, state, error, frames, connectionId, candidates } = usePlayground(
    useShallow((s) => ({
      form: s.form,
      state: s.state,
      error: s.error,
      frames: s.frames,
      connectionId: s.connectionId,
      candidates: s.candidates,
    })),
  );
  const { as, email, password, apiKey, dialect, collection, filter } = form;
  const [picked, setPicked] = useState<PlaygroundFrame | null>(null);
  const [draft, setDraft] = useState('{ "action": "ping" }');
  const [saved, setSaved] = useState<SavedMessage[]>(loadSaved);
  const spec = DIALECTS.find((d) => d.id === dialect)!;
  const send = (text: string) => void sendPlayground(text);

  const save = () => {
    const name = draft.trim().slice(0, 40);
    const next = [{ name, text: draft }, ...saved.filter((m) => m.text !== draft)];
    setSaved(next);
    storeSaved(next);
  };
  const remove = (m: SavedMessage) => {
    const next = saved.filter((x) => x !== m);
    setSaved(next);
    storeSaved(next);
  };

  const open = state !== 'closed';
  return (
    <div className="mon-play">
      <Card title="Test client" className="mon-play-form">
        <form
          className="form"
          onSubmit={(e) => {
            e.preventDefault();
            if (open) disconnectPlayground();
            else void connectPlayground();
          }}
        >
          <label className="field">
            <span className="field-label">Connect as</span>
            <select
              value={as}
              onChange={(e) => setPlaygroundForm({ as: e.target.value as ConnectAs })}
              disabled={open}
            >
              <option value="anonymous">Anonymous</option>
              <option value="user">A user (email and password)</option>
              <option value="key">An API key</option>
            </select>
          </label>
          {as === 'user' && (
            <>
              <label className="field">
                <span className="field-label">Email</span>
                <input
                  value={email}
                  onChange={(e) => setPlaygroundForm({ email: e.target.value })}
                  autoComplete="off"
                  disabled={open}
                />
              </label>
              <label className="field">
                <span className="field-label">Password</span>
                <input
                  type="password"
                  value={password}
                  onChange={(e) => setPlaygroundForm({ password: e.target.value })}
                  autoComplete="off"
                  disabled={open}
                />
              </label>
            </>
          )}
          {as === 'key' && (
            <label className="field">
              <span className="field-label">API key</span>
              <input
                value={apiKey}
                onChange={(e) => setPlaygroundForm({ apiKey: e.target.value })}
                placeholder="sbk_…"
                autoComplete="off"
                disabled={open}
              />
            </label>
          )}
          <label className="field">
            <span className="field-label">Dialect</span>
            <select
              value={dialect}
              onChange={(e) => setPlaygroundForm({ dialect: e.target.value as DialectId })}
              disabled={open}
            >
              {DIALECTS.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.label}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span className="field-label">Collection</span>
            <input
              value={collection}
              onChange={(e) => setPlaygroundForm({ collection: e.target.value })}
              placeholder="posts"
              disabled={open}
            />
          </label>
          {spec.filters && (
            <label className="field">
              <span className="field-label">Filter (JSON, optional)</span>
              <input
                value={filter}
                onChange={(e) => setPlaygroundForm({ filter: e.target.value })}
                placeholder='{"published": true}'
                disabled={open}
              />
            </label>
          )}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <Button
            type="submit"
            variant={open ? 'secondary' : 'primary'}
            busy={state === 'connecting'}
            icon={open ? <Plug size={14} aria-hidden="true" /> : <PlugZap size={14} aria-hidden="true" />}
          >
            {open ? 'Disconnect' : 'Connect'}
          </Button>
          {state === 'open' && <ConnectionLine connectionId={connectionId} candidates={candidates} />}
        </form>
      </Card>
      <Card
        title={`Frames${state === 'open' ? ' · connected' : ''}`}
        className="mon-play-frames"
        actions={
          frames.length > 0 && (
            <Button size="sm" variant="ghost" onClick={clearPlaygroundFrames}>
              Clear
            </Button>
          )
        }
      >
        <div className="mon-test">
          <textarea
            aria-label="Message to send"
            rows={3}
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            spellCheck={false}
          />
          <div className="mon-test-buttons">
            <Button
              size="sm"
              icon={<Send size={14} aria-hidden="true" />}
              onClick={() => send(draft)}
              disabled={spec.transport === 'sse'}
            >
              Send
            </Button>
            <Button size="sm" variant="ghost" icon={<Save size={14} aria-hidden="true" />} onClick={save}>
              Save
            </Button>
          </div>
        </div>
        {saved.length > 0 && (
          <ul className="mon-saved" aria-label="Saved messages">
            {saved.map((m) => (
              <li key={m.text}>
                <button
                  type="button"
                  className="mon-saved-load"
                  onClick={() => setDraft(m.text)}
                  title={m.text}
                >
                  {m.name}
                </button>
                <button
                  type="button"
                  className="icon-btn"
                  aria-label={`Forget ${m.name}`}
                  onClick={() => remove(m)}
                >
                  <Trash2 size={13} aria-hidden="true" />
                </button>
              </li>
            ))}
          </ul>
        )}
        {frames.length === 0 ? (
          <p className="muted">Connect, then write a record anywhere: its frame shows here.</p>
        ) : (
          <div className="mon-frames" role="list" data-testid="playground-frames">
            {frames.map((f, i) => (
              <FrameRow
                key={`${f.at}-${frames.length - i}`}
                direction={f.direction}
                arrow={
                  f.direction === 'out' ? (
                    <ArrowUp size={13} aria-label="sent" className="mon-in" />
                  ) : f.direction === 'in' ? (
                    <ArrowDown size={13} aria-label="received" className="mon-out" />
                  ) : (
                    <Info size={13} aria-label="note" />
                  )
                }
                text={f.text}
                size={f.direction === 'info' ? '' : new Blob([f.text]).size}
                at={f.at}
                open={picked === f}
                onToggle={() => setPicked(picked === f ? null : f)}
                testId="playground-frame"
              />
            ))}
          </div>
        )}
        {picked && tryJson(picked.text) !== undefined && (
          <div className="mon-frame-tree">
            <JsonTree value={tryJson(picked.text)} label="Frame" />
          </div>
        )}
      </Card>
    </div>
  );
}

/** Which server connection the test client is (what a replay targets), or a choice when several match. */
function ConnectionLine({ connectionId, candidates }: { connectionId: string | null; candidates: string[] }) {
  if (connectionId)
    return (
      <p className="mon-play-conn" data-testid="playground-connection" data-id={connectionId}>
        Connection <code>{connectionId}</code> · replay past events into it from the Events tab.
      </p>
    );
  if (candidates.length > 1)
    return (
      <label className="field">
        <span className="field-label">Several connections match this client: which one is it?</span>
        <select defaultValue="" onChange={(e) => e.target.value && pickPlaygroundConnection(e.target.value)}>
          <option value="">Choose…</option>
          {candidates.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
      </label>
    );
  return (
    <p className="mon-play-conn muted" data-testid="playground-connection">
      Finding this client among the monitor's connections…
    </p>
  );
}
