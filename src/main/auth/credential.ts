import type { IncomingMessage } from 'node:http';

// note: RFC 6750's b64token is one run of non-space characters; `Bearer a b` is not a credential.
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * The token of an `Authorization: Bearer <token>` header, or undefined when the header is
 * missing or is not a well-formed bearer credential (another scheme, no token, spaces inside).
 */
function bearerHeader(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  return (h && BEARER.exec(h.trim())?.[1]) || undefined;
}

/**
 * The one credential reader for REST, every realtime dialect, SSE and the monitor.
 *
 * Precedence: `Authorization: Bearer` first, then the dialect's own header credentials
 * (`other`, e.g. FastSchema's `X-Auth-Token` or a `Sec-WebSocket-Protocol` token), then
 * `?token=`. A header is the more deliberate credential: browsers cannot set headers on
 * WebSocket/EventSource URLs, so the SDK and kiosks put `?token=` there, and a URL token may
 * be a stale one copied along with a link while the header is what the client chose to send.
 * A malformed `Authorization` header is ignored (a proxy's `Basic` must not hide the query
 * token); an empty value anywhere counts as absent.
 */
export function credentialOf(
  req: IncomingMessage,
  url: URL,
  other?: () => string | undefined,
): string | undefined {
  return bearerHeader(req) || other?.()?.trim() || url.searchParams.get('token')?.trim() || undefined;
}
