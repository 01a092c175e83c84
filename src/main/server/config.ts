import { join } from 'node:path';
import { LOGIN_LIMITS, type LoginLimits } from '../auth/rate-limit';
import { DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from '../realtime';

/** Every setting of the server, with its default. Bad values fail at start with one clear line. */
export interface ServerConfig {
  dataDir: string;
  /** note: 8000 is the port the reference documents use; 0 picks a free one. */
  port?: number;
  host?: string;
  /** The built renderer, served at `/`. */
  staticDir?: string;
  /** The built client SDK, served at `/sdk/` (default: `staticDir/../sdk`). */
  sdkDir?: string;
  /** A better_sqlite3.node built for the current runtime (Electron). */
  nativeBinding?: string;
  log?: (line: string) => void;
  /** Request body limit in bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Event retention: newest N events (default 100,000) and at most this old (default 7 days). */
  retainEvents?: number;
  retainMs?: number;
  /** Access-token lifetime in seconds (default 3600). */
  accessTtlS?: number;
  /** Relay committed events to this Redis (scale-out primary); unset: one process, memory pub/sub. */
  redisUrl?: string;
  /** Realtime limits and timers (see RealtimeOptions); tests use short ones. */
  realtime?: Partial<RealtimeOptions>;
  /** Environment read for the first-run superuser. */
  env?: NodeJS.ProcessEnv;
  /**
   * Origins of apps served elsewhere (`http://kiosk.lan:3000`) that may send writes and open
   * realtime connections from a browser; '*' allows any. The server's own origins always may,
   * and requests without an Origin (scripts, kiosks, curl) are not affected.
   */
  allowedOrigins?: string[];
  /** Extra names the server answers to in `Host`, on any port (the public name of a reverse proxy). */
  allowedHosts?: string[];
  /**
   * Proxies whose X-Forwarded-For is believed (addresses, CIDR ranges or 'loopback'); default none.
   * Name nginx or this cluster's edges here, or all their clients share one address for the
   * login limits and the anonymous connection cap.
   */
  trustedProxies?: string[];
  /** Login throttling (see LoginThrottle); tests use short ones. */
  loginLimits?: Partial<LoginLimits>;
}

type Optional = 'staticDir' | 'sdkDir' | 'nativeBinding' | 'realtime' | 'redisUrl' | 'loginLimits';
export type ResolvedConfig = Required<Omit<ServerConfig, Optional>> & Pick<ServerConfig, Optional>;

/** Fills defaults and rejects impossible values with a message fit for one line. */
export function resolveConfig(c: ServerConfig): ResolvedConfig {
  const r: ResolvedConfig = {
    dataDir: c.dataDir,
    port: c.port ?? 8000,
    host: c.host ?? '127.0.0.1',
    staticDir: c.staticDir,
    sdkDir: c.sdkDir ?? (c.staticDir ? join(c.staticDir, '..', 'sdk') : undefined),
    realtime: c.realtime,
    redisUrl: c.redisUrl,
    nativeBinding: c.nativeBinding,
    log: c.log ?? ((line) => console.log(line)),
    bodyLimit: c.bodyLimit ?? 1024 * 1024,
    retainEvents: c.retainEvents ?? 100_000,
    retainMs: c.retainMs ?? 7 * 86_400_000,
    accessTtlS: c.accessTtlS ?? 3600,
    env: c.env ?? process.env,
    allowedOrigins: c.allowedOrigins ?? [],
    allowedHosts: c.allowedHosts ?? [],
    trustedProxies: c.trustedProxies ?? [],
    loginLimits: c.loginLimits,
  };
  if (!r.dataDir) throw new Error('a data directory is required (--data-dir)');
  if (!Number.isInteger(r.port) || r.port < 0 || r.port > 65535)
    throw new Error(`invalid port ${c.port}: use 0-65535`);
  for (const k of ['bodyLimit', 'retainEvents', 'retainMs', 'accessTtlS'] as const) positive(k, r[k]);
  checkRealtime(r.realtime);
  checkLoginLimits(r.loginLimits);
  return r;
}

// note: setInterval/setTimeout take at most 2^31-1 ms (~24.8 days); Node turns a longer delay into 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;
// note: 1 KiB fits any protocol frame (subscribe, auth, ping); below that a client cannot speak.
const MIN_MESSAGE_BYTES = 1024;

function positive(name: string, v: unknown): void {
  if (!Number.isSafeInteger(v) || (v as number) <= 0)
    throw new Error(`invalid ${name} ${String(v)}: must be a positive integer`);
}

function timer(name: string, v: unknown): void {
  positive(name, v);
  if ((v as number) > MAX_TIMER_MS)
    throw new Error(`invalid ${name} ${String(v)}: must be at most ${MAX_TIMER_MS} ms`);
}

/**
 * Checks realtime limits and timers over their defaults, as the server will run them; throws one
 * line naming the first impossible setting (`ws` throws on impossible options likewise). The
 * edge server calls this too.
 */
export function checkRealtime(partial: Partial<RealtimeOptions> | undefined): void {
  const o = { ...DEFAULT_REALTIME_OPTIONS, ...partial };
  for (const k of ['pingEveryMs', 'deadAfterMs', 'sweepEveryMs'] as const) timer(`realtime.${k}`, o[k]);
  if (o.deadAfterMs <= o.pingEveryMs)
    throw new Error(
      `invalid realtime.deadAfterMs ${o.deadAfterMs}: must exceed realtime.pingEveryMs (${o.pingEveryMs}), or every connection dies between pings`,
    );
  for (const k of [
    'maxMessageBytes',
    'maxSubscriptions',
    'maxConnections',
    'maxConnectionsPerUser',
    'maxAnonymousPerAddress',
    'maxBufferedBytes',
  ] as const)
    positive(`realtime.${k}`, o[k]);
  if (o.monitorMaxBufferBytes !== undefined)
    positive('realtime.monitorMaxBufferBytes', o.monitorMaxBufferBytes);
  if (o.maxMessageBytes < MIN_MESSAGE_BYTES)
    throw new Error(
      `invalid realtime.maxMessageBytes ${o.maxMessageBytes}: must be at least ${MIN_MESSAGE_BYTES}, or no subscribe frame fits`,
    );
  if (o.pubsubBackend !== 'memory' && o.pubsubBackend !== 'redis')
    throw new Error(`invalid realtime.pubsubBackend ${String(o.pubsubBackend)}: use memory or redis`);
}

/** Checks the login throttle's settings over LOGIN_LIMITS; throws one line on an impossible one. */
function checkLoginLimits(partial: Partial<LoginLimits> | undefined): void {
  const l = { ...LOGIN_LIMITS, ...partial };
  positive('loginLimits.addressMaxFailures', l.addressMaxFailures);
  for (const k of ['addressWindowMs', 'accountBaseDelayMs', 'accountMaxDelayMs', 'accountMemoryMs'] as const)
    positive(`loginLimits.${k}`, l[k]);
  if (!Number.isSafeInteger(l.accountFreeFailures) || l.accountFreeFailures < 0)
    throw new Error(
      `invalid loginLimits.accountFreeFailures ${String(l.accountFreeFailures)}: must be 0 or more`,
    );
  if (l.accountMaxDelayMs < l.accountBaseDelayMs)
    throw new Error(
      `invalid loginLimits.accountMaxDelayMs ${l.accountMaxDelayMs}: must be at least loginLimits.accountBaseDelayMs (${l.accountBaseDelayMs})`,
    );
}
