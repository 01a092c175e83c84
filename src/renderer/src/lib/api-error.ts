/** The server's REST error envelope `{ "error": { code, message, details? } }`, read defensively. */

/** The envelope's message with its code, e.g. `Shutting down (unavailable)`, if the body is one. */
export function envelopeMessage(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (typeof error?.message !== 'string') return undefined;
  return typeof error.code === 'string' ? `${error.message} (${error.code})` : error.message;
}

/** One field's reason from a 400 `validation_failed` envelope's details, if it gave one. */
export function envelopeDetail(body: unknown, field: string): string | undefined {
  const details = (body as { error?: { details?: Record<string, unknown> } } | null)?.error?.details;
  const v = details?.[field];
  return typeof v === 'string' ? v : undefined;
}
