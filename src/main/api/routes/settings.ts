import { AppError, validationError } from '../../errors';
import { RedisSettingError, type ScaleOutStatus } from '../../server/scale-out';
import { RETAIN_EVENTS_RANGE, RETAIN_MS_RANGE, type InstanceSettings } from '../instance-settings';
import { objectBody, requireAuth } from '../guards';
import type { Ctx, Router } from '../router';

/** The instance settings the console changes; see src/main/server/scale-out.ts. */
export interface SettingsControl {
  status(): ScaleOutStatus;
  set(redisUrl: string | null): Promise<ScaleOutStatus>;
}

/** Instance-wide settings: the superuser's alone (an account's admin runs one tenant, not the server). */
function requireSuperuser(ctx: Ctx): void {
  if (!requireAuth(ctx).superuser)
    throw new AppError(403, 'forbidden', 'Only the superuser may read or change instance settings.');
}

/** A whole number within [min, max], or the message saying what it must be. */
function checkInt(v: unknown, [min, max]: readonly [number, number]): string | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v))
    return `expected a whole number, got ${JSON.stringify(v)}`;
  if (v < min || v > max) return `must be from ${min} to ${max}`;
  return undefined;
}

/** The retention part of a PATCH, checked; throws 400 naming each bad value. */
function parseRetention(v: unknown): { maxEvents?: number; maxAgeMs?: number } {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw validationError({ retention: 'expected an object {max_events?, max_age_ms?}' });
  const r = v as Record<string, unknown>;
  const errors: Record<string, string> = {};
  for (const k of Object.keys(r))
    if (k !== 'max_events' && k !== 'max_age_ms')
      errors[`retention.${k}`] = 'unknown (use max_events, max_age_ms)';
  const e1 = r.max_events === undefined ? undefined : checkInt(r.max_events, RETAIN_EVENTS_RANGE);
  const e2 = r.max_age_ms === undefined ? undefined : checkInt(r.max_age_ms, RETAIN_MS_RANGE);
  if (e1) errors['retention.max_events'] = e1;
  if (e2) errors['retention.max_age_ms'] = e2;
  if (Object.keys(errors).length) throw validationError(errors, 'The retention values are not valid.');
  return { maxEvents: r.max_events as number | undefined, maxAgeMs: r.max_age_ms as number | undefined };
}

/**
 * `GET /api/v1/settings` -> `{scale_out, limits?, heartbeat?, retention?}` and `PATCH` with
 * `{redis_url?: "redis://…" | null, retention?: {max_events?, max_age_ms?}}`. Limits and
 * heartbeat are shown with `applies: "next_start"` (start-up flags); retention applies live.
 */
export function settingsRoutes(router: Router, control: SettingsControl, instance?: InstanceSettings): void {
  const settable = instance ? ['redis_url', 'retention'] : ['redis_url'];
  const answer = (scaleOut: ScaleOutStatus) => ({ scale_out: scaleOut, ...instance?.view() });

  router.on('GET', '/api/v1/settings', (ctx) => {
    requireSuperuser(ctx);
    return answer(control.status());
  });

  router.on('PATCH', '/api/v1/settings', async (ctx) => {
    requireSuperuser(ctx);
    const body = await objectBody(ctx);
    const unknown = Object.keys(body).filter((k) => !settable.includes(k));
    if (unknown.length)
      throw validationError(
        Object.fromEntries(
          unknown.map((k) => [
            k,
            instance && (k === 'limits' || k === 'heartbeat')
              ? "applies at the next start: set it with the server's start-up options"
              : `is not a setting (settable: ${settable.join(', ')})`,
          ]),
        ),
        'The body names settings that do not exist.',
      );
    const retention = instance && 'retention' in body ? parseRetention(body.retention) : undefined;
    let status = control.status();
    if ('redis_url' in body) {
      const v = body.redis_url;
      if (v !== null && typeof v !== 'string')
        throw validationError({ redis_url: `expected a string or null, got ${typeof v}` });
      try {
        status = await control.set(v);
      } catch (e) {
        if (e instanceof RedisSettingError)
          throw validationError({ redis_url: e.message }, `redis_url ${e.message}`);
        throw e;
      }
    }
    if (retention) instance!.setRetention(retention);
    return answer(status);
  });
}
