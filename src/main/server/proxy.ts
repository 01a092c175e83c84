import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { sendJson } from '../api/http';

// Hop-by-hop headers are the connection's own, not the message's (RFC 9110 §7.6.1).
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

/**
 * Forwards one HTTP request to `target` (an edge sends REST and the console to the primary).
 *
 * The caller has already checked Host and Origin against its own HostPolicy. Host becomes the
 * target's, and Origin is dropped: the primary does not know the edge's origin, and for it the
 * request is then one without an Origin (allowed, as from a script). The peer's address is
 * appended to X-Forwarded-For; the primary believes it only when this edge is among its
 * trustedProxies.
 */
export function forward(target: URL, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = [prior, req.socket.remoteAddress].filter(Boolean).join(', ');
  headers.host = target.host;
  delete headers.origin;
  const out = request(
    {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
    },
    (upstream) => {
      const back: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(upstream.headers)) if (v !== undefined && !HOP.has(k)) back[k] = v;
      res.writeHead(upstream.statusCode ?? 502, back);
      upstream.pipe(res);
    },
  );
  out.on('error', (e) => {
    if (res.headersSent) res.destroy();
    else
      sendJson(res, 502, {
        error: {
          code: 'unavailable',
          message: `The primary at ${target.origin} is not reachable (${e.message}).`,
        },
      });
  });
  req.pipe(out);
}
