/**
 * The playground's dialects (docs/dialects.md): for each, the URL a test client opens and the message that
 * subscribes it, from a collection, a filter and a token. Pure, so each dialect's wire shape is tested.
 */
import type { MonitorConnection } from '../../../../shared/monitor';

export type DialectId = 'native' | 'fastschema' | 'snackbase' | 'topics' | 'sse';

export interface DialectSpec {
  id: DialectId;
  label: string;
  /** `ws`: a WebSocket; `sse`: an EventSource (receive only). */
  transport: 'ws' | 'sse';
  /** Whether the filter applies (the others subscribe to a whole collection). */
  filters: boolean;
  /** Whether the dialect refuses anonymous clients. */
  needsToken: boolean;
}

export const DIALECTS: DialectSpec[] = [
  {
    id: 'native',
    label: 'Native (ws /api/v1/ws/realtime)',
    transport: 'ws',
    filters: true,
    needsToken: false,
  },
  {
    id: 'fastschema',
    label: 'FastSchema (/api/realtime/content)',
    transport: 'ws',
    filters: true,
    needsToken: false,
  },
  {
    id: 'snackbase',
    label: 'SnackBase (ws /api/v1/realtime/ws)',
    transport: 'ws',
    filters: false,
    needsToken: true,
  },
  { id: 'topics', label: 'Topics (ws /ws)', transport: 'ws', filters: false, needsToken: false },
  {
    id: 'sse',
    label: 'Native SSE (/api/v1/sse/realtime)',
    transport: 'sse',
    filters: true,
    needsToken: false,
  },
];

export interface PlaygroundTarget {
  dialect: DialectId;
  collection: string;
  /** A filter object as JSON text ('' for none). */
  filter: string;
  token?: string;
}

/** The URL to open for `t` on the server at `base` (http(s) for SSE, ws(s) otherwise). */
export function playgroundUrl(base: string, t: PlaygroundTarget): string {
  const paths: Record<DialectId, string> = {
    native: '/api/v1/ws/realtime',
    fastschema: '/api/realtime/content',
    snackbase: '/api/v1/realtime/ws',
    topics: '/ws',
    sse: '/api/v1/sse/realtime',
  };
  const u = new URL(paths[t.dialect], base);
  if (t.dialect !== 'sse') u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  if (t.dialect === 'fastschema') {
    u.searchParams.set('schema', t.collection);
    if (t.filter.trim()) u.searchParams.set('filter', t.filter.trim());
  }
  if (t.dialect === 'sse') {
    u.searchParams.set('collection', t.collection);
    if (t.filter.trim()) u.searchParams.set('filter', t.filter.trim());
  }
  if (t.token) u.searchParams.set('token', t.token);
  return u.toString();
}

/** The message that subscribes once the socket is open (none for FastSchema and SSE: the URL does). */
export function subscribeMessage(t: PlaygroundTarget): Record<string, unknown> | null {
  switch (t.dialect) {
    case 'native': {
      const m: Record<string, unknown> = { action: 'subscribe', collection: t.collection };
      if (t.filter.trim()) m.filter = JSON.parse(t.filter) as unknown;
      return m;
    }
    case 'snackbase':
      return { action: 'subscribe', collection: t.collection };
    case 'topics':
      return { type: 'subscribe', topics: [t.collection] };
    default:
      return null;
  }
}

/** One frame the playground saw or sent. */
export interface PlaygroundFrame {
  direction: 'in' | 'out' | 'info';
  at: number;
  text: string;
}

/** Messages kept in localStorage, by name. */
export interface SavedMessage {
  name: string;
  text: string;
}

const SAVED_KEY = 'switchboard.monitor.playground.saved';

export function loadSaved(): SavedMessage[] {
  try {
    const raw = JSON.parse(localStorage.getItem(SAVED_KEY) ?? '[]') as unknown;
    return Array.isArray(raw) ? (raw as SavedMessage[]).filter((m) => typeof m?.text === 'string') : [];
  } catch {
    return [];
  }
}

export function storeSaved(list: SavedMessage[]): void {
  try {
    localStorage.setItem(SAVED_KEY, JSON.stringify(list.slice(0, 20)));
  } catch {
    // note: a full or disabled storage only loses the saved messages.
  }
}

/**
 * Which new connections (not in `before`) could be this client: same dialect, same caller, subscribed to
 * the collection. Pure, for tests.
 */
export function matchingConnections(
  connections: Iterable<MonitorConnection>,
  before: ReadonlySet<string>,
  want: { dialect: DialectId; collection: string; userId: string | null; kind: 'user' | 'key' | null },
): string[] {
  const out: string[] = [];
  for (const c of connections) {
    if (before.has(c.id) || c.dialect !== want.dialect) continue;
    if (c.kind !== want.kind || (want.kind === 'user' && c.user_id !== want.userId)) continue;
    if (!c.subscription_details.some((s) => s.collection === want.collection)) continue;
    out.push(c.id);
  }
  return out;
}
