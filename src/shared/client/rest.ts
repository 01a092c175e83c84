/** Small REST helpers over `fetch`: JSON requests with the bearer token, login, and record CRUD. */
import type { User } from '../admin';
import type { Collection, RecordData } from '../schema';
import type { FetchLike } from './types';

/**
 * A failed REST call: the server's error envelope (`status`, stable `code`, `message`, `details` — for a
 * validation error `{field: message}`), or `network` (status 0) when no response came. A 429 carries
 * `retry_after_s`, the seconds to wait before trying again.
 */
export class ApiError extends Error {
  /** Seconds to wait before retrying (429 only): the envelope's `details.retry_after_s` or `Retry-After`. */
  readonly retry_after_s?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    if (retryAfterS !== undefined) this.retry_after_s = retryAfterS;
  }

  /** The per-field messages of a validation error (`details` entries whose value is a string). */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.details ?? {})) if (typeof v === 'string') out[k] = v;
    return out;
  }
}

/** The wait a 429 asks for: `details.retry_after_s`, else the `Retry-After` header (seconds). */
function retryAfter(
  status: number,
  details: Record<string, unknown> | undefined,
  headers: Headers | undefined,
): number | undefined {
  if (status !== 429) return undefined;
  const fromBody = details?.retry_after_s;
  if (typeof fromBody === 'number' && Number.isFinite(fromBody)) return Math.max(0, Math.ceil(fromBody));
  const raw = headers?.get('retry-after');
  const fromHeader = Number(raw);
  // note: a 429 without a stated wait still means "not now": one second is the least that is honest.
  return raw && Number.isFinite(fromHeader) ? Math.max(0, Math.ceil(fromHeader)) : 1;
}

/** What a request needs from the client: where, as whom, and with which fetch. */
export interface HttpContext {
  baseUrl(): string;
  token(): string | undefined;
  fetch: FetchLike;
}

/** Where and as whom a group of REST helpers calls (the monitor's, the displays'). */
export interface ApiOptions {
  url: () => string;
  token: () => string | undefined;
  /** Defaults to the global fetch. */
  fetch?: FetchLike;
}

/** The request context for helpers built from {@link ApiOptions}. */
export function apiContext(options: ApiOptions): HttpContext {
  return {
    baseUrl: options.url,
    token: options.token,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
  };
}

/** Sends a JSON request and returns the parsed body (undefined for 204); throws {@link ApiError} otherwise. */
export async function requestJson<T>(
  ctx: HttpContext,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = ctx.token();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await ctx.fetch(new URL(path, ctx.baseUrl()).toString(), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', `${method} ${path} failed: ${(e as Error).message ?? String(e)}`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    const details =
      err?.details && typeof err.details === 'object' ? (err.details as Record<string, unknown>) : undefined;
    throw new ApiError(
      res.status,
      typeof err?.code === 'string' ? err.code : `http_${res.status}`,
      typeof err?.message === 'string' ? err.message : `${method} ${path}: HTTP ${res.status}`,
      details,
      retryAfter(res.status, details, res.headers),
    );
  }
  return json as T;
}

/** The user a login returns (the admin API's `User`). */
export type AuthUser = User;

/** `POST /api/v1/auth/login`'s response. */
export interface LoginResult {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  user: AuthUser;
}

/** Query of a record list; `filter` is an object in the filter language (or its JSON). */
export interface ListParams {
  filter?: Record<string, unknown> | string;
  sort?: string;
  page?: number;
  per_page?: number;
  select?: string[];
}

/** One page of records. */
export interface ListResult<T> {
  items: T[];
  page: number;
  per_page: number;
  total_items: number;
  total_pages: number;
}

/** CRUD on one collection's records (`/api/v1/collections/{name}/records`). */
export interface RecordsApi<T extends RecordData = RecordData> {
  list(params?: ListParams): Promise<ListResult<T>>;
  get(id: string, opts?: { select?: string[] }): Promise<T>;
  create(fields: Record<string, unknown>): Promise<T>;
  update(id: string, fields: Record<string, unknown>): Promise<T>;
  delete(id: string): Promise<void>;
}

/** The record helpers bound to one collection. */
export function recordsApi<T extends RecordData = RecordData>(
  ctx: HttpContext,
  collection: string,
): RecordsApi<T> {
  const base = `/api/v1/collections/${encodeURIComponent(collection)}/records`;
  const one = (id: string) => `${base}/${encodeURIComponent(id)}`;
  return {
    list(params = {}) {
      const q = new URLSearchParams();
      if (params.filter !== undefined) {
        q.set('filter', typeof params.filter === 'string' ? params.filter : JSON.stringify(params.filter));
      }
      if (params.sort) q.set('sort', params.sort);
      if (params.page !== undefined) q.set('page', String(params.page));
      if (params.per_page !== undefined) q.set('per_page', String(params.per_page));
      if (params.select) q.set('select', params.select.join(','));
      const qs = q.toString();
      return requestJson(ctx, 'GET', qs ? `${base}?${qs}` : base);
    },
    get(id, opts = {}) {
      const qs = opts.select ? `?select=${encodeURIComponent(opts.select.join(','))}` : '';
      return requestJson(ctx, 'GET', one(id) + qs);
    },
    create: (fields) => requestJson(ctx, 'POST', base, fields),
    update: (id, fields) => requestJson(ctx, 'PATCH', one(id), fields),
    delete: (id) => requestJson<void>(ctx, 'DELETE', one(id)),
  };
}

/** `POST /api/v1/auth/login`. */
export function login(ctx: HttpContext, email: string, password: string): Promise<LoginResult> {
  return requestJson(ctx, 'POST', '/api/v1/auth/login', { email, password });
}

/** `GET /api/v1/collections/{name}`: the schema (fields) the client needs to evaluate filters locally. */
export function getCollection(ctx: HttpContext, name: string): Promise<Omit<Collection, 'rules'>> {
  return requestJson(ctx, 'GET', `/api/v1/collections/${encodeURIComponent(name)}`);
}
