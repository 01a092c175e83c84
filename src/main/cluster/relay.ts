import type { HubEvent } from '../../shared/events';
import type { EventSource } from '../store/bus';
import type { EventLog } from '../store/events';
import { LinkLoop, type LinkLoopOptions, type LinkLoopStatus } from './link-loop';
import {
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STREAM_KEY,
  EVENT_FIELD,
  closeLink,
  errorText,
  openLink,
  redactUrl,
  seqToId,
  streamBounds,
  type RedisLink,
} from './redis-link';

/** How the primary's relay is set up. */
export interface RelayOptions extends LinkLoopOptions {
  url: string;
  /** The outbox: the relay reads every event from here, in seq order. */
  log: Pick<EventLog, 'since' | 'lastSeq' | 'oldestSeq'>;
  /** Only a "something was committed" trigger; the payload is never used. */
  source: EventSource;
  key?: string;
  /** An approximate cap on the stream's length (`XADD … MAXLEN ~ n`), e.g. the event-retention count. */
  maxLen?: number;
  /** Events per round trip. */
  batch?: number;
  /** A safety net besides the trigger, and how soon the outbox's age-based trimming reaches the stream. */
  pollMs?: number;
  /** A batch of XADDs that takes longer than this means a dead connection: it is dropped and reopened. */
  commandTimeoutMs?: number;
}

/** What the relay is doing, for stats and the console. */
interface RelayStatus extends LinkLoopStatus {
  /** The highest seq known to be in the stream. */
  relayedSeq: number;
  /** Events committed and not yet in the stream. */
  lag: number;
  /** Entries this relay added since start. */
  relayed: number;
  /** Entries Redis already had (another relay got there first). */
  skipped: number;
  /** Times the outbox no longer held events the stream was missing. */
  gaps: number;
}

// note: 500 entries of ~1 KB is one ~0.5 MB pipeline: large enough to amortise the round trip.
const DEFAULT_BATCH = 500;
// note: once a second bounds how late age-based retention reaches the stream; one indexed query.
const DEFAULT_POLL_MS = 1000;
// note: a local Redis acknowledges 500 XADDs in milliseconds; 10 s of silence is a dead socket.
const DEFAULT_COMMAND_TIMEOUT_MS = 10_000;

const DUPLICATE = /equal or smaller than the target stream top item/i;

/**
 * The stream's last id, after checking it is not ahead of this outbox (which would mean another
 * primary writes to it, or the database was replaced); throws saying so.
 */
export async function streamEndNotAhead(link: RedisLink, key: string, outboxLast: number): Promise<number> {
  const { last } = await streamBounds(link, key);
  if (last > outboxLast) {
    throw new Error(
      `stream '${key}' is ahead of the outbox (last id ${last}, last seq ${outboxLast}): ` +
        'another primary writes to it or the database was replaced; delete the key or use another one',
    );
  }
  return last;
}

/**
 * The primary's relay: appends every committed event of the outbox to a Redis Stream in
 * seq order, with entry id `${seq}-0`. It keeps no state of its own: on start and on every
 * reconnect it reads the stream's last id and continues from the outbox after it, so a
 * restart never skips or duplicates, and while Redis is away the outbox holds the events.
 * The stream is trimmed to what the outbox still holds (`XTRIM MINID`), so an edge's
 * history matches the primary's.
 */
export class Relay extends LinkLoop {
  private readonly key: string;
  private link?: RedisLink;
  private unsubscribe?: () => void;
  private wakeUp?: () => void;
  /** Set by every trigger; cleared before each outbox read, so no commit goes unnoticed. */
  private kicked = false;
  private relayedSeq = 0;
  private trimmedTo = 0;
  private counts = { relayed: 0, skipped: 0, gaps: 0 };
  /** Why the current connection failed, as its 'error' event said. */
  private linkError?: string;

  constructor(private readonly opts: RelayOptions) {
    super('redis relay', opts.backoff, opts.onLog);
    this.key = opts.key ?? DEFAULT_STREAM_KEY;
    if (opts.batch !== undefined && !(opts.batch > 0)) throw new Error('batch must be > 0');
  }

  /**
   * Connects and starts relaying. Rejects with one clear line when Redis does not answer
   * or the stream is ahead of the outbox (another primary, or a replaced database).
   */
  async start(): Promise<void> {
    if (this.running) throw new Error('relay already started');
    this.running = true;
    this.abort = new AbortController();
    this.unsubscribe = this.opts.source.subscribe(() => this.wake());
    try {
      await this.connect();
    } catch (e) {
      this.running = false;
      this.unsubscribe();
      throw new Error(`redis relay: cannot use ${redactUrl(this.opts.url)}: ${errorText(e)}`, { cause: e });
    }
    this.startLoop();
  }

  /** Stops relaying at once; events not yet relayed stay in the outbox for the next start. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.unsubscribe?.();
    await this.stopLoop();
  }

  /** A snapshot for stats and the console (`lag` reads the outbox's last seq). */
  status(): RelayStatus {
    return {
      ...this.loopStatus(!!this.link?.isReady),
      relayedSeq: this.relayedSeq,
      lag: Math.max(0, this.opts.log.lastSeq() - this.relayedSeq),
      ...this.counts,
    };
  }

  private wake(): void {
    this.kicked = true;
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }

  /** Opens a connection and learns where the stream ends. */
  protected async connect(): Promise<void> {
    const link = await openLink(this.opts.url, {
      name: 'switchboard-relay',
      connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      signal: this.abort.signal,
    });
    try {
      const last = await streamEndNotAhead(link, this.key, this.opts.log.lastSeq());
      if (!this.running) throw new Error('relay stopped');
      this.relayedSeq = last;
      this.trimmedTo = 0;
      link.on('error', (err: unknown) => {
        this.linkError = errorText(err);
        this.wake();
      });
      this.linkError = undefined;
      this.link = link;
    } catch (e) {
      closeLink(link);
      throw e;
    }
  }

  protected drop(): void {
    closeLink(this.link);
    this.link = undefined;
    this.wake();
  }

  protected downNote(): string {
    return 'the outbox holds events until it is back';
  }

  protected upDetails(): Record<string, unknown> {
    return { relayed_seq: this.relayedSeq };
  }

  protected override failureCode(error: string) {
    return /ahead of the outbox/.test(error)
      ? { level: 'error' as const, code: 'stream_ahead' }
      : { level: 'warn' as const, code: 'redis_unavailable' };
  }

  /** Drains the outbox into the stream, then waits for a commit; throws when the link fails. */
  protected async work(): Promise<void> {
    const link = this.link;
    const batchSize = this.opts.batch ?? DEFAULT_BATCH;
    while (this.running) {
      if (!link?.isReady) throw new Error(this.linkError ?? 'connection closed');
      this.kicked = false;
      const batch = this.opts.log.since(this.relayedSeq, batchSize);
      if (batch.length > 0) await this.append(link, batch);
      await this.trim(link);
      this.attempt = 0;
      if (batch.length < batchSize && !this.kicked) await this.idle();
    }
  }

  private async append(link: RedisLink, batch: HubEvent[]): Promise<void> {
    const first = batch[0]!.seq;
    if (first > this.relayedSeq + 1) {
      if (this.relayedSeq === 0) {
        this.log('info', 'stream_started', `new stream; relaying from seq ${first}`);
      } else {
        this.counts.gaps++;
        this.log(
          'warn',
          'relay_gap',
          `events ${this.relayedSeq + 1}..${first - 1} were trimmed from the outbox before they were relayed`,
          { from: this.relayedSeq + 1, to: first - 1 },
        );
      }
    }
    const trim = this.opts.maxLen
      ? { TRIM: { strategy: 'MAXLEN' as const, strategyModifier: '~' as const, threshold: this.opts.maxLen } }
      : undefined;
    // Commands issued in one tick go out as one pipeline; Redis runs them in order.
    const sent = batch.map((ev) =>
      link.xAdd(this.key, seqToId(ev.seq), { [EVENT_FIELD]: JSON.stringify(ev) }, trim),
    );
    const timer = setTimeout(() => closeLink(link), this.opts.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
    const results = await Promise.allSettled(sent);
    clearTimeout(timer);
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (r.status === 'rejected') {
        if (!DUPLICATE.test(errorText(r.reason))) throw r.reason;
        this.counts.skipped++;
      } else {
        this.counts.relayed++;
      }
      this.relayedSeq = batch[i]!.seq;
    }
  }

  /** Drops stream entries the outbox no longer holds. */
  private async trim(link: RedisLink): Promise<void> {
    const oldest = this.opts.log.oldestSeq();
    if (oldest <= this.trimmedTo || oldest <= 1) return;
    await link.xTrim(this.key, 'MINID', seqToId(oldest));
    this.trimmedTo = oldest;
  }

  /** Waits for a commit, the poll interval, a lost connection or stop. */
  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.wake(), this.opts.pollMs ?? DEFAULT_POLL_MS);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
