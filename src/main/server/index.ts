import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createApi } from '../api';
import { instanceSettings } from '../api/instance-settings';
import { TrustedProxies } from '../api/client-address';
import { onError } from '../api/on-error';
import { credentialOf } from '../auth/credential';
import { Auth } from '../auth';
import { isApiKey } from '../auth/api-keys';
import { AppError } from '../errors';
import { Tokens } from '../auth/tokens';
import { createRealtime, DEFAULT_REALTIME_OPTIONS } from '../realtime';
import { Store } from '../store';
import { resolveConfig, type ServerConfig } from './config';
import { HostPolicy } from './host-policy';
import {
  answerClientErrors,
  consoleHeaders,
  cors,
  displayHeaders,
  NOSNIFF,
  refuseByPolicy,
} from './http-guard';
import { LanSharing, LOCAL_TOKEN_MESSAGE, peers } from './lan';
import { ScaleOut } from './scale-out';
import { serveStatic } from './static';
import { VERSION } from './version';

export type { ServerConfig } from './config';

/** A running (or startable) Switchboard. */
export interface SwitchboardServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** `http://HOST:PORT`, known after start. */
  readonly url: string;
  /** A superuser access token for the local console (the desktop app). */
  issueAdminToken(): Promise<string>;
}

// note: in-flight requests get this long to finish at shutdown before their sockets are cut.
const DRAIN_MS = 10_000;
// note: retention runs once a minute; trimming is cheap with the seq primary key.
const RETENTION_EVERY_MS = 60_000;

/**
 * The composition root: store, auth, REST API and static console on one HTTP server.
 * Used by the Electron main process and the headless CLI alike.
 */
export function createServer(input: ServerConfig): SwitchboardServer {
  const config = resolveConfig(input);
  // Bad origins, hosts or proxies fail here, at start, with one line.
  const policy = new HostPolicy({ allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins });
  const proxies = new TrustedProxies(config.trustedProxies);
  const clientAddress = (req: IncomingMessage) => proxies.clientAddress(req);
  let http: Server | undefined;
  let store: Store | undefined;
  let auth: Auth | undefined;
  let url = '';
  let retention: NodeJS.Timeout | undefined;
  let realtime: ReturnType<typeof createRealtime> | undefined;
  const idle = new Set<Socket>();
  let scaleOut: ScaleOut | undefined;
  const log = config.log;
  // note: the display pages' bundle sits beside the console's, as the SDK does.
  const displayDir = config.staticDir ? join(config.staticDir, '..', 'display') : undefined;
  let closing = new AbortController();

  async function start(): Promise<void> {
    mkdirSync(config.dataDir, { recursive: true });
    const s = new Store(config.dataDir, {
      nativeBinding: config.nativeBinding,
      onBusError: (e) => log(`event listener failed: ${(e as Error).stack ?? e}`),
    });
    store = s;
    const tokens = await Tokens.open(config.dataDir, config.accessTtlS);
    closing = new AbortController();
    auth = new Auth(s, tokens, config.loginLimits);
    const so = new ScaleOut({
      flagUrl: config.redisUrl,
      store: s,
      tokens,
      realtime: () => realtime,
      log,
    });
    try {
      await so.startRelay();
    } catch (e) {
      s.close();
      throw e;
    }
    scaleOut = so;
    await auth.ensureSuperuser(config.env, log);
    // Before the first trim: a retention saved from the console outlives the start-up default.
    const instance = instanceSettings(config, s);
    s.trim({ maxEvents: config.retainEvents, maxAgeMs: config.retainMs });
    retention = setInterval(() => {
      s.trim({ maxEvents: config.retainEvents, maxAgeMs: config.retainMs });
      s.sessions.prune();
      s.optimize();
    }, RETENTION_EVERY_MS);
    retention.unref();

    const server = createHttpServer();
    answerClientErrors(server);
    // Sockets with no request in flight, so shutdown can close the ones that never sent one
    // (closeIdleConnections only knows sockets that finished a request).
    server.on('connection', (socket) => {
      idle.add(socket);
      socket.on('close', () => idle.delete(socket));
    });
    server.on('request', (req, res) => {
      const socket = req.socket;
      idle.delete(socket);
      res.on('finish', () => {
        if (!socket.destroyed) idle.add(socket);
      });
    });
    const rt = createRealtime(
      server,
      { source: s.bus, history: s.events, collection: (name) => s.collections.get(name) },
      auth,
      {
        ...DEFAULT_REALTIME_OPTIONS,
        ...config.realtime,
        // note: stats say "redis" while a cluster link is up (the console may make or drop it at runtime).
        pubsubBackend: 'memory',
      },
      log,
      { checkUpgrade: (req) => policy.check(req, true), clientAddress },
    );
    realtime = rt;
    const lan = new LanSharing({
      server,
      host: config.host,
      policy,
      hub: () => realtime?.hub,
      persist: (on) => s.settings.set('lan_sharing', on ? '1' : null),
      log,
    });
    lan.guard(rt.hub);
    // A deleted key, an ended login or a changed user closes its live connections at once.
    s.changes.on((change) => rt.hub.revoke(change));
    const api = createApi({
      store: s,
      auth,
      bodyLimit: config.bodyLimit,
      info: { version: VERSION, startedAt: new Date(), realtime: rt.info },
      scaleOut: so,
      instance,
      clientAddress,
      sharing: lan,
      displays: {
        closing: closing.signal,
        watching() {
          const counts = new Map<string, number>();
          for (const c of rt.hub.connections.values())
            if (c.principal?.kind === 'key')
              counts.set(c.principal.id, (counts.get(c.principal.id) ?? 0) + 1);
          return counts;
        },
      },
    });
    /** The desktop's own token, from another machine: refused (see LanSharing). */
    const localTokenFromLan = async (req: IncomingMessage, u: URL): Promise<boolean> => {
      if (peers.isLocal(clientAddress(req))) return false;
      const t = credentialOf(req, u);
      if (!t || isApiKey(t)) return false;
      return (await tokens.verify(t).catch(() => undefined))?.loc === true;
    };
    server.on('request', async (req, res) => {
      const started = performance.now();
      const traceId = randomBytes(8).toString('hex');
      res.setHeader('x-trace-id', traceId);
      res.setHeader('x-content-type-options', NOSNIFF['x-content-type-options']);
      res.on('finish', () => {
        const ms = (performance.now() - started).toFixed(1);
        log(`${req.method} ${req.url?.split('?')[0]} ${res.statusCode} ${ms}ms trace=${traceId}`);
      });
      if (refuseByPolicy(policy, req, res)) return;
      if (cors(policy, req, res)) return;
      try {
        let u: URL;
        try {
          u = new URL(req.url ?? '/', 'http://localhost');
        } catch {
          throw new AppError(400, 'bad_request', 'The request URL is not valid.');
        }
        if (await localTokenFromLan(req, u)) throw new AppError(401, 'unauthorized', LOCAL_TOKEN_MESSAGE);
        const sse = req.method === 'GET' ? rt.routes.get(u.pathname) : undefined;
        if (sse) {
          await sse(req, res, u);
        } else if (u.pathname.startsWith('/api/')) {
          await api(req, res, u, traceId, log);
        } else if (u.pathname.startsWith('/sdk/') && config.sdkDir) {
          res.setHeader('access-control-allow-origin', '*');
          serveStatic(config.sdkDir, req, res, u.pathname.slice('/sdk'.length), false);
        } else if ((u.pathname === '/display' || u.pathname.startsWith('/display/')) && displayDir) {
          serveStatic(
            displayDir,
            req,
            res,
            u.pathname.slice('/display'.length) || '/',
            true,
            displayHeaders(req.headers.host),
          );
        } else if (config.staticDir) {
          serveStatic(config.staticDir, req, res, u.pathname, true, consoleHeaders(req.headers.host));
        } else {
          throw new AppError(404, 'not_found', 'The console is not served by this instance.');
        }
      } catch (e) {
        onError(e, res, { traceId, log });
      }
    });
    // note: a socket that sends nothing for 60 s is dropped, but long requests are not cut.
    server.headersTimeout = 60_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        rt.stop();
        void so.stop();
        s.close();
        const clear = (message: string) => Object.assign(new Error(message), { code: e.code });
        if (e.code === 'EADDRINUSE') reject(clear(`port ${config.port} on ${config.host} is already in use`));
        else if (e.code === 'EADDRNOTAVAIL')
          reject(clear(`cannot listen on ${config.host}: no such address here`));
        else if (e.code === 'EACCES') reject(clear(`no permission to listen on port ${config.port}`));
        else reject(e);
      });
      server.listen(config.port, config.host, () => resolve());
    });
    http = server;
    const addr = server.address() as AddressInfo;
    policy.setBinding([config.host, addr.address], addr.port);
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    url = `http://${host}:${addr.port}`;
    await so.join(url);
    // A switch saved from the console, unless --host decided at start.
    if (!lan.locked && s.settings.get('lan_sharing') === '1')
      await lan.set(true, false).catch((e: Error) => log(`LAN sharing could not start: ${e.message}`));
  }

  async function stop(): Promise<void> {
    clearInterval(retention);
    closing.abort();
    realtime?.stop();
    realtime = undefined;
    await scaleOut?.stop();
    scaleOut = undefined;
    const server = http;
    http = undefined;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      for (const socket of idle) socket.destroy();
      const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      await closed;
      clearTimeout(timer);
    }
    store?.close();
    store = undefined;
  }

  return {
    start,
    stop,
    get url() {
      return url;
    },
    async issueAdminToken() {
      const su = auth?.superuser();
      if (!auth || !su) throw new Error('the server is not started');
      return (await auth.startSession(su, true)).access_token;
    },
  };
}
