import type { Tokens } from '../auth/tokens';
import { joinCluster, type ClusterMembership } from '../cluster/membership';
import { startPrimaryCluster } from '../cluster/primary';
import type { createRealtime } from '../realtime';
import {
  closeLink,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STREAM_KEY,
  errorText,
  openLink,
  redactUrl,
  type RedisLink,
} from '../cluster/redis-link';
import { streamEndNotAhead } from '../cluster/relay';
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

interface Link {
  url: string;
  relay: { stop(): Promise<void> };
  membership?: ClusterMembership;
}

/**
 * Checks a Redis before anything is switched to it: it answers, and its event stream is not
 * ahead of this outbox (another primary's). Throws with the reason.
 */
async function probe(url: string, store: Store): Promise<void> {
  let link: RedisLink | undefined;
  try {
    link = await openLink(url, { name: 'switchboard-probe', connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS });
    await streamEndNotAhead(link, DEFAULT_STREAM_KEY, store.events.lastSeq());
  } finally {
    closeLink(link);
  }
}

/**
 * The primary's scale-out link: relays the outbox to Redis and joins the cluster's presence
 * and registry. The URL comes from `--redis` / SWITCHBOARD_REDIS_URL (fixed for the process)
 * or from the console's setting (changed at runtime, one change at a time: the new Redis is
 * checked first, so a bad URL leaves things as they were).
 */
export class ScaleOut {
  private link?: Link;
  private address?: string;
  private lastError?: { url: string; message: string };
  /** Setting changes run one after another; stop waits for the one in flight. */
  private chain: Promise<unknown> = Promise.resolve();
  private stopped = false;

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
      this.unreachable(c.url, e);
    }
  }

  /** Once listening: joins the cluster's presence and registry under this address. */
  async join(address: string): Promise<void> {
    this.address = address;
    const link = this.link;
    if (!link) return;
    try {
      await this.joinWith(link);
    } catch (e) {
      if (this.configured()?.source === 'flag') throw e;
      this.link = undefined;
      await this.disconnect(link);
      this.unreachable(link.url, e);
    }
  }

  /** Applies a new setting (null: back to single-process). Saved only when it works. */
  set(raw: string | null): Promise<ScaleOutStatus> {
    const run = this.chain.then(() => this.apply(raw));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async apply(raw: string | null): Promise<ScaleOutStatus> {
    if (this.stopped) throw new Error('the server is stopping');
    if (this.deps.flagUrl)
      throw new RedisSettingError(
        'is set by --redis or SWITCHBOARD_REDIS_URL for this process; change it there',
      );
    const url = raw === null || raw.trim() === '' ? null : checkRedisUrl(raw);
    if (url !== null && url === this.link?.url) return this.status();
    if (url !== null) {
      try {
        await probe(url, this.deps.store);
      } catch (e) {
        throw new RedisSettingError(`could not be used: ${errorText(e)}`);
      }
    }
    // The old link goes first: a new one to the same Redis (another spelling of its URL)
    // registers under the same instance id, which stopping the old one afterwards would remove.
    const old = this.link;
    this.link = undefined;
    this.deps.realtime()?.setCluster(undefined);
    if (old) await this.disconnect(old);
    if (url !== null) {
      try {
        this.link = await this.connect(url);
      } catch (e) {
        // It answered the probe a moment ago; put back what was there.
        if (old) await this.restore(old.url);
        throw new RedisSettingError(`could not be used: ${errorText(e)}`);
      }
    }
    this.lastError = undefined;
    this.deps.store.settings.set('redis_url', url);
    this.deps.log(url ? `scale-out: relaying to ${redactUrl(url)}` : 'scale-out: off (single process)');
    return this.status();
  }

  status(): ScaleOutStatus {
    const c = this.configured();
    const editable = !this.deps.flagUrl;
    if (this.link)
      return {
        redis_url: redactUrl(this.link.url),
        source: c?.source ?? null,
        state: 'connected',
        editable,
      };
    if (this.lastError)
      return {
        redis_url: redactUrl(this.lastError.url),
        source: 'setting',
        state: 'error',
        error: this.lastError.message,
        editable,
      };
    return { redis_url: null, source: null, state: 'off', editable };
  }

  /** Drops the link, after any setting change in flight has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.chain;
    const l = this.link;
    this.link = undefined;
    if (l) await this.disconnect(l);
  }

  private unreachable(url: string, e: unknown): void {
    this.lastError = { url, message: errorText(e) };
    this.deps.log(
      `scale-out: the saved Redis ${redactUrl(url)} is unreachable, running single-process: ${this.lastError.message}`,
    );
  }

  private async restore(url: string): Promise<void> {
    try {
      this.link = await this.connect(url);
    } catch (e) {
      this.unreachable(url, e);
    }
  }

  /** Relay and cluster membership; nothing left open when either fails. */
  private async connect(url: string): Promise<Link> {
    const link = await this.connectRelay(url);
    try {
      await this.joinWith(link);
    } catch (e) {
      await this.disconnect(link);
      throw e;
    }
    return link;
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
    await link.membership?.stop().catch(() => undefined);
    await link.relay.stop().catch(() => undefined);
  }
}
