/**
 * What Node's HTTP parser refuses before any route runs (headers over the limit, a malformed
 * request, an unknown method) is answered with the JSON error envelope, on REST and SSE paths
 * alike, and the connection is closed.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useServer } from '../api/support';

const env = useServer();

/** Writes `raw` on a fresh socket and reads until the server closes it. */
function exchange(raw: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const u = new URL(env.s.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(u.port), u.hostname);
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (data += d));
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'ECONNRESET' && e.code !== 'EPIPE') reject(e);
    });
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.write(raw);
  });
}

const host = () => `Host: ${new URL(env.s.url).host}\r\n`;

describe('requests the HTTP parser refuses', () => {
  it('answers headers over the limit with 431 and JSON, on REST and SSE paths', async () => {
    for (const path of ['/api/v1/health', '/api/v1/sse/realtime?collection=presence', '/']) {
      const r = await exchange(`GET ${path} HTTP/1.1\r\n${host()}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(r.status, path).toBe(431);
      expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(r.headers['connection']).toBe('close');
      expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.body));
      expect(JSON.parse(r.body)).toEqual({
        error: {
          code: 'payload_too_large',
          message: 'The request headers are larger than the server accepts.',
        },
      });
    }
  });

  it('answers a malformed request with 400 and JSON', async () => {
    for (const raw of [
      `GET /api/v1/health HTTX/1.1\r\n${host()}\r\n`,
      `GET /api/v1/health HTTP/1.1\r\n${host()}Bad Header Line\r\n\r\n`,
      `POST /api/v1/auth/login HTTP/1.1\r\n${host()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    ]) {
      const r = await exchange(raw);
      expect(r.status, raw).toBe(400);
      expect(JSON.parse(r.body), raw).toEqual({
        error: { code: 'bad_request', message: 'The request is not valid HTTP.' },
      });
    }
  });

  it('answers an unknown method with 400 and JSON', async () => {
    const r = await exchange(`BREW /api/v1/health HTTP/1.1\r\n${host()}\r\n`);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({
      error: { code: 'bad_request', message: 'The request method is not valid.' },
    });
  });

  it('keeps answering ordinary requests', async () => {
    const r = await exchange(`GET /api/v1/health HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`);
    expect(r.status).toBe(200);
  });
});
