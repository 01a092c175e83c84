/**
 * The native WebSocket link: connect, subscribe every group (with `since` to resume), answer
 * heartbeats, route events, and reconnect with backoff when the connection drops.
 */
import { backoffDelay } from './backoff';
import { realtimeUrl, type EventLink, type LinkHost } from './event-link';
import type { WireOptions } from './subscriptions';
import { WireState } from './wire-state';
import type {
  ClientErrorInfo,
  ServerFrame,
  SubscribeFrame,
  WebSocketConstructor,
  WebSocketLike,
} from './types';

const OPEN = 1;
const noop = (): void => {};

/** Names for close codes the native dialect uses (anything else is `closed`). */
function closeError(code: number, reason: string): ClientErrorInfo {
  const names: Record<number, string> = { 1006: 'network', 1009: 'message_too_big', 1013: 'try_again_later' };
  return { code: names[code] ?? 'closed', message: reason || `connection closed (${code})`, closeCode: code };
}

/** Settings of the WebSocket link. */
interface SocketLinkSettings {
  WebSocket: WebSocketConstructor;
  /** Presume the connection dead after this long without a message. */
  idleTimeoutMs: number;
  /** A connection open this long resets the backoff. */
  stableMs: number;
}

/** One logical connection that survives drops: each drop is followed by a new socket that resumes. */
export class SocketLink implements EventLink {
  private sock: WebSocketLike | undefined;
  private running = false;
  private stopped = false;
  private opened = false;
  private attempt = 0;
  // note: bumped whenever a connect is superseded, so late async steps of the old one do nothing.
  private generation = 0;
  private token: string | undefined;
  private timers: Partial<Record<'retry' | 'idle' | 'stable', ReturnType<typeof setTimeout>>> = {};
  private wire = new WireState();

  constructor(
    private readonly host: LinkHost,
    private readonly settings: SocketLinkSettings,
  ) {}

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.running = false;
    this.drop(1000, 'client closed');
  }

  restart(): void {
    if (this.stopped) return;
    this.drop(1000, 'reconnecting');
    this.attempt = 0;
    this.running = true;
    void this.connect();
  }

  sync(): void {
    if (this.sock?.readyState !== OPEN) return;
    const { subscriptions } = this.host;
    const wanted = new Map<string, string>();
    for (const g of subscriptions.groups.values()) {
      const wire = subscriptions.wireOptions(g);
      if (wire) wanted.set(g.collection, JSON.stringify(wire));
    }
    // note: subscribes go out before unsubscribes, so a collection handed over to or from '*'
    // is covered all the time (the server answers in order; overlaps are deduplicated).
    for (const [c, key] of wanted) {
      if (this.wire.sent.get(c) === key) continue;
      const frame: SubscribeFrame = { action: 'subscribe', ...(JSON.parse(key) as WireOptions) };
      const cursor = subscriptions.groups.get(c)?.cursor;
      if (cursor !== undefined) frame.since = cursor;
      this.wire.subscribing(c, key, frame.since);
      this.send(frame);
    }
    for (const c of [...this.wire.sent.keys()]) {
      if (wanted.has(c)) continue;
      const refused = this.wire.refused.has(c);
      this.wire.forget(c);
      // note: the server never held a refused subscription; unsubscribing it would be an error.
      if (!refused) this.send({ action: 'unsubscribe', collection: c });
    }
    for (const c of this.wire.acked) this.ready(c);
  }

  /** Resolves `ready` of the handlers a confirmed wire subscription serves. */
  private ready(collection: string): void {
    const { subscriptions } = this.host;
    if (collection === '*' && subscriptions.overlapping()) subscriptions.markReady();
    else subscriptions.markReady(collection);
  }

  sendPresence(): void {
    const state = this.host.presence();
    if (state === undefined || this.sock?.readyState !== OPEN) return;
    this.wire.presenceSent();
    this.send({ action: 'presence', state });
  }

  private send(msg: object): void {
    if (this.sock?.readyState === OPEN) this.sock.send(JSON.stringify(msg));
  }

  private async connect(): Promise<void> {
    const gen = ++this.generation;
    this.host.setState({ status: this.opened ? 'reconnecting' : 'connecting', attempt: this.attempt });
    let token: string | undefined;
    try {
      token = await this.host.currentToken();
    } catch (e) {
      if (gen === this.generation)
        this.retry({ code: 'token_error', message: String((e as Error)?.message ?? e) });
      return;
    }
    if (gen !== this.generation || this.stopped) return;
    this.token = token;
    let sock: WebSocketLike;
    try {
      sock = new this.settings.WebSocket(realtimeUrl(this.host.http.baseUrl(), token));
    } catch (e) {
      this.retry({ code: 'network', message: String((e as Error)?.message ?? e) });
      return;
    }
    this.sock = sock;
    sock.onopen = () => this.onOpen(sock);
    sock.onmessage = (ev: { data: unknown }) => this.onMessage(sock, ev.data);
    sock.onclose = (ev: { code: number; reason: string }) => this.onClose(sock, ev.code, ev.reason);
    sock.onerror = noop; // note: a close event always follows and carries what is known.
    this.armIdle(sock);
  }

  /** Closes the current socket without waiting for its close event, and clears per-connection state. */
  private drop(code: number, reason: string): void {
    this.generation++;
    for (const t of Object.values(this.timers)) clearTimeout(t);
    this.timers = {};
    const sock = this.sock;
    this.sock = undefined;
    this.wire.clear();
    if (!sock) return;
    // note: no-ops rather than null: `ws` emits 'error' when a connecting socket is closed.
    sock.onopen = sock.onmessage = sock.onclose = sock.onerror = noop;
    try {
      sock.close(code, reason);
    } catch {
      // already closed
    }
  }

  private retry(error: ClientErrorInfo): void {
    if (this.stopped) return;
    this.drop(1000, 'reconnecting');
    const delay = backoffDelay(this.attempt, this.host.backoff);
    this.attempt++;
    this.host.setState({ status: 'reconnecting', error, attempt: this.attempt });
    this.timers.retry = setTimeout(() => void this.connect(), delay);
  }

  private armIdle(sock: WebSocketLike): void {
    clearTimeout(this.timers.idle);
    this.timers.idle = setTimeout(() => {
      if (sock !== this.sock) return;
      const s = Math.round(this.settings.idleTimeoutMs / 1000);
      this.retry({ code: 'timeout', message: `no message from the server for ${s} s` });
    }, this.settings.idleTimeoutMs);
  }

  private onOpen(sock: WebSocketLike): void {
    if (sock !== this.sock) return;
    this.opened = true;
    this.host.setState({ status: 'open', error: undefined, attempt: this.attempt });
    this.sync();
    this.sendPresence();
    this.timers.stable = setTimeout(() => {
      this.attempt = 0;
      this.host.setState({ attempt: 0 });
    }, this.settings.stableMs);
  }

  private onClose(sock: WebSocketLike, code: number, reason: string): void {
    if (sock !== this.sock) return;
    if (code === 4001) void this.authFailed(reason);
    else this.retry(closeError(code, reason));
  }

  /** The server rejected the token: ask for another; without a new one, stop until `restart`. */
  private async authFailed(reason: string): Promise<void> {
    this.drop(1000, 'token rejected');
    const gen = this.generation;
    const error: ClientErrorInfo = {
      code: /expired/i.test(reason) ? 'token_expired' : 'invalid_token',
      message: reason || 'invalid token',
      closeCode: 4001,
    };
    this.host.setState({ status: 'reconnecting', error });
    let next: string | null;
    try {
      next = await this.host.refreshToken(this.token);
    } catch (e) {
      // note: getToken failed (offline?): retry later; the next connect asks it again.
      if (gen === this.generation && !this.stopped)
        this.retry({ code: 'token_error', message: String((e as Error)?.message ?? e) });
      return;
    }
    if (gen !== this.generation || this.stopped) return;
    if (next === null) {
      this.host.setState({ status: 'closed', error });
      return;
    }
    this.retry(error);
  }

  /** Moves the cursors of the subscriptions that are live (not replaying) up to `seq`. */
  private advanceLive(seq: number): void {
    const { subscriptions } = this.host;
    if (subscriptions.overlapping()) {
      if (this.wire.fresh.has('*')) subscriptions.advance(seq);
    } else subscriptions.advance(seq, [...this.wire.fresh]);
  }

  private onMessage(sock: WebSocketLike, raw: unknown): void {
    if (sock !== this.sock) return;
    this.armIdle(sock);
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as ServerFrame;
    } catch {
      this.host.error({ code: 'bad_frame', message: 'the server sent a frame that is not JSON' });
      return;
    }
    const { subscriptions } = this.host;
    switch (frame?.type) {
      case 'ping': {
        this.send({ action: 'pong' });
        // Live subscriptions have been sent everything up to the server's last seq.
        if (typeof frame.last_seq === 'number') this.advanceLive(frame.last_seq);
        break;
      }
      case 'resumed': {
        // A resumed subscription's replay caught up: from here it is live like the others.
        const c = frame.data?.collection;
        if (typeof c === 'string' && this.wire.acked.has(c)) {
          this.wire.fresh.add(c);
          if (typeof frame.data.last_seq === 'number') subscriptions.advance(frame.data.last_seq, [c]);
        }
        break;
      }
      case 'subscribed': {
        const c = frame.data?.collection;
        const ok = this.wire.confirmed(c);
        if (!ok) break;
        // note: with `since`, the replay follows the ack; the cursor then moves with the events.
        if (ok.since === undefined) {
          const last = frame.data.last_seq;
          if (typeof last === 'number')
            subscriptions.advance(last, subscriptions.overlapping() ? undefined : [c]);
        }
        this.ready(c);
        break;
      }
      case 'event': {
        const ev = frame.data;
        if (!ev || typeof ev.type !== 'string') break;
        subscriptions.dispatch(ev, false);
        if (typeof ev.seq === 'number') {
          // note: when '*' overlaps, it is the only wire subscription and carries every group.
          const own = ev.collection ? [ev.collection, '*'] : [];
          subscriptions.advance(
            ev.seq,
            subscriptions.overlapping() ? undefined : [...own, ...this.wire.fresh],
          );
        }
        break;
      }
      case 'presence':
        this.wire.answered(null);
        break;
      case 'error': {
        const d = frame.data ?? { message: 'error' };
        this.onError(sock, { ...d, collection: this.wire.errorSubject(d.collection) });
        break;
      }
      default:
        break;
    }
  }

  private onError(sock: WebSocketLike, d: Extract<ServerFrame, { type: 'error' }>['data']): void {
    if (d.code === 'invalid_token' || d.code === 'token_expired') {
      void this.authFailed(d.message);
      return;
    }
    if (d.code !== 'resume_gap') {
      if (d.collection && this.wire.pending.has(d.collection)) {
        this.wire.pending.delete(d.collection);
        this.wire.refused.add(d.collection);
        this.host.subscriptions.markFailed(d.collection, d.code ?? 'server_error', d.message);
      }
      this.host.error({ code: d.code ?? 'server_error', message: d.message, collection: d.collection });
      return;
    }
    const gapped = d.collection
      ? [d.collection]
      : [...this.wire.pending].filter(([, since]) => since !== undefined).map(([c]) => c);
    for (const c of gapped) {
      this.host.gap({ collection: c, oldest_seq: d.oldest_seq, last_seq: d.last_seq });
      const g = this.host.subscriptions.groups.get(c);
      if (g) g.cursor = undefined;
      this.wire.forget(c);
    }
    if (sock === this.sock) this.sync();
  }
}
