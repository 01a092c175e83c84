import { DEFAULT_BACKOFF, backoffMs, errorText, sleep, type Backoff, type ClusterLogger } from './redis-link';

/** The options every link loop's own options add to theirs. */
export interface LinkLoopOptions {
  /** How long opening a connection may take. */
  connectTimeoutMs?: number;
  /** How reconnects back off. */
  backoff?: Backoff;
  onLog?: ClusterLogger;
}

/** What every link loop reports first in its status, for stats and the console. */
export interface LinkLoopStatus {
  running: boolean;
  /** Whether the connection is usable now. */
  connected: boolean;
  reconnects: number;
  /** Why the connection last failed. */
  lastError?: string;
}

/**
 * One Redis connection kept alive by a loop: work on it until it fails, then reopen it
 * with exponential backoff and jitter, until stopped. The relay and the stream reader
 * share this policy: each distinct failure is logged once per outage (not once per
 * attempt), and the backoff only starts over once a connection did useful work, so a
 * command that keeps failing backs off as much as a Redis that is away.
 */
export abstract class LinkLoop {
  protected running = false;
  protected abort = new AbortController();
  /** Backoff step; the subclass sets it to 0 after useful work. */
  protected attempt = 0;
  protected reconnects = 0;
  protected lastError?: string;
  private loop?: Promise<void>;

  constructor(
    /** Who speaks in log lines, e.g. "redis relay". */
    private readonly who: string,
    private readonly backoff: Backoff = DEFAULT_BACKOFF,
    private readonly onLog?: ClusterLogger,
  ) {}

  /** Opens the connection and gets ready to work; throws when it cannot. */
  protected abstract connect(): Promise<void>;
  /** Works on the open connection until it fails (throws) or `running` turns false. */
  protected abstract work(): Promise<void>;
  /** Closes the connection at once (in-flight commands fail). */
  protected abstract drop(): void;
  /** What a reader of the log should know when the link goes down. */
  protected abstract downNote(): string;
  /** Details for the reconnect log line. */
  protected abstract upDetails(): Record<string, unknown>;

  protected log(
    level: 'info' | 'warn' | 'error',
    code: string,
    message: string,
    details?: Record<string, unknown>,
  ): void {
    this.onLog?.({ level, code, message: `${this.who}: ${message}`, ...(details ? { details } : {}) });
  }

  /** The loop's part of a status snapshot; `connected` is the subclass's word on its connection. */
  protected loopStatus(connected: boolean): LinkLoopStatus {
    return {
      running: this.running,
      connected,
      reconnects: this.reconnects,
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** Starts the loop on a connection `connect()` already opened. */
  protected startLoop(): void {
    this.loop = this.run();
  }

  /** Ends the loop promptly: the connection is closed and any backoff wait cut short. */
  protected async stopLoop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    this.drop();
    await this.loop;
  }

  /** The code to log for a failed reconnect (subclasses single out errors worth their own code). */
  protected failureCode(_error: string): { level: 'warn' | 'error'; code: string } {
    return { level: 'warn', code: 'redis_unavailable' };
  }

  private async run(): Promise<void> {
    let tries = 0;
    let downSince = Date.now();
    let said = '';
    let up = true;
    while (this.running) {
      if (up) {
        try {
          await this.work();
        } catch (e) {
          this.lastError = errorText(e);
        }
        this.drop();
        if (!this.running) break;
        up = false;
        downSince = Date.now();
        said = '';
        this.log('warn', 'redis_disconnected', `link down (${this.lastError}); ${this.downNote()}`);
      }
      tries++;
      await sleep(backoffMs(this.attempt++, this.backoff), this.abort.signal);
      if (!this.running) break;
      try {
        await this.connect();
        up = true;
        this.reconnects++;
        this.log('info', 'redis_reconnected', `reconnected after ${Date.now() - downSince} ms`, {
          attempts: tries,
          ...this.upDetails(),
        });
        tries = 0;
      } catch (e) {
        this.lastError = errorText(e);
        if (this.lastError !== said && this.running) {
          said = this.lastError;
          const { level, code } = this.failureCode(said);
          this.log(level, code, said);
        }
      }
    }
    this.drop();
  }
}
