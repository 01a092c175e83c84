import type { HubEvent } from '../../shared/events';
import type { MonitorFrame } from '../../shared/monitor';
import type { Principal } from '../auth/principal';
import type { Hub } from '../realtime/hub';
import type { MonitorFeed } from '../realtime/monitor';
import type { SendTarget } from '../realtime/monitor-control';
import type { FrameSink } from '../realtime/monitor-inspect';

/** What one instance's monitor asks the others (see monitor-relay.ts). */
export type Op =
  'connections' | 'explain' | 'frames' | 'disconnect' | 'send' | 'replay' | 'inspect' | 'uninspect';

/** A request on the rpc channel. */
export interface Request {
  rid: string;
  from: string;
  op: Op;
  args: unknown[];
}

/** An answer (or an inspected connection's frame) on the asker's reply channel. */
export type Reply =
  | { kind: 'result'; rid: string; instance: string; result: unknown }
  | { kind: 'frame'; sink: string; frame: MonitorFrame };

/**
 * The answering side of the cluster monitor: another instance's request, answered from this
 * instance's connections (null: not here), and the inspections held here for other instances,
 * whose frames go to the asker's reply channel.
 */
export class MonitorAnswers {
  /** Inspections held here for other instances: `${from}|${sink}` -> the local sink. */
  private readonly served = new Map<string, { connection: string; sink: FrameSink }>();

  constructor(
    private readonly o: {
      id: () => string;
      hub: Hub;
      feed: MonitorFeed;
      /** Sends a frame of an inspection held here to the instance that asked for it. */
      frame: (to: string, reply: Reply) => void;
    },
  ) {}

  /** The result for a request (null when it is not for this instance); throws what the operation throws. */
  async answer(q: Request): Promise<unknown> {
    const local = this.o.feed.local;
    const a = q.args;
    switch (q.op) {
      case 'connections':
        return local.connections(a[0] as string | null);
      case 'explain': {
        const ev = a[0] as HubEvent;
        const connections = local.explain(ev, a[1] as string | null, a[2] as string | undefined);
        return {
          instance: this.o.id(),
          connections,
          recorded: this.o.hub.outcomes.get(ev.seq),
          dropped: this.o.hub.outcomes.droppedAt(ev.seq),
        };
      }
      case 'frames':
        return local.frames(a[0] as string, a[1] as string | null) ?? null;
      case 'disconnect':
        return local.disconnect(a[0] as string, a[1] as string | null, a[2] as string) ?? null;
      case 'send':
        return local.send(a[0] as SendTarget, a[1] as string | null, a[2] as Principal);
      case 'replay':
        return (await local.replay(a[0] as string, a[1] as HubEvent[], a[2] as string | null)) ?? null;
      case 'inspect': {
        const [connection, scope, sinkId] = a as [string, string | null, string];
        if (!local.find(connection, scope)) return null;
        const key = `${q.from}|${sinkId}`;
        const sink: FrameSink = (frame) => this.o.frame(q.from, { kind: 'frame', sink: sinkId, frame });
        const frames = this.o.feed.inspector.inspect(connection, sink);
        if (!frames) return null;
        this.served.set(key, { connection, sink });
        return { instance: this.o.id(), frames };
      }
      case 'uninspect': {
        const key = `${q.from}|${a[1] as string}`;
        const s = this.served.get(key);
        if (s) {
          this.o.feed.inspector.uninspect(s.connection, s.sink);
          this.served.delete(key);
        }
        return null;
      }
    }
    return null;
  }

  /** Ends the inspections held here for other instances. */
  stop(): void {
    for (const { connection, sink } of this.served.values())
      this.o.feed.inspector.uninspect(connection, sink);
    this.served.clear();
  }
}
