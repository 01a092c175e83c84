import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // note: the SDK's type declarations (/sdk/switchboard.d.ts), read by editors and people.
  '.ts': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves files under `root`. With `spa`, unknown paths fall back to index.html (the console
 * routes itself); without, they are 404. `headers` go with every answer (the console's CSP).
 */
export function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  spa = true,
  headers: Record<string, string> = {},
): void {
  res.setHeader('x-content-type-options', 'nosniff');
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  let rel: string;
  try {
    rel = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '');
  } catch {
    res.writeHead(400).end('bad path');
    return;
  }
  let file = join(root, rel);
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(404).end();
    return;
  }
  let st = safeStat(file);
  if (!st?.isFile() && spa) {
    file = join(root, 'index.html');
    st = safeStat(file);
  }
  if (!st?.isFile()) {
    res
      .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      .end(spa ? 'The console is not built: run npm run build.' : 'Not found.');
    return;
  }
  const type = TYPES[extname(file)] ?? 'application/octet-stream';
  // note: hashed assets never change; index.html must be re-read after an upgrade.
  const cache = file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache';
  res.writeHead(200, { 'content-type': type, 'content-length': st.size, 'cache-control': cache });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

function safeStat(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}
