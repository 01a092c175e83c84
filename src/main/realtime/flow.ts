import {
  MONITOR_FLOW_MAX,
  MONITOR_FLOW_OUTCOMES,
  type MonitorEventFlow,
  type MonitorEventSummary,
} from '../../shared/monitor';
import { DELIVERY, type Delivery, type Hooks } from './hooks';
import { accountOf } from './monitor-describe';
import type { Connection } from './types';

/**
 * One event's per-connection outcomes as recorded on one instance, before they are cut to a
 * watcher's account: plain arrays, so a cluster relays them as they are.
 */
export interface RecordedFlow {
  ids: string[];
  /** Index into MONITOR_FLOW_OUTCOMES, per id. */
  outcomes: number[];
  /** The connection's account, per id (an account's admin sees only its own). */
  accounts: string[];
  /** Subscriptions the event was for or was kept from, recorded or not. */
  total: number;
}

/** Hub deliveries -> the wire's outcome index (`other`, e.g. a duplicate, is not an edge). */
const OUTCOME_OF: Record<Delivery, number> = {
  [DELIVERY.sent]: 0,
  [DELIVERY.filter]: 1,
  [DELIVERY.rule]: 2,
  [DELIVERY.dropped]: 3,
  [DELIVERY.other]: -1,
};

/**
 * Records each event's per-connection outcomes for the monitor's Flow view, and only while
 * someone wants them: it listens to the hub's `on_delivery` while it has users (local flow
 * watchers, or another instance's, held for a few seconds at a time), so the hub does nothing
 * per subscriber otherwise. The feed calls `take()` in its `on_fanout`, which follows an event's
 * deliveries.
 */
export class FlowRecorder {
  private users = 0;
  private off?: () => void;
  private ids: string[] = [];
  private outcomes: number[] = [];
  private accounts: string[] = [];
  private total = 0;
  private holdTimer?: NodeJS.Timeout;
  private releaseHold?: () => void;

  constructor(
    private readonly hooks: Hooks,
    private readonly max = MONITOR_FLOW_MAX,
  ) {}

  /** Whether deliveries are being recorded. */
  get active(): boolean {
    return this.users > 0;
  }

  /** Starts recording until the returned function is called (it may be called more than once). */
  acquire(): () => void {
    if (this.users++ === 0) this.off = this.hooks.on('on_delivery', (c, d) => this.note(c, d));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.users === 0) {
        this.off?.();
        this.off = undefined;
      }
    };
  }

  /** Records for `ms` more (another instance's watchers want the flow; it says so every second). */
  holdFor(ms: number): void {
    this.releaseHold ??= this.acquire();
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => this.stopHold(), ms);
    this.holdTimer.unref();
  }

  stopHold(): void {
    clearTimeout(this.holdTimer);
    this.releaseHold?.();
    this.releaseHold = undefined;
  }

  private note(c: Connection, d: Delivery): void {
    const o = OUTCOME_OF[d];
    if (o < 0) return;
    if (this.total++ >= this.max) return;
    this.ids.push(c.id);
    this.outcomes.push(o);
    this.accounts.push(accountOf(c));
  }

  /** What the event just fanned out recorded (undefined when not recording), and a fresh start for the next. */
  take(): RecordedFlow | undefined {
    if (this.users === 0 && this.total === 0) return undefined;
    const out: RecordedFlow = {
      ids: this.ids,
      outcomes: this.outcomes,
      accounts: this.accounts,
      total: this.total,
    };
    this.ids = [];
    this.outcomes = [];
    this.accounts = [];
    this.total = 0;
    return out;
  }
}

/** The recorded flow as a watcher sees it: grouped by outcome, cut to its account (null: every account). */
export function flowFor(r: RecordedFlow, scope: string | null): MonitorEventFlow {
  const out: MonitorEventFlow = { delivered: [], filtered: [], denied: [], dropped: [], capped: false };
  for (let i = 0; i < r.ids.length; i++) {
    if (scope !== null && r.accounts[i] !== scope) continue;
    out[MONITOR_FLOW_OUTCOMES[r.outcomes[i]!]!].push(r.ids[i]!);
  }
  out.capped = r.total > r.ids.length;
  return out;
}

/** A batch's summaries for one watcher: with each event's flow (cut to its account) when it wants the flow. */
export function withFlow(
  batch: readonly { summary: MonitorEventSummary; flow?: RecordedFlow }[],
  scope: string | null,
  flow: boolean,
): MonitorEventSummary[] {
  // An event fanned out before anyone wanted the flow has none (not an empty one).
  return flow
    ? batch.map((p) => (p.flow ? { ...p.summary, flow: flowFor(p.flow, scope) } : p.summary))
    : batch.map((p) => p.summary);
}
