import { isAdmin, type Principal } from '../auth/principal';
import { AppError } from '../errors';
import type { Ctx } from './router';

/** The caller, or 401 when anonymous. */
export function requireAuth(ctx: Ctx): Principal {
  if (!ctx.principal)
    throw new AppError(401, 'unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
  return ctx.principal;
}

/** An admin caller (role admin or the superuser), or 401/403. */
export function requireAdmin(ctx: Ctx): Principal {
  const p = requireAuth(ctx);
  if (!isAdmin(p)) throw new AppError(403, 'forbidden', 'Only admins may do this.');
  return p;
}

/**
 * An admin who manages the account itself (users, keys, new collections): a collection-scoped
 * API key is refused even with role admin, since it must never act outside its collections.
 */
export function requireAccountAdmin(ctx: Ctx): Principal {
  const p = requireAdmin(ctx);
  if (p.collections)
    throw new AppError(
      403,
      'forbidden',
      `This API key is limited to collections (${p.collections.join(', ')}); it cannot manage users, keys or other collections.`,
    );
  return p;
}

/** 401 for anonymous callers, 403 for signed-in ones. */
export function denied(ctx: Ctx, reason: string): AppError {
  return ctx.principal ? new AppError(403, 'forbidden', reason) : new AppError(401, 'unauthorized', reason);
}

/** A JSON object body, or 400. */
export async function objectBody(ctx: Ctx): Promise<Record<string, unknown>> {
  const b = await ctx.body();
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw new AppError(400, 'bad_request', 'Send a JSON object as the body.');
  }
  return b as Record<string, unknown>;
}

/**
 * The field errors of a body that may hold only `fields`: each other key is an 'unknown field'.
 * The route's own checks add to the same object before it throws them together.
 */
export function unknownFields(b: Record<string, unknown>, fields: readonly string[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const k of Object.keys(b)) if (!fields.includes(k)) errors[k] = 'unknown field';
  return errors;
}
