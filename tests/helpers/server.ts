import type { ChildProcess } from 'node:child_process';
import { createServer, type ServerConfig, type SwitchboardServer } from '../../src/main/server';
import { startCli, type NodeProc } from './child';
import { removeDir, tempDir } from './cleanup';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './credentials';

export { ADMIN_EMAIL, ADMIN_PASSWORD, tempDir };
/** Removes a temp dir made by {@link tempDir}. */
export const cleanup = removeDir;

/** A real server in this process on an ephemeral port with its own temp data dir. */
export interface TestServer {
  server: SwitchboardServer;
  url: string;
  dataDir: string;
  logs: string[];
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startServer(overrides: Partial<ServerConfig> = {}): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const logs: string[] = [];
  const server = createServer({
    port: 0,
    host: '127.0.0.1',
    env: { SWITCHBOARD_ADMIN_EMAIL: ADMIN_EMAIL, SWITCHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD },
    log: (l) => logs.push(l),
    ...overrides,
    dataDir,
  });
  await server.start();
  return {
    server,
    url: server.url,
    dataDir,
    logs,
    async stop(opts = {}) {
      await server.stop();
      if (!opts.keepData) removeDir(dataDir);
    },
  };
}

/** A tiny JSON client over fetch that returns status, headers and parsed body. */
export class Client {
  constructor(
    readonly url: string,
    public token?: string,
  ) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: res.status, headers: res.headers, body: json };
  }

  get = (p: string) => this.req('GET', p);
  post = (p: string, b?: unknown) => this.req('POST', p, b ?? {});
  patch = (p: string, b?: unknown) => this.req('PATCH', p, b ?? {});
  del = (p: string) => this.req('DELETE', p);

  /** Logs in and keeps the access token. */
  async login(email = ADMIN_EMAIL, password = ADMIN_PASSWORD) {
    const r = await this.post('/api/v1/auth/login', { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.token = r.body.access_token;
    return r.body;
  }
}

/** An admin client of a fresh server. */
export async function adminClient(s: TestServer): Promise<Client> {
  const c = new Client(s.url);
  await c.login();
  return c;
}

/** Creates a user (as `admin`) and returns a client logged in as them. */
export async function userClient(
  admin: Client,
  email: string,
  role: 'admin' | 'editor' | 'viewer',
  account?: string,
): Promise<Client & { userId: string }> {
  const password = 'password-' + email;
  const r = await admin.post('/api/v1/users', { email, password, role, ...(account ? { account } : {}) });
  if (r.status !== 201) throw new Error(`user create failed: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(admin.url) as Client & { userId: string };
  await c.login(email, password);
  c.userId = r.body.id;
  return c;
}

/** The headless CLI as a child process (for signal and crash tests). */
export type ChildServer = NodeProc;

/** Starts the CLI from source on a free port with `dataDir`; `args` add or override flags. */
export function spawnServer(dataDir: string, args: string[] = []): Promise<ChildServer> {
  return startCli(['--port', '0', '--data-dir', dataDir, ...args]);
}

/** Waits for a child to exit; resolves its exit code or signal. */
export function exited(proc: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (proc.exitCode !== null || proc.signalCode !== null) {
    return Promise.resolve({ code: proc.exitCode, signal: proc.signalCode });
  }
  return new Promise((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
}
