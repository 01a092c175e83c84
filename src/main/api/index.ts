import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth } from '../auth';
import type { Principal } from '../auth/principal';
import type { Store } from '../store';
import { credentialOf } from '../auth/credential';
import { readJson, sendJson } from './http';
import { onError } from './on-error';
import type { InstanceSettings } from './instance-settings';
import { adminRoutes } from './routes/admin';
import { authRoutes } from './routes/auth';
import { collectionRoutes } from './routes/collections';
import { displayRoutes, type DisplayDeps } from './routes/displays';
import { monitorRoutes } from './routes/monitor';
import { recordRoutes } from './routes/records';
import { ruleCheckRoutes } from './routes/rules-check';
import { settingsRoutes, type SettingsControl } from './routes/settings';
import { sharingRoutes, type SharingControl } from './routes/sharing';
import { systemRoutes, type SystemInfo } from './routes/system';
import { Explicit, Router, type Ctx } from './router';

/** What the REST API needs from the composition root. */
export interface ApiDeps {
  store: Store;
  auth: Auth;
  info: SystemInfo;
  /** note: 1 MiB default; records are content, not files. */
  bodyLimit: number;
  /** The client's address for login throttling (X-Forwarded-For from trusted proxies); the socket's peer by default. */
  clientAddress?: (req: IncomingMessage) => string;
  /** Instance settings (scale-out); absent on an instance that has none to change. */
  scaleOut?: SettingsControl;
  /** Limits, heartbeat and retention for the settings page (see instance-settings.ts). */
  instance?: InstanceSettings;
  /** LAN sharing (the console's switch) and display pages; absent on an edge. */
  sharing?: SharingControl;
  displays?: DisplayDeps;
}

/** Builds the REST handler: routing, the caller's identity, JSON in and out, one error envelope. */
export function createApi(deps: ApiDeps) {
  const router = new Router();
  authRoutes(router, deps.store, deps.auth);
  collectionRoutes(router, deps.store);
  recordRoutes(router, deps.store);
  ruleCheckRoutes(router, deps.store);
  adminRoutes(router, deps.store);
  systemRoutes(router, deps.store, deps.info);
  monitorRoutes(router, deps.store, deps.info);
  if (deps.scaleOut) settingsRoutes(router, deps.scaleOut, deps.instance);
  if (deps.sharing) sharingRoutes(router, deps.sharing);
  if (deps.displays) displayRoutes(router, deps.store, deps.displays);

  /** Answers one request under `/api/`; a thrown error goes to the one `onError`, 5xx logged with `log`. */
  return async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    traceId: string,
    log: (line: string) => void,
  ): Promise<void> {
    let principal: Principal | null = null;
    try {
      const { handler, params } = router.match(req.method ?? 'GET', url.pathname);
      const token = credentialOf(req, url);
      if (token) principal = await deps.auth.authenticate(token);
      let body: Promise<unknown> | undefined;
      const ctx: Ctx = {
        req,
        res,
        url,
        params,
        traceId,
        ip: deps.clientAddress?.(req) ?? req.socket.remoteAddress ?? '',
        principal,
        body: () => (body ??= readJson(req, deps.bodyLimit)),
      };
      const reply = await handler(ctx);
      if (res.headersSent) return; // the handler streamed its own answer (records/export)
      if (reply instanceof Explicit) {
        if (reply.status === 204) {
          res.writeHead(204, reply.headers);
          res.end();
        } else sendJson(res, reply.status, reply.body, reply.headers);
      } else sendJson(res, 200, reply);
    } catch (e) {
      onError(e, res, { traceId, log, principal });
    }
  };
}
