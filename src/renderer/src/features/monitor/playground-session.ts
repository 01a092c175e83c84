/**
 * The playground's test client, kept outside the tab so that it stays connected while the other monitor tabs
 * are open (the Events tab replays a range into it): its form, socket, frames, and which server connection
 * it is. The native dialect says its connection id; for the others the client is matched on the monitor's
 * connection list (a new connection of that dialect, caller and collection), or picked when several match.
 * A small zustand store of its own: the monitor slice (slice.ts) belongs to the feed.
 */
import { create } from 'zustand';
import { authApi } from '../../../../shared/client';
import { connection } from '../../sdk';
import { useAppStore } from '../../store';
import { tryJson } from './json-tree';
import { live } from './live-data';
import {
  DIALECTS,
  matchingConnections,
  playgroundUrl,
  subscribeMessage,
  type DialectId,
  type PlaygroundFrame,
} from './playground-model';

export type ConnectAs = 'anonymous' | 'user' | 'key';

/** What the form holds. */
export interface PlaygroundForm {
  as: ConnectAs;
  email: string;
  password: string;
  apiKey: string;
  dialect: DialectId;
  collection: string;
  filter: string;
}

export interface PlaygroundSession {
  form: PlaygroundForm;
  state: 'closed' | 'connecting' | 'open';
  error: string | null;
  /** Newest first, at most {@link FRAMES_KEPT}. */
  frames: PlaygroundFrame[];
  /** The server's id of this client's connection, once known. */
  connectionId: string | null;
  /** Connections that could be this client when more than one matches (pick one). */
  candidates: string[];
}

// note: enough to read back a burst (or a replay of a few hundred events); older frames scroll away.
export const FRAMES_KEPT = 500;

const initialForm: PlaygroundForm = {
  as: 'anonymous',
  email: '',
  password: '',
  apiKey: '',
  dialect: 'native',
  collection: '',
  filter: '',
};

export const usePlayground = create<PlaygroundSession>()(() => ({
  form: initialForm,
  state: 'closed',
  error: null,
  frames: [],
  connectionId: null,
  candidates: [],
}));

const set = usePlayground.setState;
let socket: WebSocket | EventSource | null = null;
let stopMatching: (() => void) | undefined;
let offAuth: (() => void) | undefined;

/** Changes form fields. */
export function setPlaygroundForm(patch: Partial<PlaygroundForm>): void {
  set((s) => ({ form: { ...s.form, ...patch } }));
}

/** Adds a line to the frame list (`info`: a note of the console's own). */
export function logPlayground(direction: PlaygroundFrame['direction'], text: string): void {
  set((s) => ({ frames: [{ direction, at: Date.now(), text }, ...s.frames].slice(0, FRAMES_KEPT) }));
}

/** Empties the frame list. */
export function clearPlaygroundFrames(): void {
  set({ frames: [] });
}

/** Says which of the matching connections this client is. */
export function pickPlaygroundConnection(id: string): void {
  set({ connectionId: id, candidates: [] });
  stopMatching?.();
}

/** Watches the monitor's connection list until this client's connection shows (or it closes). */
function matchOnMonitor(before: ReadonlySet<string>, want: Parameters<typeof matchingConnections>[2]) {
  stopMatching?.();
  const look = () => {
    const s = usePlayground.getState();
    if (s.connectionId || s.state === 'closed') return stopMatching?.();
    const found = matchingConnections(live.connections.values(), before, want);
    if (found.length === 1) pickPlaygroundConnection(found[0]!);
    else if (found.length > 1) set({ candidates: found });
  };
  const off = useAppStore.subscribe((s, p) => {
    if (s.monitor.connectionsVersion !== p.monitor.connectionsVersion) look();
  });
  stopMatching = () => {
    off();
    stopMatching = undefined;
  };
  look();
}

/** Connects the test client as the form says. */
export async function connectPlayground(): Promise<void> {
  const { form } = usePlayground.getState();
  const spec = DIALECTS.find((d) => d.id === form.dialect)!;
  const fail = (error: string) => set({ state: 'closed', error });
  if (socket) disconnectPlayground();
  set({ error: null, connectionId: null, candidates: [] });
  const base = connection.serverUrl;
  if (!base) return fail('No server to connect to.');
  if (!form.collection.trim()) return fail('Name the collection to subscribe to.');
  if (spec.filters && form.filter.trim() && tryJson(form.filter) === undefined)
    return fail('The filter is not JSON, e.g. {"published": true}.');
  set({ state: 'connecting' });
  offAuth ??= useAppStore.subscribe((s, p) => {
    if (s.auth.status !== p.auth.status && s.auth.status !== 'signed-in') disconnectPlayground();
  });
  let token: string | undefined;
  let userId: string | null = null;
  try {
    if (form.as === 'user') {
      const ctx = { baseUrl: () => base, token: () => undefined, fetch: globalThis.fetch.bind(globalThis) };
      const r = await authApi(ctx).login(form.email, form.password);
      token = r.access_token;
      userId = r.user.id;
    } else if (form.as === 'key') token = form.apiKey.trim() || undefined;
  } catch (e) {
    return fail(`Sign-in failed: ${(e as Error).message}`);
  }
  if (spec.needsToken && !token) return fail(`${spec.label.split(' (')[0]} needs a user or an API key.`);
  const target = { dialect: form.dialect, collection: form.collection.trim(), filter: form.filter, token };
  const url = playgroundUrl(base, target);
  const before = new Set(live.connections.keys());
  const kind = form.as === 'anonymous' ? null : form.as;
  logPlayground('info', `Connecting to ${url.replace(/token=[^&]+/, 'token=…')}`);
  if (spec.transport === 'sse') {
    const es = new EventSource(url);
    socket = es;
    es.onopen = () => {
      set({ state: 'open' });
      matchOnMonitor(before, { dialect: form.dialect, collection: target.collection, userId, kind });
    };
    const onMsg = (e: MessageEvent) => logPlayground('in', String(e.data));
    es.onmessage = onMsg;
    for (const t of ['record.created', 'record.updated', 'record.deleted']) es.addEventListener(t, onMsg);
    es.onerror = () => logPlayground('info', 'The stream dropped; the browser retries.');
    return;
  }
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => {
    set({ state: 'open' });
    const sub = subscribeMessage(target);
    if (sub) sendPlayground(JSON.stringify(sub));
    if (form.dialect !== 'native')
      matchOnMonitor(before, { dialect: form.dialect, collection: target.collection, userId, kind });
  };
  ws.onmessage = (e) => {
    const text = String(e.data);
    logPlayground('in', text);
    // The native dialect greets with its connection id.
    const hello = tryJson(text) as { type?: string; data?: { connection_id?: unknown } } | undefined;
    if (hello?.type === 'connected' && typeof hello.data?.connection_id === 'string')
      set({ connectionId: hello.data.connection_id });
  };
  ws.onclose = (e) => {
    if (socket === ws) {
      socket = null;
      stopMatching?.();
      set({ state: 'closed', connectionId: null, candidates: [] });
    }
    logPlayground('info', `Closed: ${e.code}${e.reason ? ` ${e.reason}` : ''}`);
  };
}

/** Closes the test client. */
export function disconnectPlayground(): void {
  const s = socket;
  socket = null;
  stopMatching?.();
  s?.close();
  set({ state: 'closed', connectionId: null, candidates: [] });
  if (s instanceof EventSource) logPlayground('info', 'Closed.');
}

/** Sends a frame on a WebSocket dialect; false (with the error set) when there is none open. */
export function sendPlayground(text: string): boolean {
  if (!(socket instanceof WebSocket) || socket.readyState !== WebSocket.OPEN) {
    set({ error: 'Connect a WebSocket dialect first.' });
    return false;
  }
  socket.send(text);
  logPlayground('out', text);
  return true;
}
