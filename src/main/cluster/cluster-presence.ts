// note: over 300 lines on purpose: one class around one link state (synced, the two Redis
// connections, this instance's connections) that every method reads and the failure path
// resets; its data, Lua scripts and local view are already apart (presence-data.ts,
// presence-scripts.ts, presence-view.ts), and a further cut would share that state across files.
import { randomBytes } from 'node:crypto';
import { accountScope, type Principal } from '../auth/principal';
import type { PresentUser } from '../realtime/presence';
import type { LiveEvent } from '../realtime/types';
import { LinkLoop } from './link-loop';
import {
  parseConns,
  presentUsers,
  toStored,
  type ClusterPresenceOptions,
  type ClusterPresenceStatus,
  type ConnInfo,
  type StoredConn,
} from './presence-data';
import { JOIN, LEAVE, REMOVE, RESYNC, SNAPSHOT, STATE, scriptKeys } from './presence-scripts';
import { PresenceView } from './presence-view';
import { clusterBackoff, membershipKeys, runScript, type MembershipKeys } from './membership-keys';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  closeLink,
  errorText,
  openLink,
  redactUrl,
  type RedisLink,
} from './redis-link';

export {
  connInfo,
  type ClusterPresenceOptions,
  type ClusterPresenceStatus,
  type ConnInfo,
} from './presence-data';

// note: one reap check a second bounds a dead instance's presence to timeout + 1 s.
const DEFAULT_REAP_EVERY_MS = 1000;
// note: 5 s keeps an idle reader visibly alive; stop() cuts it at once.
const DEFAULT_BLOCK_MS = 5000;
// note: a blocked read silent 5 s past its BLOCK is on a dead connection.
const WATCHDOG_SLACK_MS = 5000;
// note: presence events are few (joins, leaves, states); 10,000 covers any reader that is up.
const DEFAULT_MAX_EVENTS = 10_000;

/**
 * Cluster-wide presence over Redis: this instance's connections live in its own hash, a
 * per-user count across instances decides user.joined (first connection anywhere) and
 * user.left (last one), in Lua scripts (presence-scripts.ts), and the events go through a
 * small stream every instance reads and hands to `onEvent`. Live instances reap the
 * connections of dead ones (atomically, so exactly once). While Redis is away it works
 * locally (its own joins and leaves reach its own subscribers); on reconnect it rewrites
 * its hash, reads a snapshot and tells its subscribers the difference.
 */
export class ClusterPresence extends LinkLoop {
  readonly id: string;
  private readonly url: string;
  private readonly keys: MembershipKeys;
  private readonly sk: string[];
  private readonly deadAfterMs: number;
  private readonly local = new Map<string, StoredConn>();
  private readonly view: PresenceView;
  private cmd?: RedisLink;
  private reader?: RedisLink;
  /** Scripts go to Redis (false: local mode until the next connect). */
  private synced = false;
  private lastId = '0-0';
  private epoch?: string;
  private connectedAt = 0;
  private timer?: NodeJS.Timeout;
  private readonly busy = { reap: false, resync: false, doubt: false };
  private readonly counts = { delivered: 0, reaped: 0, resyncs: 0 };

  constructor(private readonly opts: ClusterPresenceOptions) {
    super('cluster presence', opts.backoff ?? clusterBackoff(opts.registry.deadAfterMs), opts.onLog);
    this.id = opts.registry.id;
    this.url = opts.registry.url;
    this.keys = membershipKeys(opts.registry.prefix);
    this.sk = scriptKeys(this.keys);
    this.deadAfterMs = opts.registry.deadAfterMs;
    if (!this.id) throw new Error('instance id must not be empty');
    this.view = new PresenceView((ev) => this.deliver(ev));
  }

  /** Registers this instance's connections and starts reading; one clear line when Redis does not answer. */
  async start(): Promise<void> {
    if (this.running) throw new Error('cluster presence already started');
    this.running = true;
    this.abort = new AbortController();
    try {
      await this.connect();
    } catch (e) {
      this.running = false;
      throw new Error(`cluster presence: cannot use ${redactUrl(this.url)}: ${errorText(e)}`, {
        cause: e,
      });
    }
    this.startLoop();
    this.timer = setInterval(() => this.tick(), this.opts.reapEveryMs ?? DEFAULT_REAP_EVERY_MS);
    this.timer.unref();
  }

  /**
   * Stops; by default this instance's connections leave presence at once (user.left where
   * they were the last). `deregister: false` leaves them to the reapers, as a crash would.
   */
  async stop(opts: { deregister?: boolean } = {}): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    const link = this.cmd;
    if (opts.deregister !== false && this.synced && link) {
      const timer = setTimeout(() => closeLink(link), this.deadAfterMs);
      await this.exec(link, REMOVE, 'self').catch(() => undefined);
      clearTimeout(timer);
    }
    await this.stopLoop();
    this.view.clear();
  }

  /** A connection authenticated (hub: where presence.join is called). */
  connectionJoined(info: ConnInfo): void {
    const s = toStored(info);
    const prev = this.local.get(s.cid);
    if (prev && prev.pk === s.pk) return;
    if (prev) this.connectionLeft(prev.cid);
    this.local.set(s.cid, s);
    if (!this.running) return;
    if (this.synced) this.send(JOIN, s.cid, s.pk, JSON.stringify(s));
    else this.view.localJoined(s);
  }

  /** A connection closed or became someone else (hub: where presence.leave is called). */
  connectionLeft(info: Pick<ConnInfo, 'connectionId'> | string): void {
    const s = this.local.get(typeof info === 'string' ? info : info.connectionId);
    if (!s) return;
    this.local.delete(s.cid);
    if (!this.running) return;
    if (this.synced) return this.send(LEAVE, s.cid);
    if (![...this.local.values()].some((c) => c.pk === s.pk)) this.view.localLeft(s);
  }

  /** A connection set its presence state (hub: setPresenceState). */
  stateChanged(info: Pick<ConnInfo, 'connectionId' | 'state'>): void {
    const prev = this.local.get(info.connectionId);
    if (!prev) return;
    const { state: _old, stateAt: _at, ...rest } = prev;
    const s: StoredConn = info.state ? { ...rest, state: info.state, stateAt: Date.now() } : rest;
    this.local.set(s.cid, s);
    if (!this.running) return;
    if (this.synced) this.send(STATE, s.cid, JSON.stringify(s));
    else this.view.localState(s);
  }

  /** Present users across the cluster the viewer may see, as Presence.list() (local only while Redis is away). */
  async list(viewer: Principal | null): Promise<PresentUser[]> {
    if (!viewer) return [];
    return presentUsers(await this.connections(), accountScope(viewer));
  }

  /** Distinct present users across the cluster (this instance's while Redis is away). */
  async size(): Promise<number> {
    const link = this.cmd;
    if (this.synced && link) {
      try {
        return await link.hLen(this.keys.users);
      } catch {
        // local below
      }
    }
    return new Set([...this.local.values()].map((c) => c.pk)).size;
  }

  status(): ClusterPresenceStatus {
    return {
      ...this.loopStatus(this.synced && !!this.cmd?.isReady),
      connections: this.local.size,
      users: this.view.size,
      ...this.counts,
    };
  }

  private async connections(): Promise<StoredConn[]> {
    const link = this.cmd;
    if (this.synced && link) {
      try {
        return parseConns(((await this.exec(link, SNAPSHOT, this.epoch ?? '')) as string[]).slice(2));
      } catch {
        // local below
      }
    }
    return [...this.local.values()];
  }

  private exec(link: RedisLink, script: string, ...args: string[]): Promise<unknown> {
    const base = [this.keys.connsPrefix, this.id, String(this.opts.maxEvents ?? DEFAULT_MAX_EVENTS)];
    return runScript(link, script, this.sk, [...base, ...args]);
  }

  /** Sends in call order on the one connection; a failure means local mode until reconnected. */
  private send(script: string, ...args: string[]): void {
    const link = this.cmd!;
    this.exec(link, script, ...args).then(
      (r) => {
        if (r === -1) this.resyncSoon('this instance had been reaped');
      },
      (e) => this.fail(link, e),
    );
  }

  private fail(link: RedisLink, e: unknown): void {
    if (link !== this.cmd) return;
    this.lastError = errorText(e);
    this.synced = false;
    // Ends the blocked read: the loop reconnects with backoff and resyncs.
    closeLink(this.reader);
  }

  /** Rewrites this instance's hash (idempotent); sets `synced` before any later script is sent. */
  private resync(link: RedisLink): Promise<unknown> {
    const args: string[] = [];
    for (const s of this.local.values()) args.push(s.cid, s.pk, JSON.stringify(s));
    const done = this.exec(link, RESYNC, ...args);
    this.synced = true;
    return done;
  }

  private resyncSoon(reason: string): void {
    const link = this.cmd;
    if (!this.synced || !link || this.busy.resync) return;
    this.busy.resync = true;
    this.counts.resyncs++;
    this.log('warn', 'presence_resync', `re-registering ${this.local.size} connections: ${reason}`);
    this.resync(link)
      .catch((e) => this.fail(link, e))
      .finally(() => (this.busy.resync = false));
  }

  /** Reaps dead instances (once this one has been connected a full timeout) and settles doubts. */
  private tick(): void {
    const link = this.cmd;
    if (!this.synced || !link) return;
    if (!this.busy.reap && Date.now() - this.connectedAt >= this.deadAfterMs) {
      this.busy.reap = true;
      this.exec(link, REMOVE, 'dead', String(this.deadAfterMs))
        .then(
          (ids) => {
            const dead = ids as string[];
            if (!dead.length) return;
            this.counts.reaped += dead.length;
            this.log('info', 'presence_reaped', `removed the connections of dead ${dead.join(', ')}`, {
              instances: dead,
            });
          },
          (e) => this.fail(link, e),
        )
        .finally(() => (this.busy.reap = false));
    }
    const due = this.view.doubtsDue();
    if (this.busy.doubt || !due.length) return;
    this.busy.doubt = true;
    link
      .hmGet(this.keys.users, due)
      .then(
        (counts) => due.forEach((pk, i) => this.view.settle(pk, counts[i] != null)),
        (e) => this.fail(link, e),
      )
      .finally(() => (this.busy.doubt = false));
  }

  /** Opens both connections, rewrites this instance's hash, and reads the snapshot to continue from. */
  protected async connect(): Promise<void> {
    const o = {
      connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      signal: this.abort.signal,
    };
    let cmd: RedisLink | undefined;
    let reader: RedisLink | undefined;
    try {
      cmd = await openLink(this.url, { ...o, name: `switchboard-presence-${this.id}` });
      reader = await openLink(this.url, {
        ...o,
        name: `switchboard-presence-reader-${this.id}`,
        socketTimeoutMs: (this.opts.blockMs ?? DEFAULT_BLOCK_MS) + WATCHDOG_SLACK_MS,
      });
      if (!this.running) throw new Error('cluster presence stopped');
      const link = cmd;
      link.on('error', (e: unknown) => this.fail(link, e));
      this.cmd = cmd;
      this.reader = reader;
      const candidate = randomBytes(8).toString('hex');
      const [, snap] = await Promise.all([this.resync(cmd), this.exec(cmd, SNAPSHOT, candidate)]);
      if (!this.synced || !this.running) throw new Error(this.lastError ?? 'cluster presence stopped');
      const [lastId, epoch, ...conns] = snap as string[];
      this.lastId = lastId!;
      this.connectedAt = Date.now();
      this.view.reconcile(
        parseConns(conns),
        this.epoch !== undefined && epoch !== this.epoch,
        this.deadAfterMs,
      );
      this.epoch = epoch;
    } catch (e) {
      closeLink(cmd);
      closeLink(reader);
      this.drop();
      throw e;
    }
  }

  /** Blocking reads of the presence stream until the connection fails or stop. */
  protected async work(): Promise<void> {
    const link = this.reader;
    if (!link) throw new Error('not connected');
    const options = { BLOCK: this.opts.blockMs ?? DEFAULT_BLOCK_MS, COUNT: 500 };
    while (this.running) {
      const reply = await link.xRead({ key: this.keys.events, id: this.lastId }, options);
      if (!this.running) return;
      this.attempt = 0;
      const stream = reply?.find((s) => String(s.name) === this.keys.events);
      for (const m of (stream?.messages ?? []) as { id: string; message: Record<string, string> }[]) {
        this.lastId = m.id;
        this.handle(m.id, m.message);
      }
    }
  }

  private handle(id: string, m: Record<string, string>): void {
    const type = m.type;
    if (type === 'reaped') {
      if (m.instance === this.id) this.resyncSoon('another instance took this one for dead');
      return;
    }
    if (type !== 'user.joined' && type !== 'user.left' && type !== 'user.state') return;
    const [conn] = parseConns([m.conn ?? '']);
    if (!conn) return this.log('error', 'bad_entry', `skipped presence entry ${id}: not a connection`);
    this.view.remote(type, conn, Number(id.slice(0, id.indexOf('-'))));
  }

  /** Hands onEvent one event; a throwing callback affects nothing else. */
  private deliver(ev: LiveEvent): void {
    this.counts.delivered++;
    try {
      this.opts.onEvent(ev);
    } catch (e) {
      this.log('error', 'listener_failed', `onEvent threw: ${errorText(e)}`);
    }
  }

  protected drop(): void {
    this.synced = false;
    closeLink(this.cmd);
    closeLink(this.reader);
    this.cmd = undefined;
    this.reader = undefined;
  }

  protected downNote(): string {
    return 'presence is local to this instance until Redis is back';
  }

  protected upDetails(): Record<string, unknown> {
    return { connections: this.local.size };
  }
}
