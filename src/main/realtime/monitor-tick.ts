import { monitorEventLoopDelay } from 'node:perf_hooks';
import { addFanout, noFanout, type FanoutFigures, type MonitorTick } from '../../shared/monitor';
import type { FanoutTally } from './hooks';
import type { Hub } from './hub';
import type { LocalMonitor } from './monitor-control';
import type { PeerLink } from './monitor-peers';
import { sendTo, stamp, type Watchers } from './monitor-watchers';

type Sums = FanoutFigures & { events: number; max_micros: number };
const emptySums = (): Sums => ({ ...noFanout(), events: 0, max_micros: 0 });
function addTo(a: Sums, f: Readonly<FanoutTally>): void {
  a.events++;
  addFanout(a, f);
  a.micros += f.micros;
  a.max_micros = Math.max(a.max_micros, f.micros);
}

/**
 * The `tick` every second: this instance's figures over the last second (fan-out sums, event
 * loop lag, memory) for the superuser, and each account's own for that account's admins — an
 * account's admin sees its figures, never the server's.
 */
export class MonitorTicker {
  private readonly lag = monitorEventLoopDelay({ resolution: 10 });
  private readonly sums = emptySums();
  private readonly sumsByAccount = new Map<string, Sums>();

  constructor(
    private readonly hub: Hub,
    private readonly local: LocalMonitor,
    private readonly link: PeerLink,
  ) {
    this.lag.enable();
  }

  /** Adds one event's fan-out to the second's sums (a schema event to the server's only). */
  count(account: string | null, f: Readonly<FanoutTally>): void {
    addTo(this.sums, f);
    if (account === null) return;
    let a = this.sumsByAccount.get(account);
    if (!a) this.sumsByAccount.set(account, (a = emptySums()));
    addTo(a, f);
  }

  /** Sends each watcher that is not behind its tick (one text per scope). */
  send(watchers: Watchers): void {
    const hub = this.hub;
    const instance = this.link.instance.id;
    const timestamp = stamp();
    let server: string | undefined;
    const byAccount = new Map<string, string>();
    for (const w of watchers) {
      if (w.behind) continue;
      const scope = w.scope;
      let text = scope === null ? server : byAccount.get(scope);
      if (text === undefined) {
        // The superuser sees the server's figures; an account's admin only its account's.
        const data: MonitorTick =
          scope === null
            ? {
                instance,
                connections: hub.connections.size,
                present_users: hub.presence.size,
                last_seq: hub.lastSeq,
                ...hub.rates.current,
                fanout: { ...this.sums },
                event_loop_lag_ms: Math.round((this.lag.mean / 1e6) * 100) / 100,
                event_loop_lag_p99_ms: Math.round((this.lag.percentile(99) / 1e6) * 100) / 100,
                rss_bytes: process.memoryUsage.rss(),
              }
            : {
                instance,
                account: scope,
                connections: this.local.count(scope),
                present_users: hub.presence.list(w.principal).length,
                last_seq: hub.lastSeq,
                fanout: { ...(this.sumsByAccount.get(scope) ?? emptySums()) },
              };
        text = JSON.stringify({ type: 'tick', data, timestamp });
        if (scope === null) server = text;
        else byAccount.set(scope, text);
      }
      sendTo(w, text);
    }
  }

  /** Starts the next second's figures. */
  reset(): void {
    this.lag.reset();
    Object.assign(this.sums, emptySums());
    this.sumsByAccount.clear();
  }

  stop(): void {
    this.lag.disable();
  }
}
