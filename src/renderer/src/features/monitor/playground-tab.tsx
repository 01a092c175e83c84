/**
 * The Playground (Supabase's Realtime Inspector): connect a test client from the browser — anonymous, as a
 * user (email and password), or with an API key — in any dialect, subscribe with a filter, watch the raw
 * frames in and out, send frames, keep a few saved messages.
 */
import { useEffect, useRef, useState } from 'react';
import { ArrowDown, ArrowUp, Info, Plug, PlugZap, Save, Send, Trash2 } from 'lucide-react';
import { authApi } from '../../../../shared/client';
import { connection } from '../../sdk';
import { Button } from '../../ui/button';
import { Card } from '../../ui/page';
import { clockMs } from './format';
import { JsonTree, tryJson } from './json-tree';
import {
  DIALECTS,
  loadSaved,
  playgroundUrl,
  storeSaved,
  subscribeMessage,
  type DialectId,
  type PlaygroundFrame,
  type SavedMessage,
} from './playground-model';

type As = 'anonymous' | 'user' | 'key';
// note: enough to read back a burst; older frames scroll away.
const KEPT = 500;

export default function PlaygroundTab() {
  const [as, setAs] = useState<As>('anonymous');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [apiKey, setApiKey] = useState('');
  const [dialect, setDialect] = useState<DialectId>('native');
  const [collection, setCollection] = useState('');
  const [filter, setFilter] = useState('');
  const [state, setState] = useState<'closed' | 'connecting' | 'open'>('closed');
  const [error, setError] = useState<string | null>(null);
  const [frames, setFrames] = useState<PlaygroundFrame[]>([]);
  const [picked, setPicked] = useState<PlaygroundFrame | null>(null);
  const [draft, setDraft] = useState('{ "action": "ping" }');
  const [saved, setSaved] = useState<SavedMessage[]>(loadSaved);
  const socket = useRef<WebSocket | EventSource | null>(null);
  const spec = DIALECTS.find((d) => d.id === dialect)!;

  const log = (direction: PlaygroundFrame['direction'], text: string) =>
    setFrames((f) => [{ direction, at: Date.now(), text }, ...f].slice(0, KEPT));

  useEffect(() => () => socket.current?.close(), []);

  const connect = async () => {
    setError(null);
    const base = connection.serverUrl;
    if (!base) return setError('No server to connect to.');
    if (!collection.trim()) return setError('Name the collection to subscribe to.');
    if (spec.filters && filter.trim() && tryJson(filter) === undefined)
      return setError('The filter is not JSON, e.g. {"published": true}.');
    setState('connecting');
    let token: string | undefined;
    try {
      if (as === 'user') {
        const ctx = { baseUrl: () => base, token: () => undefined, fetch: globalThis.fetch.bind(globalThis) };
        token = (await authApi(ctx).login(email, password)).access_token;
      } else if (as === 'key') token = apiKey.trim() || undefined;
    } catch (e) {
      setState('closed');
      return setError(`Sign-in failed: ${(e as Error).message}`);
    }
    if (spec.needsToken && !token) {
      setState('closed');
      return setError(`${spec.label.split(' (')[0]} needs a user or an API key.`);
    }
    const target = { dialect, collection: collection.trim(), filter, token };
    const url = playgroundUrl(base, target);
    log('info', `Connecting to ${url.replace(/token=[^&]+/, 'token=…')}`);
    if (spec.transport === 'sse') {
      const es = new EventSource(url);
      socket.current = es;
      es.onopen = () => setState('open');
      const onMsg = (e: MessageEvent) => log('in', String(e.data));
      es.onmessage = onMsg;
      for (const t of ['record.created', 'record.updated', 'record.deleted']) es.addEventListener(t, onMsg);
      es.onerror = () => log('info', 'The stream dropped; the browser retries.');
      return;
    }
    const ws = new WebSocket(url);
    socket.current = ws;
    ws.onopen = () => {
      setState('open');
      const sub = subscribeMessage(target);
      if (sub) send(JSON.stringify(sub));
    };
    ws.onmessage = (e) => log('in', String(e.data));
    ws.onclose = (e) => {
      if (socket.current === ws) socket.current = null;
      setState('closed');
      log('info', `Closed: ${e.code}${e.reason ? ` ${e.reason}` : ''}`);
    };
  };

  const disconnect = () => {
    const s = socket.current;
    socket.current = null;
    s?.close();
    setState('closed');
    if (s instanceof EventSource) log('info', 'Closed.');
  };

  const send = (text: string) => {
    const s = socket.current;
    if (!(s instanceof WebSocket) || s.readyState !== WebSocket.OPEN)
      return setError('Connect a WebSocket dialect first.');
    s.send(text);
    log('out', text);
  };

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
            if (open) disconnect();
            else void connect();
          }}
        >
          <label className="field">
            <span className="field-label">Connect as</span>
            <select value={as} onChange={(e) => setAs(e.target.value as As)} disabled={open}>
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
                  onChange={(e) => setEmail(e.target.value)}
                  autoComplete="off"
                  disabled={open}
                />
              </label>
              <label className="field">
                <span className="field-label">Password</span>
                <input
                  type="password"
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
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
                onChange={(e) => setApiKey(e.target.value)}
                placeholder="sbk_…"
                autoComplete="off"
                disabled={open}
              />
            </label>
          )}
          <label className="field">
            <span className="field-label">Dialect</span>
            <select value={dialect} onChange={(e) => setDialect(e.target.value as DialectId)} disabled={open}>
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
              onChange={(e) => setCollection(e.target.value)}
              placeholder="posts"
              disabled={open}
            />
          </label>
          {spec.filters && (
            <label className="field">
              <span className="field-label">Filter (JSON, optional)</span>
              <input
                value={filter}
                onChange={(e) => setFilter(e.target.value)}
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
        </form>
      </Card>
      <Card title={`Frames${state === 'open' ? ' · connected' : ''}`} className="mon-play-frames">
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
              <button
                type="button"
                role="listitem"
                key={`${f.at}-${frames.length - i}`}
                className={`mon-frame mon-frame-${f.direction}${picked === f ? ' mon-open' : ''}`}
                onClick={() => setPicked(picked === f ? null : f)}
                data-testid="playground-frame"
                data-direction={f.direction}
              >
                {f.direction === 'out' ? (
                  <ArrowUp size={13} aria-label="sent" className="mon-in" />
                ) : f.direction === 'in' ? (
                  <ArrowDown size={13} aria-label="received" className="mon-out" />
                ) : (
                  <Info size={13} aria-label="note" />
                )}
                <span className="mon-frame-text">{f.text}</span>
                <span className="mon-num">{f.direction === 'info' ? '' : new Blob([f.text]).size}</span>
                <span className="mon-mono">{clockMs(f.at)}</span>
              </button>
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
