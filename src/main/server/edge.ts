import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TrustedProxies } from '../api/client-address';
import { sendJson } from '../api/http';
import { onError } from '../api/on-error';
import { credentialOf } from '../auth/credential';
import { EdgeState } from '../cluster/edge-state';
import { joinCluster, type ClusterMembership } from '../cluster/membership';
import { StreamSource } from '../cluster/stream-source';
import { errorText } from '../cluster/redis-link';
import { AppError } from '../errors';
import { createRealtime, DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from '../realtime';
import type { SwitchboardServer } from '.';
import { checkRealtime } from './config';
import { HostPolicy } from './host-policy';
import { answerClientErrors, cors, NOSNIFF, refuseByPolicy } from './http-guard';
import { forward } from './proxy';
import { VERSION } from './version';

/** An edge: the same hub and dialects, events from the Redis stream, everything else from the primary. */
export interface EdgeConfig {
  redisUrl: string;
  primaryUrl: string;
  port?: number;
  host?: string;
  log?: (line: string) => void;
  realtime?: Partial<RealtimeOptions>;
  /** As ServerConfig's: checked here, since forwarded requests reach the primary without an Origin. */
  allowedOrigins?: string[];
  allowedHosts?: string[];
  /** Proxies in front of this edge (nginx) whose X-Forwarded-For is believed for the anonymous cap. */
  trustedProxies?: string[];
}

/**
 * Builds an edge instance: no database of its own. Realtime endpoints are served here from
 * the stream; REST calls, the console and the SDK are forwarded to the primary.
 */
export function createEdgeServer(config: EdgeConfig): SwitchboardServer {
  const log = config.log ?? ((line: string) => console.log(line));
  let primary: URL;
  try {
    primary = new URL(config.primaryUrl);
  } catch {
    throw new Error(`invalid --primary '${config.primaryUrl}': use http://HOST:PORT`);
  }
  checkRealtime(config.realtime);
  const policy = new HostPolicy({ allowedHosts: config.allowedHosts, allowedOrigins: config.allowedOrigins });
  const proxies = new TrustedProxies(config.trustedProxies);
  let url = '';
  let stopAll: (() => Promise<void>) | undefined;

  async function start(): Promise<void> {
    const state = new EdgeState(config.redisUrl, log);
    await state.start();
    const source = new StreamSource({
      url: config.redisUrl,
      onLog: (e) => log(`stream: ${e.message}`),
    });
    // Schemas change before the hub fans out the event that changed them.
    source.subscribe((events) => state.applyEvents(events));
    try {
      await source.start();
    } catch (e) {
      await state.stop();
      throw new Error(errorText(e));
    }
    const server = createHttpServer();
    answerClientErrors(server);
    const rt = createRealtime(
      server,
      { source, history: source, collection: (name) => state.collections.get(name) },
      state,
      { ...DEFAULT_REALTIME_OPTIONS, ...config.realtime, pubsubBackend: 'redis' },
      log,
      {
        checkUpgrade: (req) => policy.check(req, true),
        clientAddress: (req: IncomingMessage) => proxies.clientAddress(req),
      },
    );
    state.onRevoked((r) => {
      if (r.kind === 'key') rt.hub.revoke({ kind: 'key.deleted', id: r.id });
      else if (r.kind === 'session') rt.hub.revoke({ kind: 'session.revoked', id: r.id });
      else rt.hub.revoke({ kind: 'user.revoked', id: r.id, at: r.at });
    });
    const startedAt = new Date();
    server.on('request', async (req, res) => {
      const traceId = randomBytes(8).toString('hex');
      res.setHeader('x-trace-id', traceId);
      res.setHeader('x-content-type-options', NOSNIFF['x-content-type-options']);
      if (refuseByPolicy(policy, req, res)) return;
      if (cors(policy, req, res)) return;
      try {
        const u = new URL(req.url ?? '/', 'http://localhost');
        const sse = req.method === 'GET' ? rt.routes.get(u.pathname) : undefined;
        if (sse) return await sse(req, res, u);
        if (req.method === 'GET' && (u.pathname === '/api/v1/stats' || u.pathname === '/api/v1/presence')) {
          const token = credentialOf(req, u);
          const p = token ? await state.authenticate(token) : null;
          if (u.pathname === '/api/v1/presence') return sendJson(res, 200, await rt.info.presence(p));
          if (!p)
            throw new AppError(401, 'unauthorized', 'Sign in first: send Authorization: Bearer <token>.');
          return sendJson(res, 200, {
            ...(await rt.info.stats(p)),
            role: 'edge',
            uptime_s: Math.round((Date.now() - startedAt.getTime()) / 1000),
          });
        }
        if (req.method === 'GET' && u.pathname === '/api/v1/edge/health') {
          return sendJson(res, 200, {
            status: 'ok',
            role: 'edge',
            version: VERSION,
            stream: source.status(),
          });
        }
        forward(primary, req, res);
      } catch (e) {
        onError(e, res, { traceId, log });
      }
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        reject(
          e.code === 'EADDRINUSE'
            ? Object.assign(
                new Error(`port ${config.port ?? 8000} on ${config.host ?? '127.0.0.1'} is already in use`),
                {
                  code: e.code,
                },
              )
            : e,
        );
      });
      server.listen(config.port ?? 8000, config.host ?? '127.0.0.1', () => resolve());
    });
    const addr = server.address() as AddressInfo;
    policy.setBinding([config.host ?? '127.0.0.1', addr.address], addr.port);
    url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    let membership: ClusterMembership;
    try {
      membership = await joinCluster({ url: config.redisUrl, role: 'edge', address: url, hub: rt.hub, log });
    } catch (e) {
      rt.stop();
      server.close();
      await source.stop();
      await state.stop();
      throw e;
    }
    rt.setCluster(membership);
    stopAll = async () => {
      await membership.stop();
      rt.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await source.stop();
      await state.stop();
    };
  }

  return {
    start,
    async stop() {
      await stopAll?.();
      stopAll = undefined;
    },
    get url() {
      return url;
    },
    async issueAdminToken() {
      throw new Error('an edge issues no tokens; sign in through the primary');
    },
  };
}
