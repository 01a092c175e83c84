import { randomBytes } from 'node:crypto';
import type { HubEvent } from '../../shared/events';
import type {
  ExplainConnection,
  FanoutFigures,
  MonitorConnection,
  MonitorDisconnectResult,
  MonitorFrame,
  MonitorFrames,
  MonitorInstance,
  MonitorSendResult,
} from '../../shared/monitor';
import type { Principal } from '../auth/principal';
import type { Hub } from '../realtime/hub';
import type { MonitorFeed } from '../realtime/monitor';
import type { MonitorPeers, RelayedFrame } from '../realtime/monitor-peers';
import type { SendTarget } from '../realtime/monitor-control';
import type { FrameSink } from '../realtime/monitor-inspect';
import type { ReplayOutcome } from '../realtime/monitor-replay';
import type { MonitorRemote } from '../realtime/monitor-service';
import {
  DEFAULT_BACKOFF,
  DEFAULT_CONNECT_TIMEOUT_MS,
  closeLink,
  errorText,
  openLink,
  parseMessage,
  type RedisLink,
} from './redis-link';
import { MonitorAnswers, type Op, type Reply, type Request } from './monitor-answers';
import type { Registry } from './registry';

// note: instances answer on a LAN in milliseconds; past 1.5 s an instance counts as not answering.
const RPC_TIMEOUT_MS = 1500;
// note: a replay answers once its (at most 1,000) events are written, a page per turn: allow more.
const REPLAY_TIMEOUT_MS = 10_000;

interface Waiting {
  answers: { instance: string; result: unknown }[];
  expected: number;
  /** Resolve as soon as one instance has an answer (the one holding a connection). */
  first: boolean;
  done: () => void;
}

/**
 * The live monitor across a cluster, through Redis pub/sub (no socket of our own): every
 * instance publishes its feed deltas and event summaries on one channel and hands the
 * others' to its own watchers; explain, frames, inspect, disconnect and send go out as
 * requests on a second channel and the instance that holds the connection (or every one)
 * answers on the asker's reply channel (the answering side is monitor-answers.ts).
 */
export class MonitorRelay implements MonitorPeers, MonitorRemote {
  private pub?: RedisLink;
  private sub?: RedisLink;
  private readonly channels: { feed: string; rpc: string; reply: (id: string) => string };
  private readonly waiting = new Map<string, Waiting>();
  /** Remote inspections this instance asked for: sink id -> the watcher's sink, and back. */
  private readonly sinks = new Map<string, FrameSink>();
  private readonly sinkIds = new Map<FrameSink, string>();
  private readonly answers: MonitorAnswers;

  constructor(
    private readonly o: {
      url: string;
      registry: Registry;
      hub: Hub;
      feed: MonitorFeed;
      log: (line: string) => void;
    },
  ) {
    const p = `${o.registry.prefix}:monitor`;
    this.channels = { feed: `${p}:feed`, rpc: `${p}:rpc`, reply: (id) => `${p}:reply:${id}` };
    this.answers = new MonitorAnswers({
      id: () => this.id,
      hub: o.hub,
      feed: o.feed,
      frame: (to, reply) => this.post(this.channels.reply(to), reply),
    });
  }

  get id(): string {
    return this.o.registry.id;
  }

  async start(): Promise<void> {
    const opts = { connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS, reconnect: DEFAULT_BACKOFF };
    try {
      this.pub = await openLink(this.o.url, { name: `switchboard-monitor:${this.id}`, ...opts });
      this.sub = await openLink(this.o.url, { name: `switchboard-monitor-sub:${this.id}`, ...opts });
      await this.sub.subscribe(this.channels.feed, (m) => this.onFeed(m));
      await this.sub.subscribe(this.channels.rpc, (m) => void this.onRequest(m));
      await this.sub.subscribe(this.channels.reply(this.id), (m) => this.onReply(m));
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    this.answers.stop();
    for (const w of this.waiting.values()) w.done();
    closeLink(this.sub);
    closeLink(this.pub);
    this.sub = this.pub = undefined;
  }

  private post(channel: string, body: unknown): void {
    if (!this.pub?.isReady) return;
    this.pub.publish(channel, JSON.stringify(body)).catch(() => {});
  }

  // --- the feed

  publish(frames: RelayedFrame[]): void {
    this.post(this.channels.feed, { from: this.id, frames });
  }

  private onFeed(message: string): void {
    try {
      const m = JSON.parse(message) as { from: string; frames: RelayedFrame[] };
      if (m.from !== this.id) this.o.feed.fromPeer(m.frames);
    } catch (e) {
      this.o.log(`monitor relay: bad feed message: ${errorText(e)}`);
    }
  }

  // --- requests to the other instances

  /** Asks every other live instance; resolves with their answers (or what came within the timeout). */
  private async ask(
    op: Op,
    args: unknown[],
    first = false,
    timeoutMs = RPC_TIMEOUT_MS,
  ): Promise<{ instance: string; result: unknown }[]> {
    const others = (await this.o.registry.list()).filter((i) => i.id !== this.id).length;
    if (others === 0 || !this.pub?.isReady) return [];
    const rid = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const w: Waiting = {
        answers: [],
        expected: others,
        first,
        done: () => {
          clearTimeout(timer);
          this.waiting.delete(rid);
          resolve(w.answers);
        },
      };
      const timer = setTimeout(w.done, timeoutMs);
      this.waiting.set(rid, w);
      this.post(this.channels.rpc, { rid, from: this.id, op, args } satisfies Request);
    });
  }

  private onReply(message: string): void {
    const r = parseMessage<Reply>(message);
    if (r === undefined) return;
    if (r.kind === 'frame') return this.sinks.get(r.sink)?.(r.frame);
    const w = this.waiting.get(r.rid);
    if (!w) return;
    if (r.result !== null && r.result !== undefined)
      w.answers.push({ instance: r.instance, result: r.result });
    w.expected--;
    if (w.expected <= 0 || (w.first && w.answers.length > 0)) w.done();
  }

  /** Answers another instance's request from this instance's connections (null: not here). */
  private async onRequest(message: string): Promise<void> {
    const q = parseMessage<Request>(message);
    if (q === undefined) return;
    if (q.from === this.id) return;
    let result: unknown = null;
    try {
      result = await this.answers.answer(q);
    } catch (e) {
      this.o.log(`monitor relay: ${q.op} failed: ${errorText(e)}`);
    }
    this.post(this.channels.reply(q.from), {
      kind: 'result',
      rid: q.rid,
      instance: this.id,
      result,
    } satisfies Reply);
  }

  // --- MonitorPeers and MonitorRemote

  async instances(): Promise<MonitorInstance[]> {
    try {
      return (await this.o.registry.list()).map((i) => ({
        id: i.id,
        role: i.role,
        connections: i.connections,
      }));
    } catch {
      return [];
    }
  }

  async connections(scope: string | null): Promise<MonitorConnection[]> {
    return (await this.ask('connections', [scope])).flatMap((a) => a.result as MonitorConnection[]);
  }

  async explain(ev: HubEvent, scope: string | null, connection?: string) {
    const answers = await this.ask('explain', [ev, scope, connection]);
    return answers.map(
      (a) =>
        a.result as {
          instance: string;
          connections: ExplainConnection[];
          recorded?: FanoutFigures;
          dropped: string[];
        },
    );
  }

  async frames(id: string, scope: string | null): Promise<MonitorFrames | undefined> {
    return (await this.ask('frames', [id, scope], true))[0]?.result as MonitorFrames | undefined;
  }

  async disconnect(
    id: string,
    scope: string | null,
    reason: string,
  ): Promise<MonitorDisconnectResult | undefined> {
    return (await this.ask('disconnect', [id, scope, reason], true))[0]?.result as
      MonitorDisconnectResult | undefined;
  }

  async send(t: SendTarget, scope: string | null, caller: Principal): Promise<MonitorSendResult[]> {
    const answers = await this.ask('send', [t, scope, caller], t.connection !== undefined);
    return answers.map((a) => a.result as MonitorSendResult);
  }

  async replay(
    id: string,
    events: readonly HubEvent[],
    scope: string | null,
  ): Promise<ReplayOutcome | undefined> {
    const answers = await this.ask('replay', [id, events, scope], true, REPLAY_TIMEOUT_MS);
    return answers[0]?.result as ReplayOutcome | undefined;
  }

  async inspect(id: string, scope: string | null, sink: FrameSink) {
    const sinkId = randomBytes(8).toString('hex');
    this.sinks.set(sinkId, sink);
    this.sinkIds.set(sink, sinkId);
    const found = (await this.ask('inspect', [id, scope, sinkId], true))[0]?.result as
      { instance: string; frames: MonitorFrame[] } | undefined;
    if (!found) {
      this.sinks.delete(sinkId);
      this.sinkIds.delete(sink);
    }
    return found;
  }

  uninspect(_id: string, sink: FrameSink): void {
    const sinkId = this.sinkIds.get(sink);
    if (!sinkId) return;
    this.sinks.delete(sinkId);
    this.sinkIds.delete(sink);
    this.post(this.channels.rpc, {
      rid: 'none',
      from: this.id,
      op: 'uninspect',
      args: [_id, sinkId],
    } satisfies Request);
  }
}
