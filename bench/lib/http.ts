import { Agent, request } from 'node:http';
import type { Socket } from 'node:net';

const REQUEST_TIMEOUT_MS = 30_000;

export interface JsonResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  bytes: number;
}

/**
 * A JSON client over node:http with a keep-alive pool of at most `connections` sockets
 * (lighter on the shared CPU than fetch, and the pool size is exact).
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly base: URL;
  private readonly sockets = new Set<Socket>();

  constructor(
    url: string,
    readonly connections = 1,
    public token?: string,
  ) {
    this.base = new URL(url);
    this.agent = new Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  }

  /** How many distinct TCP connections this client has opened so far. */
  get connectionsOpened(): number {
    return this.sockets.size;
  }

  request(method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string | number> = {};
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return new Promise((resolve, reject) => {
      const req = request(
        { host: this.base.hostname, port: this.base.port, path, method, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const buf = Buffer.concat(chunks);
            let parsed: unknown;
            try {
              parsed = buf.length ? JSON.parse(buf.toString('utf8')) : undefined;
            } catch {
              parsed = buf.toString('utf8');
            }
            resolve({ status: res.statusCode ?? 0, body: parsed, bytes: buf.length });
          });
        },
      );
      req.on('socket', (s: Socket) => this.sockets.add(s));
      req.setTimeout(REQUEST_TIMEOUT_MS, () =>
        req.destroy(new Error(`${method} ${path}: no response in ${REQUEST_TIMEOUT_MS} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like `request`, but throws unless the status is `expect`. */
  async expect(status: number, method: string, path: string, body?: unknown): Promise<JsonResponse> {
    const r = await this.request(method, path, body);
    if (r.status !== status) {
      throw new Error(`${method} ${path.split('?')[0]}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    return r;
  }

  /** Logs in and keeps the access token. */
  async login(email: string, password: string): Promise<void> {
    const r = await this.expect(200, 'POST', '/api/v1/auth/login', { email, password });
    this.token = r.body.access_token as string;
  }

  close(): void {
    this.agent.destroy();
  }
}
