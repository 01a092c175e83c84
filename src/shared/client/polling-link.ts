/**
 * The REST polling fallback: reads `GET /api/v1/events?since=SEQ` and matches every event against
 * the subscriptions here (collection, events, id, filter, select), as the server would.
 */
import { backoffDelay } from './backoff';
import { ApiError, requestJson } from './rest';
import type { EventLink, LinkHost } from './event-link';
import type { ClientErrorInfo, ClientEvent } from './types';

/** `GET /api/v1/events`'s response. */
export interface EventsPage {
  events: ClientEvent[];
  next_since: number;
  last_seq: number;
}

// note: a page big enough to catch up quickly, well under the server's maximum of 1000.
const PAGE = 500;

/** Polls the event log from a cursor; each poll that succeeds moves the cursor to `next_since`. */
export class PollingLink implements EventLink {
  private running = false;
  private stopped = false;
  private attempt = 0;
  private generation = 0;
  private cursor: number | undefined;
  private token: string | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly host: LinkHost,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.host.setState({ status: 'connecting', attempt: 0 });
    void this.loop(++this.generation);
  }

  stop(): void {
    this.stopped = true;
    this.running = false;
    this.generation++;
    this.wake?.();
  }

  restart(): void {
    if (this.stopped) return;
    this.generation++;
    this.wake?.();
    this.running = false;
    this.attempt = 0;
    this.start();
  }

  /** A subscription changed: poll now rather than at the end of the interval. */
  sync(): void {
    this.wake?.();
  }

  sendPresence(): void {
    this.host.error({ code: 'unsupported', message: 'presence needs the WebSocket transport' });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private page(since: number, limit: number): Promise<EventsPage> {
    const q = new URLSearchParams({ since: String(since), limit: String(limit) });
    const names = [...this.host.subscriptions.groups.keys()];
    if (names.length === 1 && names[0] !== '*' && names[0] !== 'presence') q.set('collection', names[0]!);
    return requestJson<EventsPage>(this.host.http, 'GET', `/api/v1/events?${q}`);
  }

  /** Loads the schemas (and caller) the filters of these events' subscribers need, before matching. */
  private async prepare(events: ClientEvent[]): Promise<void> {
    const { subscriptions, resolver } = this.host;
    const jobs: Promise<void>[] = [];
    for (const c of new Set(events.map((e) => e.collection))) {
      if (!c) continue;
      for (const name of [c, '*']) {
        for (const h of subscriptions.groups.get(name)?.handlers ?? []) {
          if (h.options.filter) jobs.push(resolver.prepare(c, h.options.filter));
        }
      }
    }
    await Promise.all(jobs);
  }

  private async loop(gen: number): Promise<void> {
    const { host } = this;
    const live = () => gen === this.generation && !this.stopped;
    let needToken = true;
    while (live()) {
      if (host.subscriptions.groups.size === 0) {
        await this.sleep(this.intervalMs);
        continue;
      }
      let caughtUp = true;
      try {
        // note: the token is asked for when polling starts and after a 401, not on every poll.
        if (needToken) {
          this.token = await host.currentToken();
          needToken = false;
          if (!live()) return;
        }
        this.cursor ??= host.subscriptions.minCursor() ?? (await this.page(0, 1)).last_seq;
        const since = this.cursor;
        const page = await this.page(since, PAGE);
        if (!live()) return;
        await this.prepare(page.events);
        if (!live()) return;
        for (const e of page.events) host.subscriptions.dispatch(e, true);
        this.cursor = Math.max(since, page.next_since);
        host.subscriptions.advance(this.cursor);
        host.subscriptions.markReady();
        this.attempt = 0;
        host.setState({ status: 'polling', error: undefined, attempt: 0 });
        caughtUp = page.next_since >= page.last_seq;
      } catch (e) {
        if (!live()) return;
        const err =
          e instanceof ApiError ? e : new ApiError(0, 'internal', String((e as Error)?.message ?? e));
        const info: ClientErrorInfo = { code: err.code, message: err.message };
        if (err.status === 410) {
          const last = err.details?.last_seq;
          const oldest = err.details?.oldest_seq;
          host.gap({
            oldest_seq: typeof oldest === 'number' ? oldest : undefined,
            last_seq: typeof last === 'number' ? last : undefined,
          });
          this.cursor = typeof last === 'number' ? last : undefined;
          continue;
        }
        if (err.status === 401) {
          host.setState({ status: 'reconnecting', error: info });
          // note: a getToken that throws is retried with backoff, like a failed poll.
          const next = await host.refreshToken(this.token).catch(() => undefined);
          if (!live()) return;
          if (next === null) {
            host.setState({ status: 'closed', error: info });
            return;
          }
          needToken = true;
        }
        const delay = backoffDelay(this.attempt, host.backoff);
        this.attempt++;
        host.setState({ status: 'reconnecting', error: info, attempt: this.attempt });
        await this.sleep(delay);
        continue;
      }
      if (caughtUp) await this.sleep(this.intervalMs);
    }
  }
}
