import {
  DEFAULT_CLUSTER_PREFIX,
  DEFAULT_DEAD_AFTER_MS,
  DEFAULT_REFRESH_MS,
  LUA_NOW,
  clusterBackoff,
  membershipKeys,
  runScript,
  type MembershipKeys,
} from './membership-keys';
import { LinkLoop, type LinkLoopOptions, type LinkLoopStatus } from './link-loop';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  closeLink,
  errorText,
  openLink,
  redactUrl,
  sleep,
  type RedisLink,
} from './redis-link';

/** One instance as GET /api/v1/stats lists it. */
export interface InstanceInfo {
  id: string;
  role: 'primary' | 'edge';
  /** Its URL, e.g. http://10.0.0.5:8090. */
  address: string;
  connections: number;
  events_per_s: number;
  started_at: string;
  last_seen: string;
}

/** The figures an instance reports about itself, read at every refresh. */
interface InstanceLoad {
  connections: number;
  events_per_s: number;
}

export interface RegistryOptions extends LinkLoopOptions {
  url: string;
  id: string;
  role: 'primary' | 'edge';
  address: string;
  load: () => InstanceLoad;
  prefix?: string;
  refreshMs?: number;
  /** An instance not refreshed for this long is dead (and its presence is reaped). */
  deadAfterMs?: number;
}

interface RegistryStatus extends LinkLoopStatus {
  /** When this instance last refreshed its entry (ms since epoch, local clock). */
  refreshedAt?: number;
}

/** Totals across live instances, for GET /api/v1/stats. */
interface ClusterTotals {
  instances: number;
  connections: number;
  events_per_s: number;
}

export function clusterTotals(list: readonly InstanceInfo[]): ClusterTotals {
  return {
    instances: list.length,
    connections: list.reduce((n, i) => n + i.connections, 0),
    events_per_s: list.reduce((n, i) => n + i.events_per_s, 0),
  };
}

// KEYS: instances, heartbeats. ARGV: id, info JSON, deadAfterMs, '1' to expire dead entries.
const REFRESH = `${LUA_NOW}
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now, ARGV[1])
if ARGV[4] ~= '1' then return {} end
local dead = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. (now - tonumber(ARGV[3])))
for _, id in ipairs(dead) do
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[1], id)
end
return dead`;

// KEYS: instances, heartbeats. ARGV: deadAfterMs. Returns info JSON, last seen, … of live ones.
const LIST = `${LUA_NOW}
local live = redis.call('ZRANGEBYSCORE', KEYS[2], now - tonumber(ARGV[1]), '+inf', 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  local info = redis.call('HGET', KEYS[1], live[i])
  if info then
    out[#out + 1] = info
    out[#out + 1] = live[i + 1]
  end
end
return out`;

/**
 * This instance's entry in the cluster's instance registry: refreshed every `refreshMs`
 * with the figures `load()` reports; an entry not refreshed within `deadAfterMs` is dead
 * and the next refresh of any instance removes it. A lost connection is reopened with
 * backoff; the next refresh rewrites the entry in full (nothing else to restore).
 */
export class Registry extends LinkLoop {
  readonly id: string;
  readonly url: string;
  readonly prefix: string;
  readonly deadAfterMs: number;
  private readonly keys: MembershipKeys;
  private readonly refreshMs: number;
  private link?: RedisLink;
  private startedAt = new Date().toISOString();
  private connectedAt = 0;
  private refreshedAt?: number;

  constructor(private readonly opts: RegistryOptions) {
    super(
      'cluster registry',
      opts.backoff ?? clusterBackoff(opts.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS),
      opts.onLog,
    );
    this.id = opts.id;
    this.url = opts.url;
    this.prefix = opts.prefix ?? DEFAULT_CLUSTER_PREFIX;
    this.keys = membershipKeys(this.prefix);
    this.refreshMs = opts.refreshMs ?? DEFAULT_REFRESH_MS;
    this.deadAfterMs = opts.deadAfterMs ?? DEFAULT_DEAD_AFTER_MS;
    if (!opts.id) throw new Error('instance id must not be empty');
    if (!(this.refreshMs > 0)) throw new Error('refreshMs must be > 0');
    if (!(this.deadAfterMs > this.refreshMs)) throw new Error('deadAfterMs must be > refreshMs');
  }

  /** Registers this instance; rejects with one clear line when Redis does not answer. */
  async start(): Promise<void> {
    if (this.running) throw new Error('registry already started');
    this.running = true;
    this.abort = new AbortController();
    this.startedAt = new Date().toISOString();
    try {
      await this.connect();
    } catch (e) {
      this.running = false;
      throw new Error(`cluster registry: cannot use ${redactUrl(this.opts.url)}: ${errorText(e)}`, {
        cause: e,
      });
    }
    this.startLoop();
  }

  /**
   * Stops refreshing and removes this instance's entry. `deregister: false` leaves the entry
   * to expire, as a process that died would (tests simulate a crash with it).
   */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const link = this.link;
    if (opts.deregister !== false && link?.isReady) {
      try {
        await this.timed(
          link,
          Promise.all([link.hDel(this.keys.instances, this.id), link.zRem(this.keys.heartbeats, this.id)]),
        );
      } catch {
        // it expires by itself
      }
    }
    await this.stopLoop();
  }

  /** Live instances, the primary first, then oldest first; only this one while Redis is away. */
  async list(): Promise<InstanceInfo[]> {
    const link = this.link;
    let flat: string[] = [];
    try {
      if (link?.isReady) {
        const keys = [this.keys.instances, this.keys.heartbeats];
        flat = (await this.timed(link, runScript(link, LIST, keys, [String(this.deadAfterMs)]))) as string[];
      }
    } catch {
      // this instance alone, below
    }
    const out: InstanceInfo[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      try {
        const info = JSON.parse(flat[i]!) as Omit<InstanceInfo, 'last_seen'>;
        out.push({ ...info, last_seen: new Date(Number(flat[i + 1])).toISOString() });
      } catch {
        // not ours: skipped
      }
    }
    if (!out.some((i) => i.id === this.id)) out.push(this.self());
    const rank = (i: InstanceInfo) => (i.role === 'primary' ? 0 : 1);
    return out.sort(
      (a, b) => rank(a) - rank(b) || a.started_at.localeCompare(b.started_at) || a.id.localeCompare(b.id),
    );
  }

  /** This instance as the registry shows it (figures read now). */
  self(): InstanceInfo {
    return { ...this.entry(), last_seen: new Date().toISOString() };
  }

  status(): RegistryStatus {
    return {
      ...this.loopStatus(!!this.link?.isReady),
      ...(this.refreshedAt !== undefined ? { refreshedAt: this.refreshedAt } : {}),
    };
  }

  private entry(): Omit<InstanceInfo, 'last_seen'> {
    const load = this.opts.load();
    return {
      id: this.id,
      role: this.opts.role,
      address: this.opts.address,
      connections: load.connections,
      events_per_s: load.events_per_s,
      started_at: this.startedAt,
    };
  }

  /** A command that outlasts the dead-instance timeout means a dead socket: it is closed. */
  private async timed<T>(link: RedisLink, p: Promise<T>): Promise<T> {
    const timer = setTimeout(() => closeLink(link), this.deadAfterMs);
    try {
      return await p;
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(link: RedisLink): Promise<void> {
    // After an outage every entry is stale: expire none until the others had a full timeout to return.
    const expire = Date.now() - this.connectedAt >= this.deadAfterMs;
    const dead = (await this.timed(
      link,
      runScript(
        link,
        REFRESH,
        [this.keys.instances, this.keys.heartbeats],
        [this.id, JSON.stringify(this.entry()), String(this.deadAfterMs), expire ? '1' : '0'],
      ),
    )) as string[];
    this.refreshedAt = Date.now();
    if (dead.length) this.log('info', 'instance_expired', `expired ${dead.join(', ')}`, { instances: dead });
  }

  protected async connect(): Promise<void> {
    const link = await openLink(this.opts.url, {
      name: `switchboard-registry-${this.id}`,
      connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      signal: this.abort.signal,
    });
    try {
      this.connectedAt = Date.now();
      await this.refresh(link);
      if (!this.running) throw new Error('registry stopped');
      this.link = link;
    } catch (e) {
      closeLink(link);
      throw e;
    }
  }

  protected async work(): Promise<void> {
    const link = this.link;
    while (this.running && link) {
      await sleep(this.refreshMs, this.abort.signal);
      if (!this.running) return;
      await this.refresh(link);
      this.attempt = 0;
    }
  }

  protected drop(): void {
    closeLink(this.link);
    this.link = undefined;
  }

  protected downNote(): string {
    return 'this instance keeps working; its entry is rewritten when Redis is back';
  }

  protected upDetails(): Record<string, unknown> {
    return { id: this.id };
  }
}
