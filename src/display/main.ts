/**
 * A display page (kiosk): `/display/{collection}[/{display id}]?token=KEY`, full screen, nothing to
 * click. Its records stay live through the SDK's liveCollection (resume by seq after a drop or a
 * server restart: nothing missed, nothing doubled) and its own settings through a long-poll of
 * `GET /api/v1/displays/{id}?wait=`. Offline, it keeps the last content and, after ~3 s, says so in
 * a small badge.
 */
import './display.css';
import { ApiError, createClient, liveCollection, type LiveCollection } from '../shared/client';
import { defaultDisplayConfig, inferFields, type Display, type DisplayConfig } from '../shared/displays';
import type { Collection, RecordData } from '../shared/schema';
import { Stage, WINDOW } from './render';

// note: UI.md: the badge shows only after ~3 s offline, so a blip never flickers on screen.
const OFFLINE_AFTER_MS = 3000;
const CONFIG_WAIT_S = 25;

const root = document.getElementById('display')!;
const parts = location.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
const collection = parts[0] ?? '';
const displayId = parts[1];
const token = new URLSearchParams(location.search).get('token') ?? undefined;

const client = createClient({ url: location.origin, token });

let config: DisplayConfig | undefined;
let version = 0;
let live: LiveCollection<RecordData> | undefined;
let stage: Stage | undefined;
let everLoaded = false;
let lastUpdated: Date | undefined;
let offlineTimer: ReturnType<typeof setTimeout> | undefined;
let stopped = false;

const badge = el('div', 'badge', 'offline-badge');
badge.setAttribute('role', 'status');
badge.hidden = true;
const message = el('div', 'message', 'display-message');
message.hidden = true;
document.body.append(badge, message);

function el(tag: string, cls: string, testId: string): HTMLElement {
  const e = document.createElement(tag);
  e.className = cls;
  e.setAttribute('data-testid', testId);
  return e;
}

const hhmm = (d: Date | undefined) =>
  d ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false }) : '–';

/** A full-screen message instead of content (refused, revoked, no such collection); null hides it. */
function say(title: string | null, detail = ''): void {
  message.hidden = title === null;
  if (title === null) return;
  message.replaceChildren();
  const h = document.createElement('h1');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = detail;
  message.append(h, p);
}

/** Stops everything for good: the key was revoked or the display deleted. */
function revoked(): void {
  stopped = true;
  live?.close();
  client.close();
  stage?.destroy();
  stage = undefined;
  badge.hidden = true;
  root.dataset.state = 'revoked';
  say(
    "This display's access was revoked.",
    'Ask an admin for a new link or QR code in the Switchboard console.',
  );
}

function refused(e: unknown): void {
  const status = e instanceof ApiError ? e.status : 0;
  if ((status === 401 || status === 403) && token && everLoaded) return revoked();
  root.dataset.state = 'refused';
  if (status === 401 || status === 403)
    say(
      token
        ? "This display's link is not valid or its access was revoked."
        : `“${collection}” is not public.`,
      token
        ? 'Ask an admin for a new link or QR code in the Switchboard console.'
        : 'Open the link with its token (?token=…) from the Displays screen of the Switchboard console.',
    );
  else if (status === 404)
    say(`There is no collection or display “${collection}” here.`, (e as Error).message);
  else say('This display cannot show its content.', (e as Error).message);
}

/** The badge: only after OFFLINE_AFTER_MS without a connection, gone as soon as it is back. */
client.onState((s) => {
  if (stopped) return;
  if (s.status === 'closed' && s.error && /token/.test(s.error.code))
    return refused(new ApiError(401, s.error.code, s.error.message));
  const online = s.status === 'open' || s.status === 'polling';
  if (online) {
    lastUpdated = new Date();
    clearTimeout(offlineTimer);
    offlineTimer = undefined;
    badge.hidden = true;
    root.dataset.online = 'true';
  } else if (s.status !== 'idle' && s.status !== 'connecting' && offlineTimer === undefined) {
    root.dataset.online = 'false';
    offlineTimer = setTimeout(() => {
      badge.textContent = `Reconnecting · last updated ${hhmm(lastUpdated)}`;
      badge.hidden = false;
    }, OFFLINE_AFTER_MS);
  }
});

/** Applies a config: theme and sizes at once; a new filter, sort or layout starts a new live list. */
function apply(next: DisplayConfig): void {
  const prev = config;
  config = next;
  const html = document.documentElement;
  html.dataset.theme = next.theme;
  html.dataset.size = next.font_size;
  root.dataset.layout = next.layout;
  root.classList.toggle('safe', next.safe_margin);
  root.dataset.version = String(version);
  const query = (c: DisplayConfig) => JSON.stringify([c.filter, c.sort, c.layout]);
  if (!prev || query(prev) !== query(next)) {
    live?.close();
    stage?.destroy();
    stage = new Stage(root, next);
    live = liveCollection<RecordData>(client, collection, {
      ...(next.filter ? { filter: next.filter } : {}),
      ...(next.sort ? { sort: next.sort } : {}),
      limit: WINDOW[next.layout],
    });
    live.onChange(draw);
    draw();
  } else {
    stage?.destroy();
    stage = new Stage(root, next);
    draw();
  }
}

function draw(): void {
  if (!live || !stage || !config) return;
  const st = live.state;
  if (st.status === 'error' && st.error) return refused(st.error);
  if (st.status === 'loading') return;
  if (!everLoaded) say(null);
  everLoaded = true;
  if (st.status === 'live') lastUpdated = new Date();
  root.dataset.state = 'live';
  stage.update(st.items);
  root.dataset.count = String(st.items.length);
  root.classList.toggle('empty', st.items.length === 0);
  root.dataset.empty = config.empty_message;
}

async function getDisplay(wait: boolean): Promise<Display> {
  const q = wait ? `?wait=${CONFIG_WAIT_S}&version=${version}` : '';
  const res = await fetch(`/api/v1/displays/${encodeURIComponent(displayId!)}${q}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const body = (await res.json().catch(() => ({}))) as Display & {
    error?: { code: string; message: string };
  };
  if (!res.ok)
    throw new ApiError(res.status, body.error?.code ?? 'error', body.error?.message ?? res.statusText);
  return body;
}

/** The display's own settings, live: each answer is the display now; it waits while nothing changes. */
async function followConfig(): Promise<void> {
  let failures = 0;
  while (!stopped) {
    try {
      const d = await getDisplay(true);
      failures = 0;
      if (d.version !== version) {
        version = d.version;
        apply(d.config);
      }
    } catch (e) {
      if (e instanceof ApiError && (e.status === 401 || e.status === 404)) return revoked();
      // note: offline or restarting: the realtime side shows the badge; retry gently.
      failures++;
      await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** Math.min(failures, 5))));
    }
  }
}

/** A display without an id: the collection with sensible defaults (first text field as title). */
async function defaults(): Promise<DisplayConfig> {
  try {
    const c = await fetch(`/api/v1/collections/${encodeURIComponent(collection)}`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    if (c.ok) return defaultDisplayConfig(((await c.json()) as Collection).fields);
  } catch {
    // offline at start: infer below, or show the error from the list
  }
  const page = await client.records(collection).list({ per_page: 20 });
  return defaultDisplayConfig(inferFields(page.items));
}

async function main(): Promise<void> {
  if (!collection)
    return say('No collection named.', 'Open /display/{collection} or a link from the console.');
  root.dataset.state = 'loading';
  try {
    if (displayId) {
      const d = await getDisplay(false);
      version = d.version;
      everLoaded = false;
      apply(d.config);
      void followConfig();
    } else apply(await defaults());
  } catch (e) {
    refused(e);
    // note: a kiosk that starts while the server is down tries again by itself.
    if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500)
      setTimeout(() => location.reload(), 5000);
  }
}

void main();
