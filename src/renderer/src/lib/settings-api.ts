/** `GET` and `PATCH /api/v1/settings`: the instance's scale-out (Redis) setting, for the superuser. */
import { envelopeDetail, envelopeMessage } from './api-error';

/**
 * What the server says about scale-out (mirrors `ScaleOutStatus` in src/main/server/scale-out.ts, which the
 * renderer cannot import across the process boundary).
 */
export interface ScaleOutStatus {
  /** The Redis URL in use or being tried, password masked; null when single-process. */
  redis_url: string | null;
  /** `flag`: --redis / SWITCHBOARD_REDIS_URL; `setting`: saved from the console. */
  source: 'flag' | 'setting' | null;
  state: 'off' | 'connected' | 'error';
  /** Why the saved Redis could not be reached (state `error` only). */
  error?: string;
  /** False when the flag set it: the console may not change it then. */
  editable: boolean;
}

/** A failed settings request; `field` is the server's reason for a rejected `redis_url`, if it gave one. */
export class SettingsApiError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'SettingsApiError';
  }
}

/** note: the server answers GET at once; a dead server shows as an error before anyone waits long. */
export const LOAD_TIMEOUT_MS = 5000;
/** note: a PATCH opens several Redis links, each allowed 3 s to connect; 30 s covers a slow host. */
export const SAVE_TIMEOUT_MS = 30_000;

const STATES = new Set(['off', 'connected', 'error']);
const SOURCES = new Set(['flag', 'setting', null]);

function isScaleOutStatus(v: unknown): v is ScaleOutStatus {
  const s = v as Partial<ScaleOutStatus> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    (s.redis_url === null || typeof s.redis_url === 'string') &&
    SOURCES.has(s.source as string | null) &&
    STATES.has(s.state as string) &&
    (s.error === undefined || typeof s.error === 'string') &&
    typeof s.editable === 'boolean'
  );
}

/** Turns a non-2xx response body into a SettingsApiError, with the server's words when it sent an envelope. */
function failure(status: number, statusText: string, body: unknown): SettingsApiError {
  const detail = envelopeMessage(body) ?? statusText;
  return new SettingsApiError(
    `The server answered ${status}${detail ? `: ${detail}` : ''}.`,
    envelopeDetail(body, 'redis_url'),
  );
}

async function request(
  serverUrl: string,
  token: string,
  init: { method: 'GET' | 'PATCH'; body?: unknown; timeoutMs: number },
): Promise<ScaleOutStatus> {
  const url = new URL('/api/v1/settings', serverUrl);
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(init.timeoutMs),
    });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'TimeoutError') {
      throw new SettingsApiError(
        `The server at ${serverUrl} did not answer within ${init.timeoutMs / 1000} s.`,
      );
    }
    throw new SettingsApiError(`Cannot reach the server at ${serverUrl}.`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw failure(response.status, response.statusText, body);
  const scaleOut = (body as { scale_out?: unknown } | null)?.scale_out;
  if (!isScaleOutStatus(scaleOut))
    throw new SettingsApiError(`The server at ${serverUrl} sent an unexpected settings response.`);
  return scaleOut;
}

/** Reads the scale-out setting; throws a SettingsApiError whose message is fit to show the user. */
export function fetchScaleOut(serverUrl: string, token: string): Promise<ScaleOutStatus> {
  return request(serverUrl, token, { method: 'GET', timeoutMs: LOAD_TIMEOUT_MS });
}

/**
 * Sets the Redis URL (null: back to a single process). The server answers once it has joined or left the
 * cluster; a URL it cannot use is a SettingsApiError with the reason in `field`.
 */
export function saveRedisUrl(
  serverUrl: string,
  token: string,
  redisUrl: string | null,
): Promise<ScaleOutStatus> {
  return request(serverUrl, token, {
    method: 'PATCH',
    body: { redis_url: redisUrl },
    timeoutMs: SAVE_TIMEOUT_MS,
  });
}
