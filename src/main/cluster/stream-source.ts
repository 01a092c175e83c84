import type { HubEvent } from '../../shared/events';
import type { EventHistory } from '../realtime/types';
import type { EventListener, EventSource } from '../store/bus';
import { LinkLoop, type LinkLoopOptions, type LinkLoopStatus } from './link-loop';
import {
  DEFAULT_BACKOFF,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_STREAM_KEY,
  closeLink,
  entryToEvent,
  errorText,
  idToSeq,
  openLink,
  redactUrl,
  seqToId,
  streamBounds,
  type RedisLink,
} from './redis-link';

/** How an edge reads the stream. */
export interface StreamSourceOptions extends LinkLoopOptions {
  url: string;
  key?: string;
  /** How long one blocking XREAD waits for new entries. */
  blockMs?: number;
  /** Entries per read. */
  count?: number;
}

/** What the reader is doing, for stats and the console. */
interface StreamSourceStatus extends LinkLoopStatus {
  /** The seq of the last event handed to listeners (where a reconnect continues from). */
  deliveredSeq: number;
  /** Events delivered since start. */
  delivered: number;
  /** Times the stream no longer held events after the last delivered one. */
  gaps: number;
}

// note: 5 s keeps an idle connection visibly alive without a busy loop; stop() does not wait for it.
const DEFAULT_BLOCK_MS = 5000;
// note: 500 entries per read drains a backlog quickly and keeps each delivery under a few ms.
const DEFAULT_COUNT = 500;
// note: a blocked read that has not answered 5 s after its BLOCK ran out is on a dead connection.
const WATCHDOG_SLACK_MS = 5000;

/**
 * The edge's event source: reads the primary's stream with blocking XREADs on a dedicated
 * connection and hands listeners the events in seq order, consecutive events of one
 * commit (same trace_id) in one array when one read brings them. A lost connection is
 * reopened with backoff and reading continues after the last delivered id: nothing lost,
 * nothing twice. It is also the edge's EventHistory (XRANGE on a second connection), so a
 * client may resume on any instance.
 */
export class StreamSource extends LinkLoop implements EventSource, EventHistory {
  private readonly key: string;
  private readonly listeners = new Set<EventListener>();
  private reader?: RedisLink;
  private cmd?: RedisLink;
  private deliveredSeq = 0;
  /** Whether deliveredSeq is a real position (a jump after it is a gap). */
  private anchored = false;
  private counts = { delivered: 0, gaps: 0 };

  constructor(private readonly opts: StreamSourceOptions) {
    super('redis stream reader', opts.backoff, opts.onLog);
    this.key = opts.key ?? DEFAULT_STREAM_KEY;
    // BLOCK 0 would wait forever, and the idle-socket watchdog would take it for a dead link.
    if (opts.blockMs !== undefined && !(opts.blockMs > 0)) throw new Error('blockMs must be > 0');
    if (opts.count !== undefined && !(opts.count > 0)) throw new Error('count must be > 0');
  }

  /** Listeners get arrays of events in seq order; one that throws affects nothing else. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Connects and starts reading after `fromSeq`, or after the stream's current last id.
   * Rejects with one clear line when Redis does not answer.
   */
  async start(fromSeq?: number): Promise<void> {
    if (this.running) throw new Error('stream source already started');
    this.running = true;
    this.abort = new AbortController();
    try {
      this.cmd = await openLink(this.opts.url, {
        name: 'switchboard-edge',
        connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        reconnect: this.opts.backoff ?? DEFAULT_BACKOFF,
        signal: this.abort.signal,
      });
      const last = fromSeq ?? (await streamBounds(this.cmd, this.key)).last;
      await this.connect();
      this.deliveredSeq = last;
      this.anchored = fromSeq !== undefined || last > 0;
    } catch (e) {
      this.running = false;
      closeLink(this.cmd);
      this.drop();
      this.cmd = undefined;
      throw new Error(`redis stream reader: cannot use ${redactUrl(this.opts.url)}: ${errorText(e)}`, {
        cause: e,
      });
    }
    this.startLoop();
  }

  /** Stops at once: the blocked read is cut by closing its connection. */
  async stop(): Promise<void> {
    if (!this.running) return;
    closeLink(this.cmd);
    await this.stopLoop();
    this.cmd = undefined;
  }

  /** A snapshot for stats and the console. */
  status(): StreamSourceStatus {
    return { ...this.loopStatus(!!this.reader?.isReady), deliveredSeq: this.deliveredSeq, ...this.counts };
  }

  /** Events with seq greater than `seq`, oldest first (XRANGE from `${seq + 1}-0`). */
  async since(seq: number, limit: number): Promise<HubEvent[]> {
    const start = seqToId(Math.max(0, Math.floor(seq)) + 1);
    const entries = await this.history().xRange(this.key, start, '+', { COUNT: limit });
    const out: HubEvent[] = [];
    for (const e of entries ?? []) {
      const ev = entryToEvent(e.id, e.message);
      if (ev) out.push(ev);
    }
    return out;
  }

  /** True when the events after `seq` are no longer all in the stream. */
  async hasGapAfter(seq: number): Promise<boolean> {
    return seq < (await this.oldestSeq()) - 1;
  }

  /** The oldest seq the stream holds; lastSeq + 1 when it is empty. */
  async oldestSeq(): Promise<number> {
    const b = await streamBounds(this.history(), this.key);
    return b.first ?? b.last + 1;
  }

  /** The highest seq the stream ever held (0 before the first event). */
  async lastSeq(): Promise<number> {
    return (await streamBounds(this.history(), this.key)).last;
  }

  private history(): RedisLink {
    if (!this.cmd) throw new Error('stream source is not started');
    return this.cmd;
  }

  /** Opens the dedicated connection for blocking reads. */
  protected async connect(): Promise<void> {
    this.reader = await openLink(this.opts.url, {
      name: 'switchboard-edge-reader',
      connectTimeoutMs: this.opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      socketTimeoutMs: (this.opts.blockMs ?? DEFAULT_BLOCK_MS) + WATCHDOG_SLACK_MS,
      signal: this.abort.signal,
    });
  }

  protected drop(): void {
    closeLink(this.reader);
    this.reader = undefined;
  }

  protected downNote(): string {
    return `will continue after seq ${this.deliveredSeq}`;
  }

  protected upDetails(): Record<string, unknown> {
    return { delivered_seq: this.deliveredSeq };
  }

  /** Blocking reads after the last delivered id, until the connection fails or stop. */
  protected async work(): Promise<void> {
    const link = this.reader;
    if (!link) throw new Error('not connected');
    const options = { BLOCK: this.opts.blockMs ?? DEFAULT_BLOCK_MS, COUNT: this.opts.count ?? DEFAULT_COUNT };
    while (this.running) {
      const reply = await link.xRead({ key: this.key, id: seqToId(this.deliveredSeq) }, options);
      if (!this.running) return;
      this.attempt = 0;
      const stream = reply?.find((s) => String(s.name) === this.key);
      if (stream) this.deliver(stream.messages as { id: string; message: Record<string, string> }[]);
    }
  }

  /** Hands one read's entries to the listeners, one array per commit. */
  private deliver(entries: { id: string; message: Record<string, string> }[]): void {
    let group: HubEvent[] = [];
    for (const entry of entries) {
      const ev = entryToEvent(entry.id, entry.message);
      if (!ev) {
        this.log('error', 'bad_entry', `skipped entry ${entry.id}: not a switchboard event`);
        this.flush(group);
        group = [];
        this.deliveredSeq = Math.max(this.deliveredSeq, idToSeq(entry.id) || 0);
        continue;
      }
      if (ev.seq <= this.deliveredSeq) continue;
      if (this.anchored && ev.seq > this.deliveredSeq + 1) {
        this.counts.gaps++;
        this.log(
          'warn',
          'stream_gap',
          `events ${this.deliveredSeq + 1}..${ev.seq - 1} were trimmed before this edge read them`,
          { from: this.deliveredSeq + 1, to: ev.seq - 1 },
        );
      }
      const prev = group[group.length - 1];
      if (prev && !(ev.trace_id !== undefined && ev.trace_id === prev.trace_id && ev.seq === prev.seq + 1)) {
        this.flush(group);
        group = [];
      }
      group.push(ev);
      this.deliveredSeq = ev.seq;
      this.anchored = true;
    }
    this.flush(group);
  }

  private flush(events: HubEvent[]): void {
    if (events.length === 0) return;
    this.counts.delivered += events.length;
    for (const l of this.listeners) {
      try {
        l(events);
      } catch (e) {
        this.log('error', 'listener_failed', `a listener threw: ${errorText(e)}`);
      }
    }
  }
}
