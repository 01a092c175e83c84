/** The one error envelope of the REST API: `{ "error": { code, message, details? } }`. */

/** Stable machine-readable error codes; the message is for people. */
export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'invalid_filter'
  | 'unauthorized'
  | 'token_expired'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'unique_violation'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'resume_gap'
  | 'precondition_failed'
  | 'unavailable'
  | 'internal';

/** The body of every REST error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}
