/** `GET /api/v1/health`: is the server up, which version, since when. */
import { envelopeMessage } from './api-error';

/** The health response body. */
export interface HealthInfo {
  status: 'ok';
  version: string;
  uptime_s: number;
  started_at: string;
}

/** note: long enough for a busy server, short enough that a dead one shows as down before the next poll. */
export const HEALTH_TIMEOUT_MS = 4000;

function isHealthInfo(body: unknown): body is HealthInfo {
  const b = body as Partial<HealthInfo> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    b.status === 'ok' &&
    typeof b.version === 'string' &&
    typeof b.uptime_s === 'number' &&
    typeof b.started_at === 'string'
  );
}

/** Fetches the server's health; throws an Error whose message is fit to show the user. */
export async function fetchHealth(serverUrl: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HealthInfo> {
  const url = new URL('/api/v1/health', serverUrl);
  let response: Response;
  try {
    response = await fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') {
      throw new Error(`The server at ${serverUrl} did not answer within ${timeoutMs / 1000} s.`);
    }
    throw new Error(`Cannot reach the server at ${serverUrl}.`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const detail = envelopeMessage(body) ?? response.statusText;
    throw new Error(`The server answered ${response.status}${detail ? `: ${detail}` : ''}.`);
  }
  if (!isHealthInfo(body)) throw new Error(`The server at ${serverUrl} sent an unexpected health response.`);
  return body;
}
