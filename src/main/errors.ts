import type { ErrorCode } from '../shared/errors';

/** An error with the HTTP status and stable code it should reach the client with. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** 400 with field-level details: what a client needs to fix its input. */
export function validationError(
  details: Record<string, string>,
  message = 'The input is not valid.',
): AppError {
  return new AppError(400, 'validation_failed', message, details);
}

export const notFound = (what: string): AppError => new AppError(404, 'not_found', `${what} not found.`);
export const forbidden = (message = 'You may not do this.'): AppError =>
  new AppError(403, 'forbidden', message);
