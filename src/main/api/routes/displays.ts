import {
  DISPLAY_FONT_SIZES,
  DISPLAY_LAYOUTS,
  DISPLAY_LIMITS,
  defaultDisplayConfig,
  displayPath,
  mergeConfig,
  type Display,
  type DisplayConfig,
} from '../../../shared/displays';
import { FilterError, parseFilter } from '../../../shared/filter';
import { NAME_PATTERN, SYSTEM_FIELDS, type Collection } from '../../../shared/schema';
import { generateApiKey } from '../../auth/api-keys';
import { accountScope, isAdmin, type Principal } from '../../auth/principal';
import { AppError, notFound, validationError } from '../../errors';
import type { Store } from '../../store';
import { fieldTypes } from '../../store/collections';
import type { StoredDisplay } from '../../store/displays';
import { objectBody, requireAccountAdmin, requireAuth, unknownFields } from '../guards';
import { reply, type Ctx, type Router } from '../router';

/** What the display routes need besides the store. */
export interface DisplayDeps {
  /** Realtime connections authenticated with each API key now (key id -> count). */
  watching(): Map<string, number>;
  /** Aborted when the server stops: long-polls answer at once. */
  closing: AbortSignal;
}

// note: a display page's long-poll for its config; under common proxies' 60 s idle timeout.
const MAX_WAIT_S = 25;
const FIELD_SLOTS = ['title_field', 'body_field', 'image_field', 'footer_field'] as const;
const CONFIG_KEYS = new Set<string>([
  ...FIELD_SLOTS,
  'filter',
  'sort',
  'layout',
  'rotate_seconds',
  'theme',
  'font_size',
  'safe_margin',
  'empty_message',
]);

/** Checks a partial config against the collection; errors go under `config.<key>`. */
function checkConfig(raw: unknown, c: Collection, errors: Record<string, string>): Partial<DisplayConfig> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    errors.config = 'must be an object';
    return {};
  }
  const cfg = raw as Record<string, unknown>;
  const names = new Set<string>([...c.fields.map((f) => f.name), ...SYSTEM_FIELDS]);
  const err = (k: string, m: string) => (errors[`config.${k}`] = m);
  for (const k of Object.keys(cfg)) if (!CONFIG_KEYS.has(k)) err(k, 'unknown setting');
  for (const k of FIELD_SLOTS)
    if (
      cfg[k] !== undefined &&
      cfg[k] !== null &&
      (typeof cfg[k] !== 'string' || !names.has(cfg[k] as string))
    )
      err(k, `must be a field of ${c.name} or null`);
  if (cfg.filter !== undefined && cfg.filter !== null) {
    if (typeof cfg.filter !== 'object' || Array.isArray(cfg.filter))
      err('filter', 'must be a filter object or null');
    else
      try {
        parseFilter(cfg.filter, fieldTypes(c));
      } catch (e) {
        if (e instanceof FilterError) err('filter', e.message);
        else throw e;
      }
  }
  if (cfg.sort !== undefined && cfg.sort !== null) {
    const parts = typeof cfg.sort === 'string' ? cfg.sort.split(',').filter(Boolean) : null;
    if (!parts || parts.some((p) => !names.has(p.replace(/^[-+]/, ''))))
      err('sort', `must name fields of ${c.name}, e.g. -created_at`);
  }
  if (cfg.layout !== undefined && !DISPLAY_LAYOUTS.includes(cfg.layout as never))
    err('layout', `must be one of ${DISPLAY_LAYOUTS.join(', ')}`);
  const { min, max } = DISPLAY_LIMITS.rotateSeconds;
  if (
    cfg.rotate_seconds !== undefined &&
    (!Number.isInteger(cfg.rotate_seconds) ||
      (cfg.rotate_seconds as number) < min ||
      (cfg.rotate_seconds as number) > max)
  )
    err('rotate_seconds', `must be a whole number of seconds from ${min} to ${max}`);
  if (cfg.theme !== undefined && cfg.theme !== 'light' && cfg.theme !== 'dark')
    err('theme', 'must be light or dark');
  if (cfg.font_size !== undefined && !DISPLAY_FONT_SIZES.includes(cfg.font_size as never))
    err('font_size', `must be one of ${DISPLAY_FONT_SIZES.join(', ')}`);
  if (cfg.safe_margin !== undefined && typeof cfg.safe_margin !== 'boolean')
    err('safe_margin', 'must be true or false');
  if (
    cfg.empty_message !== undefined &&
    (typeof cfg.empty_message !== 'string' || cfg.empty_message.length > DISPLAY_LIMITS.emptyMessage)
  )
    err('empty_message', `must be text of at most ${DISPLAY_LIMITS.emptyMessage} characters`);
  return cfg as Partial<DisplayConfig>;
}

function checkName(raw: unknown, errors: Record<string, string>): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '' || raw.length > DISPLAY_LIMITS.name)
    errors.name = `is required (1-${DISPLAY_LIMITS.name} characters)`;
  return typeof raw === 'string' ? raw.trim() : undefined;
}

/**
 * Display pages (kiosks) of an account: `GET|POST /api/v1/displays`, `GET|PATCH|DELETE
 * /api/v1/displays/{id}`, and the display's own key: `POST` (a new one) and `DELETE` (revoke)
 * `/api/v1/displays/{id}/key`. Admins of the account manage them; a display's own key may read
 * its display, and with `?wait=S&version=V` the read waits until the display changes (the
 * page's live config), at most 25 s.
 */
export function displayRoutes(router: Router, store: Store, deps: DisplayDeps): void {
  const visible = (p: Principal, d: StoredDisplay) => {
    const scope = accountScope(p);
    return scope === null || scope === d.account;
  };
  const toWire = (d: StoredDisplay, counts: Map<string, number>, admin: boolean): Display => ({
    id: d.id,
    name: d.name,
    collection: d.collection,
    account: d.account,
    config: d.config,
    version: d.version,
    key: admin ? d.key : null,
    key_id: d.key_id,
    url: admin && d.key ? `${displayPath(d.collection, d.id)}?token=${encodeURIComponent(d.key)}` : null,
    watching: d.key_id ? (counts.get(d.key_id) ?? 0) : 0,
    created_at: d.created_at,
    updated_at: d.updated_at,
  });
  const collectionOr400 = (name: unknown, errors: Record<string, string>): Collection | undefined => {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
      errors.collection = 'must be a collection name';
      return undefined;
    }
    const c = store.collections.get(name);
    if (!c) errors.collection = `no collection named ${name}`;
    return c;
  };
  /** A display the caller manages (account admin), or 404. */
  const managed = (ctx: Ctx): { p: Principal; d: StoredDisplay } => {
    const p = requireAccountAdmin(ctx);
    const d = store.displays.get(ctx.params.id!);
    if (!d || !visible(p, d)) throw notFound(`Display '${ctx.params.id}'`);
    return { p, d };
  };
  const newKey = (d: { name: string; account: string; collection: string }, by: string) => {
    const { key, hash, prefix } = generateApiKey();
    const created = store.keys.create({
      name: `Display: ${d.name}`.slice(0, 100),
      hash,
      prefix,
      role: 'viewer',
      account: d.account,
      collections: [d.collection],
      createdBy: by,
    });
    return { keyId: created.id, key };
  };

  router.on('GET', '/api/v1/displays', (ctx) => {
    const p = requireAccountAdmin(ctx);
    const counts = deps.watching();
    return { items: store.displays.list(accountScope(p)).map((d) => toWire(d, counts, true)) };
  });

  router.on('POST', '/api/v1/displays', async (ctx) => {
    const p = requireAccountAdmin(ctx);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, ['name', 'collection', 'config']);
    const name = checkName(b.name ?? '', errors);
    const c = collectionOr400(b.collection, errors);
    const cfg = c ? checkConfig(b.config, c, errors) : {};
    if (Object.keys(errors).length) throw validationError(errors);
    const config = mergeConfig(defaultDisplayConfig(c!.fields), cfg);
    const target = { name: name!, account: p.account, collection: c!.name };
    const { keyId, key } = newKey(target, p.id);
    const d = store.displays.create({ ...target, config, keyId, key, createdBy: p.id });
    return reply(201, toWire(d, deps.watching(), true));
  });

  router.on('GET', '/api/v1/displays/:id', async (ctx) => {
    const p = requireAuth(ctx);
    const own = (d: StoredDisplay | undefined) => !!d && p.kind === 'key' && d.key_id === p.id;
    const admin = (d: StoredDisplay | undefined) => !!d && isAdmin(p) && !p.collections && visible(p, d);
    let d = store.displays.get(ctx.params.id!);
    if (!d || (!own(d) && !admin(d))) throw notFound(`Display '${ctx.params.id}'`);
    const wait = Number(ctx.url.searchParams.get('wait') ?? 0);
    const version = Number(ctx.url.searchParams.get('version'));
    if (wait > 0 && d.version === version) {
      await changeOf(d.id, Math.min(wait, MAX_WAIT_S) * 1000, ctx);
      d = store.displays.get(d.id);
      // The key this page uses was revoked (or the display deleted) while it waited.
      if (!d || (!own(d) && !admin(d))) {
        if (p.kind === 'key' && (!d || d.key_id !== p.id))
          throw new AppError(401, 'unauthorized', "This display's access was revoked.");
        throw notFound(`Display '${ctx.params.id}'`);
      }
    }
    return { ...toWire(d, deps.watching(), admin(d)) };
  });

  /** Resolves when display `id` changes, after `ms`, when the client goes or the server stops. */
  function changeOf(id: string, ms: number, ctx: Ctx): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        deps.closing.removeEventListener('abort', done);
        ctx.req.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      const off = store.displays.onChange((changed) => changed === id && done());
      deps.closing.addEventListener('abort', done);
      ctx.req.on('close', done);
      if (deps.closing.aborted) done();
    });
  }

  router.on('PATCH', '/api/v1/displays/:id', async (ctx) => {
    const { d } = managed(ctx);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, ['name', 'config']);
    const name = checkName(b.name, errors);
    const c = store.collections.get(d.collection);
    if (!c && b.config !== undefined) errors.config = `the collection ${d.collection} no longer exists`;
    const cfg = c ? checkConfig(b.config, c, errors) : {};
    if (Object.keys(errors).length) throw validationError(errors);
    const updated = store.displays.update(d.id, { name, config: mergeConfig(d.config, cfg) })!;
    return { ...toWire(updated, deps.watching(), true) };
  });

  router.on('DELETE', '/api/v1/displays/:id', (ctx) => {
    const { d } = managed(ctx);
    store.displays.delete(d.id);
    // Its screens stop at once: their key goes with it.
    if (d.key_id) store.keys.delete(d.key_id);
    return reply(204);
  });

  router.on('POST', '/api/v1/displays/:id/key', (ctx) => {
    const { p, d } = managed(ctx);
    if (d.key_id) store.keys.delete(d.key_id);
    const { keyId, key } = newKey(d, p.id);
    const updated = store.displays.update(d.id, { keyId, key })!;
    return reply(201, toWire(updated, deps.watching(), true));
  });

  router.on('DELETE', '/api/v1/displays/:id/key', (ctx) => {
    const { d } = managed(ctx);
    if (!d.key_id) throw new AppError(409, 'conflict', "This display's key is already revoked.");
    // The key's live connections close (4001) and the display is updated by the key's deletion.
    store.keys.delete(d.key_id);
    return { ...toWire(store.displays.get(d.id)!, deps.watching(), true) };
  });
}
