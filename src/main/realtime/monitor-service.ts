import type { HubEvent } from '../../shared/events';
import type {
  ExplainConnection,
  FanoutFigures,
  MonitorConnectionList,
  MonitorDisconnectResult,
  MonitorFrames,
  MonitorInstance,
  MonitorOutcomes,
  MonitorSendResult,
} from '../../shared/monitor';
import type { Principal } from '../auth/principal';
import type { Hub } from './hub';
import type { MonitorFeed } from './monitor';
import type { SendTarget } from './monitor-control';
import type { ReplayOutcome } from './monitor-replay';

/** The same operations asked of every other instance of a cluster (see cluster/monitor-relay.ts). */
export interface MonitorRemote {
  instances(): Promise<MonitorInstance[]>;
  connections(scope: string | null): Promise<MonitorConnectionList['connections']>;
  explain(
    ev: HubEvent,
    scope: string | null,
    connection?: string,
  ): Promise<
    { instance: string; connections: ExplainConnection[]; recorded?: FanoutFigures; dropped: string[] }[]
  >;
  frames(id: string, scope: string | null): Promise<MonitorFrames | undefined>;
  disconnect(id: string, scope: string | null, reason: string): Promise<MonitorDisconnectResult | undefined>;
  send(t: SendTarget, scope: string | null, caller: Principal): Promise<MonitorSendResult[]>;
  /** Replays past events into a connection on the instance that holds it (undefined: none does). */
  replay(id: string, events: readonly HubEvent[], scope: string | null): Promise<ReplayOutcome | undefined>;
}

/** What the REST routes (api/routes/monitor.ts) ask: this instance's answer, plus the cluster's when there is one. */
export class MonitorService {
  remote?: MonitorRemote;

  constructor(
    private readonly hub: Hub,
    private readonly feed: MonitorFeed,
  ) {}

  instance(): MonitorInstance {
    return this.feed.instance();
  }

  async connections(scope: string | null): Promise<MonitorConnectionList> {
    const connections = this.feed.local.connections(scope);
    let instances: MonitorInstance[] = [{ ...this.instance(), connections: connections.length }];
    if (this.remote) {
      const [more, all] = await Promise.all([this.remote.connections(scope), this.remote.instances()]);
      connections.push(...more);
      if (all.length) instances = all;
    }
    return { connections, instances };
  }

  outcomes(since: number, until: number, limit: number): MonitorOutcomes {
    return {
      instance: this.instance().id,
      oldest_seq: this.hub.outcomes.oldestSeq(),
      outcomes: this.hub.outcomes.range(since, until, limit),
    };
  }

  async explain(ev: HubEvent, scope: string | null, connection?: string) {
    const local = this.feed.local.explain(ev, scope, connection);
    const here = this.hub.outcomes.get(ev.seq);
    const recorded: ({ instance: string } & FanoutFigures)[] = here
      ? [{ instance: this.instance().id, ...here }]
      : [];
    const dropped = this.hub.outcomes.droppedAt(ev.seq);
    const connections: ExplainConnection[] = [...local];
    if (this.remote && !(connection !== undefined && local.length)) {
      for (const r of await this.remote.explain(ev, scope, connection)) {
        connections.push(...r.connections);
        if (r.recorded) recorded.push({ instance: r.instance, ...r.recorded });
        dropped.push(...r.dropped);
      }
    }
    return { connections, recorded, dropped };
  }

  async frames(id: string, scope: string | null): Promise<MonitorFrames | undefined> {
    return this.feed.local.frames(id, scope) ?? (await this.remote?.frames(id, scope));
  }

  async disconnect(
    id: string,
    scope: string | null,
    reason: string,
  ): Promise<MonitorDisconnectResult | undefined> {
    return (
      this.feed.local.disconnect(id, scope, reason) ?? (await this.remote?.disconnect(id, scope, reason))
    );
  }

  /** Replays past events into one connection, here or on the instance that holds it. */
  async replay(
    id: string,
    events: readonly HubEvent[],
    scope: string | null,
  ): Promise<ReplayOutcome | undefined> {
    return (
      (await this.feed.local.replay(id, events, scope)) ?? (await this.remote?.replay(id, events, scope))
    );
  }

  async send(t: SendTarget, scope: string | null, caller: Principal): Promise<MonitorSendResult> {
    const out = this.feed.local.send(t, scope, caller);
    // One connection: it is here or on one other instance; a collection: on every instance.
    if (this.remote && (t.connection === undefined || out.sent === 0)) {
      for (const r of await this.remote.send(t, scope, caller)) {
        out.sent += r.sent;
        out.connections.push(...r.connections);
      }
    }
    return out;
  }
}
