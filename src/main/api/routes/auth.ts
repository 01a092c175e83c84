import type { Auth } from '../../auth';
import { AppError, validationError } from '../../errors';
import type { Store } from '../../store';
import { objectBody, requireAuth } from '../guards';
import { reply, type Router } from '../router';

/** Login, refresh (rotating), logout and "who am I". */
export function authRoutes(router: Router, store: Store, auth: Auth): void {
  router.on('POST', '/api/v1/auth/login', async (ctx) => {
    const b = await objectBody(ctx);
    const errors: Record<string, string> = {};
    if (typeof b.email !== 'string' || b.email === '') errors.email = 'is required';
    if (typeof b.password !== 'string' || b.password === '') errors.password = 'is required';
    if (Object.keys(errors).length) throw validationError(errors);
    return auth.login(b.email as string, b.password as string, ctx.ip) as unknown as Record<string, unknown>;
  });

  router.on('POST', '/api/v1/auth/refresh', async (ctx) => {
    const b = await objectBody(ctx);
    if (typeof b.refresh_token !== 'string') throw validationError({ refresh_token: 'is required' });
    return auth.refresh(b.refresh_token) as unknown as Record<string, unknown>;
  });

  router.on('POST', '/api/v1/auth/logout', (ctx) => {
    const p = requireAuth(ctx);
    if (p.kind === 'key')
      throw new AppError(400, 'bad_request', 'API keys do not log out; an admin deletes them.');
    auth.logout(p);
    return reply(204);
  });

  router.on('GET', '/api/v1/auth/me', (ctx) => {
    const p = requireAuth(ctx);
    if (p.kind === 'key') {
      const key = store.keys.get(p.id)!;
      return { kind: 'key', key };
    }
    return { kind: 'user', user: store.users.get(p.id)! };
  });
}
