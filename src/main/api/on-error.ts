import type { ServerResponse } from 'node:http';
import { evaluateFilter } from '../../shared/filter';
import type { ErrorBody } from '../../shared/errors';
import type { Principal } from '../auth/principal';
import { callerContext, ruleAccess } from '../auth/rules';
import { AppError } from '../errors';
import {
  AmbiguousId,
  Conflict,
  Invalid,
  NotFound,
  StoreError,
  UniqueViolation,
  VersionConflict,
} from '../store/errors';
import { sendJson } from './http';
import { etag } from './routes/record-helpers';

/** An error as the client receives it: status, envelope and headers. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * What a store error is over HTTP: the one table from the store's refusals to statuses and
 * codes. `principal` decides whether a 412 may show the record as it now is.
 */
export function fromStoreError(e: StoreError, principal: Principal | null = null): AppError {
  if (e instanceof NotFound) return new AppError(404, 'not_found', e.message);
  if (e instanceof Invalid) return new AppError(400, 'validation_failed', e.message, e.details);
  if (e instanceof UniqueViolation)
    return new AppError(409, 'unique_violation', e.message, { [e.field]: e.reason });
  if (e instanceof AmbiguousId)
    return new AppError(
      409,
      'conflict',
      `Accounts ${e.accounts.map((a) => `'${a}'`).join(', ')} each hold a record '${e.id}'; add ?account= to name one.`,
      { accounts: e.accounts },
    );
  if (e instanceof Conflict) return new AppError(409, 'conflict', e.message, e.details);
  if (e instanceof VersionConflict) {
    const { current, collection } = e;
    const mine = etag(current);
    const view = ruleAccess(principal, collection, 'view');
    const visible =
      view.allowed && (!view.filter || evaluateFilter(view.filter, current, callerContext(principal)));
    return new AppError(
      412,
      'precondition_failed',
      `Record '${current.id}' changed since you read it (If-Match ${e.ifMatch.given}, now ${mine}); reload it and try again.`,
      visible ? { current, etag: mine } : { etag: mine },
    );
  }
  return new AppError(500, 'internal', 'Something went wrong on the server; the log has the details.');
}

/** Field -> message for one failing row of a batch: the details its error would answer with. */
export function rowErrors(e: StoreError): Record<string, string> {
  const details = fromStoreError(e).details ?? { _: e.message };
  return Object.fromEntries(Object.entries(details).map(([k, v]) => [k, String(v)]));
}

/** The error envelope for any thrown value; unknown errors become a 500 that leaks nothing. */
export function errorResponse(e: unknown, principal: Principal | null = null): ErrorResponse {
  if (e instanceof StoreError) e = fromStoreError(e, principal);
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
  /** The caller, when known (a 412 shows the current record only to who may view it). */
  principal?: Principal | null;
}

/**
 * The one error handler (Hono's `onError`): every HTTP path of a server ends here when it
 * throws. Answers with the envelope, logs a 5xx with its trace id, and cuts the connection
 * when the answer had already begun (a truncated stream must not look complete).
 */
export function onError(e: unknown, res: ServerResponse, scope: ErrorScope): void {
  const r = errorResponse(e, scope.principal);
  if (r.status >= 500) scope.log(`error trace=${scope.traceId}: ${(e as Error)?.stack ?? e}`);
  if (!res.headersSent) sendJson(res, r.status, r.body, r.headers);
  else res.destroy();
}
