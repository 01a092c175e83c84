import type { ServerResponse } from 'node:http';
import type { ErrorBody } from '../../shared/errors';
import { AppError } from '../errors';
import { sendJson } from './http';

/** An error as the client receives it: status, envelope and headers. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** The error envelope for any thrown value; unknown errors become a 500 that leaks nothing. */
export function errorResponse(e: unknown): ErrorResponse {
  if (e instanceof AppError) {
    const body: ErrorBody = { error: { code: e.code, message: e.message } };
    if (e.details) body.error.details = e.details;
    const headers: Record<string, string> = {};
    if (e.status === 429 && typeof e.details?.retry_after_s === 'number')
      headers['retry-after'] = String(e.details.retry_after_s);
    // note: a 413 arrives before the body was read; close so the client stops sending it.
    if (e.status === 413) headers.connection = 'close';
    return { status: e.status, body, headers };
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal', message: 'Something went wrong on the server; the log has the details.' },
    },
    headers: {},
  };
}

/** Where an error happened: the request's trace id and the server's log. */
export interface ErrorScope {
  traceId: string;
  log: (line: string) => void;
}

/**
 * The one error handler (Hono's `onError`): every HTTP path of a server ends here when it
 * throws. Answers with the envelope, logs a 5xx with its trace id, and cuts the connection
 * when the answer had already begun (a truncated stream must not look complete).
 */
export function onError(e: unknown, res: ServerResponse, scope: ErrorScope): void {
  const r = errorResponse(e);
  if (r.status >= 500) scope.log(`error trace=${scope.traceId}: ${(e as Error)?.stack ?? e}`);
  if (!res.headersSent) sendJson(res, r.status, r.body, r.headers);
  else res.destroy();
}
