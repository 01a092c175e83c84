/**
 * Display pages (kiosks) and LAN sharing: the wire shapes the server, the console and the display page
 * share, and the defaults a display falls back to before anyone configures it.
 */
import type { Collection, FieldDef, RecordData } from './schema';

/** How records are laid out on the screen. */
export const DISPLAY_LAYOUTS = ['list', 'cards', 'ticker', 'rotate'] as const;
export type DisplayLayout = (typeof DISPLAY_LAYOUTS)[number];

/** Text size for distance reading: m for a desk (~1 m), up to xxl for across a room (~8 m). */
export const DISPLAY_FONT_SIZES = ['m', 'l', 'xl', 'xxl'] as const;
export type DisplayFontSize = (typeof DISPLAY_FONT_SIZES)[number];

/** What a display shows and how. Field names are the collection's; null leaves a slot empty. */
export interface DisplayConfig {
  title_field: string | null;
  body_field: string | null;
  image_field: string | null;
  footer_field: string | null;
  /** A filter in the filter language (as `?filter=`), or null for every record. */
  filter: Record<string, unknown> | null;
  /** The list's sort (`-created_at`, `rank,title`), or null for the server's order. */
  sort: string | null;
  layout: DisplayLayout;
  /** The `rotate` layout's time per record. */
  rotate_seconds: number;
  theme: 'light' | 'dark';
  font_size: DisplayFontSize;
  /** A ~5% margin on every side, for TVs that overscan. */
  safe_margin: boolean;
  /** Shown when no record matches. */
  empty_message: string;
}

/** Bounds the server enforces. */
export const DISPLAY_LIMITS = { rotateSeconds: { min: 2, max: 600 }, name: 100, emptyMessage: 200 } as const;

/** A display as the REST API lists it. `key` and `url` are for the account's admins only. */
export interface Display {
  id: string;
  name: string;
  collection: string;
  account: string;
  config: DisplayConfig;
  /** Bumped on every change of the display (config, name, key): the page reloads on a new one. */
  version: number;
  /** The display's own read-only API key (role viewer, this collection only); null once revoked. */
  key: string | null;
  key_id: string | null;
  /** The page's path with its token, e.g. `/display/posts/AbC?token=sbk_…` (null once revoked). */
  url: string | null;
  /** Realtime connections authenticated with the display's key right now (screens watching). */
  watching: number;
  created_at: string;
  updated_at: string;
}

/** What `POST /api/v1/displays` takes (config fields may be partial: the rest get defaults). */
export interface DisplayInput {
  name: string;
  collection: string;
  config?: Partial<DisplayConfig>;
}

/** What `PATCH /api/v1/displays/{id}` takes. */
export interface DisplayPatch {
  name?: string;
  config?: Partial<DisplayConfig>;
}

/** `GET|PUT /api/v1/sharing`: whether the server also listens on the LAN, and where. */
export interface SharingStatus {
  lan: boolean;
  /** Set by the command line (`--host 0.0.0.0`): the console cannot switch it. */
  locked: boolean;
  /** Where the server listens now (`127.0.0.1:8000`, `0.0.0.0:8000`). */
  listening: string[];
  /** URLs other machines can open, IPv4 non-internal first; empty when not shared. */
  urls: string[];
  /** Sockets open now from other machines (HTTP keep-alive and realtime). */
  lan_clients: number;
}

/** The config a display starts with: the first text field as title, the next as body, list layout. */
export function defaultDisplayConfig(fields: readonly FieldDef[] = []): DisplayConfig {
  const texts = fields.filter((f) => f.type === 'text' || f.type === 'select').map((f) => f.name);
  const date = fields.find((f) => f.type === 'date')?.name ?? null;
  return {
    title_field: texts[0] ?? null,
    body_field: texts[1] ?? null,
    image_field:
      fields.find((f) => /image|photo|picture|img/i.test(f.name) && f.type === 'text')?.name ?? null,
    footer_field: date,
    filter: null,
    sort: null,
    layout: 'list',
    rotate_seconds: 8,
    theme: 'dark',
    font_size: 'l',
    safe_margin: false,
    empty_message: 'Nothing to show yet.',
  };
}

/** Guesses a collection's fields from records (anonymous pages cannot read the schema). */
export function inferFields(records: readonly RecordData[]): FieldDef[] {
  const seen = new Map<string, FieldDef>();
  for (const r of records.slice(0, 20))
    for (const [k, v] of Object.entries(r)) {
      if (seen.has(k) || ['id', 'created_at', 'updated_at', 'account'].includes(k)) continue;
      if (typeof v === 'string') seen.set(k, { name: k, type: 'text' } as FieldDef);
    }
  return [...seen.values()];
}

/** The page's path for a display (without the token). */
export function displayPath(collection: string, id?: string): string {
  return `/display/${encodeURIComponent(collection)}${id ? `/${encodeURIComponent(id)}` : ''}`;
}

/** Merges a partial config over a full one (undefined keeps, null clears). */
export function mergeConfig(base: DisplayConfig, patch: Partial<DisplayConfig> | undefined): DisplayConfig {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {}))
    if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** A collection's field names of the types a display can show as text. */
export function displayableFields(c: Pick<Collection, 'fields'>): string[] {
  return c.fields.filter((f) => f.type !== 'json').map((f) => f.name);
}
