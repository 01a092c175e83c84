/** The admin's reads in the monitor-console section, safe against a keep-alive socket the server just closed. */
import type { HttpClient, JsonResponse } from '../../lib/http';

/**
 * GET `path`, expecting 200. A request on a kept-alive socket that the server closes at that
 * moment (its idle timeout) fails with "socket hang up" or ECONNRESET without reaching it;
 * a GET is safe to send once more.
 */
export async function adminGet(admin: HttpClient, path: string): Promise<JsonResponse> {
  try {
    return await admin.expect(200, 'GET', path);
  } catch (e) {
    const m = (e as Error & { code?: string }).code ?? (e as Error).message;
    if (!/socket hang up|ECONNRESET/.test(m)) throw e;
    return admin.expect(200, 'GET', path);
  }
}

/** The event log's last seq. */
export async function lastSeq(admin: HttpClient): Promise<number> {
  return (await adminGet(admin, '/api/v1/events?limit=1')).body.last_seq as number;
}
