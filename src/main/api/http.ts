import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_JSON_DEPTH, nestedDeeper } from '../../shared/json-depth';
import { AppError } from '../errors';

/**
 * Reads a JSON body up to `limit` bytes; 413 beyond, 400 for malformed JSON, 415 unless the
 * Content-Type is application/json or application/*+json. A body sent as text/plain or with no
 * type is refused: those are what a cross-site form or fetch sends without a CORS preflight.
 */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  if (!type) {
    throw new AppError(
      415,
      'unsupported_media_type',
      'Send JSON with Content-Type: application/json (the request has no Content-Type).',
    );
  }
  if (!/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new AppError(
      415,
      'unsupported_media_type',
      `Send JSON (Content-Type: application/json), not ${type.slice(0, 200)}.`,
    );
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AppError(400, 'invalid_json', `The body is not valid JSON: ${(e as Error).message}`);
  }
  if (nestedDeeper(text)) {
    throw new AppError(
      400,
      'bad_request',
      `The body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels.`,
    );
  }
  return value;
}

function tooLarge(limit: number): AppError {
  return new AppError(413, 'payload_too_large', `The body is larger than the limit of ${limit} bytes.`, {
    limit_bytes: limit,
  });
}

/** Writes a JSON response. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-content-type-options': 'nosniff',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
