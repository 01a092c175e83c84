/**
 * `Resource<T>`: the one way the console loads anything. A screen renders from `status` (loading, error,
 * empty, ready) and keeps showing the last `data` while a reload runs or fails.
 */
import { ApiError } from '../../../shared/client';

/** An error as the store keeps it: plain data, in words a user can read, with the server's field messages. */
export interface ResourceError {
  message: string;
  /** The server's stable code (`validation_failed`, `forbidden`, …) or `network` / `error`. */
  code: string;
  /** The HTTP status; 0 when no response came. */
  status: number;
  /** Per-field messages of a validation error, keyed by field name. */
  fields?: Record<string, string>;
  /** Seconds to wait (429). */
  retryAfterS?: number;
}

/** Something loaded from the server. */
export interface Resource<T> {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** The last good data; kept while reloading and after a failed reload. */
  data: T | null;
  error: ResourceError | null;
}

/** Nothing asked yet. */
export function idle<T>(): Resource<T> {
  return { status: 'idle', data: null, error: null };
}

/** A load started; keeps the data it had. */
export function loading<T>(prev: Resource<T>): Resource<T> {
  return { status: 'loading', data: prev.data, error: null };
}

/** A load finished. */
export function ready<T>(data: T): Resource<T> {
  return { status: 'ready', data, error: null };
}

/** A load failed; keeps the data it had. */
export function failed<T>(prev: Resource<T>, error: unknown): Resource<T> {
  return { status: 'error', data: prev.data, error: toResourceError(error) };
}

/** Any thrown value as a {@link ResourceError}; an `ApiError` keeps its status, code and field messages. */
export function toResourceError(e: unknown): ResourceError {
  if (e instanceof ApiError) {
    const fields = e.fieldErrors;
    return {
      message: e.status === 0 ? 'Cannot reach the server. Check that it is running.' : e.message,
      code: e.code,
      status: e.status,
      ...(Object.keys(fields).length ? { fields } : {}),
      ...(e.retry_after_s !== undefined ? { retryAfterS: e.retry_after_s } : {}),
    };
  }
  return { message: e instanceof Error ? e.message : String(e), code: 'error', status: 0 };
}

/**
 * Runs `fetch` and writes its progress through `put` (loading, then ready or error). Resolves to the data,
 * or null when it failed (the error is in the resource).
 */
export async function track<T>(
  get: () => Resource<T>,
  put: (r: Resource<T>) => void,
  fetch: () => Promise<T>,
): Promise<T | null> {
  put(loading(get()));
  try {
    const data = await fetch();
    put(ready(data));
    return data;
  } catch (e) {
    put(failed(get(), e));
    return null;
  }
}
