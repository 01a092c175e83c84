import type { MonitorConnection, MonitorFrame, MonitorInstance } from '../../shared/monitor';
import type { FrameSink } from './monitor-inspect';

/** What the feed publishes to, and hears from, the other instances of a cluster (see cluster/monitor-relay.ts). */
export interface MonitorPeers {
  /** Publishes this instance's deltas and event summaries (`account` null: every watcher). */
  publish(frames: RelayedFrame[]): void;
  /** Every other instance's connections in scope (for a snapshot). */
  connections(scope: string | null): Promise<MonitorConnection[]>;
  /** Every instance, with its connection count. */
  instances(): Promise<MonitorInstance[]>;
  /** Inspects a connection held elsewhere; undefined when no instance has it. */
  inspect(
    id: string,
    scope: string | null,
    sink: FrameSink,
  ): Promise<{ instance: string; frames: MonitorFrame[] } | undefined>;
  uninspect(id: string, sink: FrameSink): void;
}

/** One feed frame as it travels between instances, with the account that may see it. */
export interface RelayedFrame {
  account: string | null;
  type:
    | 'events'
    | 'connection.opened'
    | 'connection.updated'
    | 'connection.closed'
    | 'connection.stats'
    | 'presence'
    /** Some instance's watchers want the flow: record it for a few seconds (sent every second). */
    | 'flow.wanted';
  data: unknown;
}

/**
 * The feed's place in a cluster: who this instance is, the other instances' monitors (none
 * when it runs alone), and this instance's frames waiting to go to them with the next batch.
 */
export class PeerLink {
  instance: MonitorInstance = { id: 'local', role: 'single' };
  peers: MonitorPeers | undefined;
  /** This instance's frames waiting to go to the other instances (published with each batch). */
  outbound: RelayedFrame[] = [];

  /** Queues a frame for the other instances, if there are any. */
  queue(frame: RelayedFrame): void {
    if (this.peers) this.outbound.push(frame);
  }

  /** Joins the other instances' monitors (or leaves them with undefined); what was queued is dropped. */
  join(peers: MonitorPeers | undefined): void {
    this.peers = peers;
    this.outbound = [];
  }
}
