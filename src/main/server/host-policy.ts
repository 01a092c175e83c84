import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

/** Why a request was refused before it reached a route: the status and the JSON error it gets. */
export interface Refusal {
  status: number;
  code: 'forbidden';
  message: string;
  details: Record<string, string>;
}

/** What the policy allows beyond the server's own names (ServerConfig / CLI flags). */
export interface HostPolicyOptions {
  /** Extra host names the server answers to on any port (a reverse proxy's public name). */
  allowedHosts?: readonly string[];
  /** Origins of apps served elsewhere that may call the API and open realtime connections; '*' allows any. */
  allowedOrigins?: readonly string[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = new Set(['', '0.0.0.0', '::', '[::]']);
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** True for a loopback address or name (127/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = bare(host);
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h) || /^::ffff:127\./.test(h);
}

/** Lower case, no brackets, no trailing dot, no IPv6 zone. */
function bare(host: string): string {
  return host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '')
    .replace(/\.$/, '');
}

/** Splits a Host header (`name`, `name:port`, `[v6]:port`); undefined when it is not one. */
function parseHost(header: string): { name: string; port?: number } | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return undefined;
  return { name: bare(m[1]!), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/** `http://h:p` with the scheme's default port left out, as a browser writes an Origin. */
function normalizeOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/**
 * Which `Host` and `Origin` a request may carry, as a function of where the server listens.
 *
 * - Host (DNS rebinding): bound to loopback, only localhost / 127.0.0.1 / [::1]; bound to a
 *   wildcard or a LAN address, also this machine's names (hostname, hostname.local) and its
 *   interface addresses. These names match with no port or the server's own port only (another
 *   port on the same name is another site). `allowedHosts` add names on any port (a proxy's).
 * - Origin (cross-site requests): checked on unsafe methods and WebSocket upgrades. A request
 *   without Origin (scripts, kiosks, curl) passes; a browser's is allowed when it is this
 *   server's own (an allowed host on the server's port, or exactly the Host the request came
 *   to: same-origin behind a proxy) or in `allowedOrigins`.
 *
 * `setBinding` recomputes the names, so sharing on the LAN at runtime can widen them.
 */
export class HostPolicy {
  private names = new Set<string>(LOOPBACK_NAMES);
  private port = 0;
  private readonly extraHosts: Set<string>;
  private readonly origins: Set<string>;
  private readonly anyOrigin: boolean;

  constructor(opts: HostPolicyOptions = {}) {
    this.extraHosts = new Set((opts.allowedHosts ?? []).map(bare));
    this.anyOrigin = (opts.allowedOrigins ?? []).includes('*');
    this.origins = new Set();
    for (const o of opts.allowedOrigins ?? []) {
      if (o === '*') continue;
      const n = normalizeOrigin(o);
      if (!n) throw new Error(`invalid allowed origin '${o}': use http(s)://HOST[:PORT]`);
      this.origins.add(n);
    }
    for (const h of this.extraHosts)
      if (!h || !parseHost(h.includes(':') ? `[${h}]` : h))
        throw new Error(`invalid allowed host '${h}': use a host name or an address`);
  }

  /**
   * Sets where the server listens: `hosts` are the addresses or names it is bound to (the
   * configured host and the address it got), `port` the port it got.
   */
  setBinding(hosts: readonly string[], port: number): void {
    const names = new Set(LOOPBACK_NAMES);
    for (const raw of hosts) {
      const h = bare(raw);
      if (isLoopback(h)) continue;
      names.add(h);
      const me = hostname().toLowerCase();
      names.add(me);
      names.add(`${me}.local`);
      if (WILDCARDS.has(raw) || WILDCARDS.has(h)) {
        for (const list of Object.values(networkInterfaces()))
          for (const a of list ?? []) names.add(bare(a.address));
      }
    }
    for (const w of WILDCARDS) names.delete(w);
    this.names = names;
    this.port = port;
  }

  /** The host names the server answers to now (for messages and the console's LAN URLs). */
  hosts(): string[] {
    return [...this.names, ...this.extraHosts];
  }

  /** Refuses a Host that is not one of this server's names (DNS rebinding). */
  checkHost(header: string | undefined): Refusal | undefined {
    // note: HTTP/1.0 clients may omit Host; browsers always send it, so there is nothing to rebind.
    if (header === undefined || header === '') return undefined;
    const h = parseHost(header);
    if (h && this.extraHosts.has(h.name)) return undefined;
    if (h && this.names.has(h.name) && (h.port === undefined || h.port === this.port)) return undefined;
    return {
      status: 403,
      code: 'forbidden',
      message: `This server does not answer to the host '${header.slice(0, 200)}'; use ${this.example()} (a proxy's name can be added with --allowed-host).`,
      details: { host: header.slice(0, 200) },
    };
  }

  /** Refuses a browser Origin that is neither this server's nor an allowed app's. */
  checkOrigin(origin: string | undefined, hostHeader: string | undefined): Refusal | undefined {
    if (origin === undefined) return undefined;
    if (this.anyOrigin && origin !== 'null') return undefined;
    const n = normalizeOrigin(origin);
    if (n) {
      if (this.origins.has(n)) return undefined;
      const u = new URL(n);
      if (hostHeader && u.host === hostHeader.toLowerCase()) return undefined;
      const name = bare(u.hostname);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      if (this.extraHosts.has(name)) return undefined;
      if (this.names.has(name) && port === this.port) return undefined;
    }
    return {
      status: 403,
      code: 'forbidden',
      message: `Requests from the origin '${origin.slice(0, 200)}' are not allowed; an app served elsewhere must be added with --allowed-origin.`,
      details: { origin: origin.slice(0, 200) },
    };
  }

  /** Whether `origin` is one of the configured apps served elsewhere (they get CORS headers). */
  listed(origin: string | undefined): boolean {
    if (origin === undefined || origin === 'null') return false;
    if (this.anyOrigin) return true;
    const n = normalizeOrigin(origin);
    return n !== undefined && this.origins.has(n);
  }

  /**
   * The refusal for a request, if any: its Host always; its Origin on unsafe methods and on
   * WebSocket upgrades (a cross-site page can open a WebSocket with no preflight).
   */
  check(req: IncomingMessage, upgrade = false): Refusal | undefined {
    const host = req.headers.host;
    const bad = this.checkHost(host);
    if (bad) return bad;
    if (!upgrade && !UNSAFE.has(req.method ?? 'GET')) return undefined;
    return this.checkOrigin(req.headers.origin, host);
  }

  private example(): string {
    return `http://127.0.0.1:${this.port}`;
  }
}
