import type { Tokens } from '../auth/tokens';
import { joinCluster, type ClusterMembership } from '../cluster/membership';
import { startPrimaryCluster } from '../cluster/primary';
import type { createRealtime } from '../realtime';
import type { Store } from '../store';

/** Where the Redis URL came from: the command line or environment wins over the console's setting. */
export type RedisSource = 'flag' | 'setting';

/** What the console shows about scale-out. */
export interface ScaleOutStatus {
  /** The Redis URL in use or being tried, with any password masked; null when single-process. */
  redis_url: string | null;
  source: RedisSource | null;
  /** off: one process, memory pub/sub; connected: relaying to Redis; error: the setting's Redis could not be reached. */
  state: 'off' | 'connected' | 'error';
  error?: string;
  /** Whether the console may change it (not when --redis or SWITCHBOARD_REDIS_URL set it). */
  editable: boolean;
}

/** A bad setting: the route turns it into a 400 naming the field. */
export class RedisSettingError extends Error {}

// note: a URL is a setting, not a document; anything longer is a mistake.
const MAX_URL_LENGTH = 2048;

/** Checks a Redis URL the way the client will read it; throws RedisSettingError with a message for people. */
export function checkRedisUrl(raw: string): string {
  const url = raw.trim();
  if (url.length > MAX_URL_LENGTH)
    throw new RedisSettingError(`must be at most ${MAX_URL_LENGTH} characters`);
  // A bare host:port is the usual slip: say what to write instead.
  if (/^[\w.-]+(:\d+)?$/.test(url))
    throw new RedisSettingError(`must start with redis:// or rediss:// (e.g. redis://${url})`);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RedisSettingError('is not a URL (e.g. redis://127.0.0.1:6379)');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new RedisSettingError(`must start with redis:// or rediss:// (got ${u.protocol}//)`);
  if (!u.hostname) throw new RedisSettingError('needs a host (e.g. redis://127.0.0.1:6379)');
  return url;
}

/** The URL with its password (and a lone user) hidden, for logs and the console. */
export function maskRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    else if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

interface Link {
  url: string;
  relay: { stop(): Promise<void> };
  membership?: ClusterMembership;
}

/**
 * The primary's scale-out link: relays the outbox to Redis and joins the cluster's presence
 * and registry. The URL comes from `--redis` / SWITCHBOARD_REDIS_URL (fixed for the process)
 * or from the console's setting (changed at runtime: the new link is made before the old one
 * is dropped, so a bad URL leaves things as they were).
 */
export class ScaleOut {
  private link?: Link;
  private address?: string;
  private lastError?: { url: string; message: string };

  constructor(
    private readonly deps: {
      flagUrl?: string;
      store: Store;
      tokens: Tokens;
      realtime: () => ReturnType<typeof createRealtime> | undefined;
      log: (line: string) => void;
    },
  ) {}

  /** The URL to use at start: the flag's, else the saved setting's. */
  private configured(): { url: string; source: RedisSource } | null {
    if (this.deps.flagUrl) return { url: this.deps.flagUrl, source: 'flag' };
    const saved = this.deps.store.settings.get('redis_url');
    return saved ? { url: saved, source: 'setting' } : null;
  }

  /**
   * At start, before listening: the relay. A bad --redis fails the start (one clear line);
   * an unreachable saved setting is logged and shown in the console, and the server runs
   * single-process until the setting is saved again.
   */
  async startRelay(): Promise<void> {
    const c = this.configured();
    if (!c) return;
    try {
      this.link = await this.connectRelay(c.url);
    } catch (e) {
      if (c.source === 'flag') throw e;
      this.lastError = { url: c.url, message: (e as Error).message };
      this.deps.log(
        `scale-out: the saved Redis ${maskRedisUrl(c.url)} is unreachable, running single-process: ${this.lastError.message}`,
      );
    }
  }

  /** Once listening: joins the cluster's presence and registry under this address. */
  async join(address: string): Promise<void> {
    this.address = address;
    if (this.link) await this.joinWith(this.link);
  }

  /** Applies a new setting (null: back to single-process). Saved only when it works. */
  async set(raw: string | null): Promise<ScaleOutStatus> {
    if (this.deps.flagUrl)
      throw new RedisSettingError(
        'is set by --redis or SWITCHBOARD_REDIS_URL for this process; change it there',
      );
    const url = raw === null || raw.trim() === '' ? null : checkRedisUrl(raw);
    if (url !== null && url === this.link?.url) return this.status();
    let next: Link | undefined;
    if (url !== null) {
      try {
        next = await this.connectRelay(url);
        await this.joinWith(next);
      } catch (e) {
        if (next) await next.relay.stop().catch(() => undefined);
        throw new RedisSettingError(`could not be used: ${(e as Error).message}`);
      }
    }
    const old = this.link;
    this.link = next;
    this.lastError = undefined;
    this.deps.store.settings.set('redis_url', url);
    if (!next) this.deps.realtime()?.setCluster(undefined);
    if (old) await this.disconnect(old);
    // The new membership set the hub's presence relay; stopping the old one must not undo that.
    if (next?.membership && old?.membership) this.deps.realtime()?.setCluster(next.membership);
    this.deps.log(url ? `scale-out: relaying to ${maskRedisUrl(url)}` : 'scale-out: off (single process)');
    return this.status();
  }

  status(): ScaleOutStatus {
    const c = this.configured();
    const editable = !this.deps.flagUrl;
    if (this.link)
      return {
        redis_url: maskRedisUrl(this.link.url),
        source: c?.source ?? null,
        state: 'connected',
        editable,
      };
    if (this.lastError)
      return {
        redis_url: maskRedisUrl(this.lastError.url),
        source: 'setting',
        state: 'error',
        error: this.lastError.message,
        editable,
      };
    return { redis_url: null, source: null, state: 'off', editable };
  }

  async stop(): Promise<void> {
    const l = this.link;
    this.link = undefined;
    if (l) await this.disconnect(l);
  }

  private async connectRelay(url: string): Promise<Link> {
    return { url, relay: await startPrimaryCluster(url, this.deps.store, this.deps.tokens, this.deps.log) };
  }

  private async joinWith(link: Link): Promise<void> {
    const rt = this.deps.realtime();
    if (!rt || !this.address) return;
    link.membership = await joinCluster({
      url: link.url,
      role: 'primary',
      address: this.address,
      hub: rt.hub,
      log: this.deps.log,
    });
    rt.setCluster(link.membership);
  }

  private async disconnect(link: Link): Promise<void> {
    await link.membership?.stop();
    await link.relay.stop();
  }
}
