import { AppError, validationError } from '../../errors';
import { RedisSettingError, type ScaleOutStatus } from '../../server/scale-out';
import { objectBody, requireAuth } from '../guards';
import type { Ctx, Router } from '../router';

/** The instance settings the console changes; see src/main/server/scale-out.ts. */
export interface SettingsControl {
  status(): ScaleOutStatus;
  set(redisUrl: string | null): Promise<ScaleOutStatus>;
}

const SETTABLE = new Set(['redis_url']);

/** Instance-wide settings: the superuser's alone (an account's admin runs one tenant, not the server). */
function requireSuperuser(ctx: Ctx): void {
  if (!requireAuth(ctx).superuser)
    throw new AppError(403, 'forbidden', 'Only the superuser may read or change instance settings.');
}

/** `GET /api/v1/settings` and `PATCH /api/v1/settings` `{redis_url: "redis://…" | null}`. */
export function settingsRoutes(router: Router, control: SettingsControl): void {
  router.on('GET', '/api/v1/settings', (ctx) => {
    requireSuperuser(ctx);
    return { scale_out: control.status() };
  });

  router.on('PATCH', '/api/v1/settings', async (ctx) => {
    requireSuperuser(ctx);
    const body = await objectBody(ctx);
    const unknown = Object.keys(body).filter((k) => !SETTABLE.has(k));
    if (unknown.length)
      throw validationError(
        Object.fromEntries(unknown.map((k) => [k, 'is not a setting (settable: redis_url)'])),
        'The body names settings that do not exist.',
      );
    if (!('redis_url' in body)) return { scale_out: control.status() };
    const v = body.redis_url;
    if (v !== null && typeof v !== 'string')
      throw validationError({ redis_url: `expected a string or null, got ${typeof v}` });
    try {
      return { scale_out: await control.set(v) };
    } catch (e) {
      if (e instanceof RedisSettingError)
        throw validationError({ redis_url: e.message }, `redis_url ${e.message}`);
      throw e;
    }
  });
}
