import type { SharingStatus } from '../../../shared/displays';
import { AppError, validationError } from '../../errors';
import { objectBody, requireAuth, unknownFields } from '../guards';
import type { Ctx, Router } from '../router';

/** What the sharing routes drive (the server's LanSharing). */
export interface SharingControl {
  status(): SharingStatus;
  set(lan: boolean): Promise<void>;
}

function requireSuperuser(ctx: Ctx): void {
  const p = requireAuth(ctx);
  if (!p.superuser)
    throw new AppError(403, 'forbidden', 'Only the superuser may share this server on the LAN.');
}

/** `GET|PUT /api/v1/sharing`: the superuser's "Share on the LAN" switch. */
export function sharingRoutes(router: Router, sharing: SharingControl): void {
  router.on('GET', '/api/v1/sharing', (ctx) => {
    requireSuperuser(ctx);
    return { ...sharing.status() };
  });

  router.on('PUT', '/api/v1/sharing', async (ctx) => {
    requireSuperuser(ctx);
    const b = await objectBody(ctx);
    const errors = unknownFields(b, ['lan']);
    if (typeof b.lan !== 'boolean') errors.lan = 'must be true or false';
    if (Object.keys(errors).length) throw validationError(errors);
    const now = sharing.status();
    if (now.locked && b.lan !== now.lan)
      throw new AppError(
        409,
        'conflict',
        'Sharing was set on the command line (--host) when the server started; restart it without --host to switch it here.',
      );
    try {
      await sharing.set(b.lan as boolean);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new AppError(
        409,
        'conflict',
        code === 'EADDRINUSE'
          ? 'Another program already uses this port on the LAN; sharing stays off.'
          : `Could not switch LAN sharing: ${(e as Error).message}`,
      );
    }
    return { ...sharing.status() };
  });
}
