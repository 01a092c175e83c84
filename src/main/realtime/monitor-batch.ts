import type { MonitorEventSummary } from '../../shared/monitor';
import { withFlow, type RecordedFlow } from './flow';
import type { PeerLink, RelayedFrame } from './monitor-peers';
import { frameText, sees, sendTo, type Watchers } from './monitor-watchers';

/** An event summary waiting for the next batch, with the account that may see it (null: all). */
export interface Pending {
  account: string | null;
  summary: MonitorEventSummary;
  /** Per connection, while some watcher (here or on another instance) wants the flow. */
  flow?: RecordedFlow;
}

/**
 * Event summaries gathered into one `events` frame per batch (every 100 ms, or sooner when
 * `batchMax` pile up). Each flush publishes this instance's summaries to the other instances
 * with whatever else is queued for them, and sends each watcher the summaries it may see; a
 * watcher too far behind is skipped, and what it missed is noted.
 */
export class EventBatcher {
  private pending: Pending[] = [];

  constructor(
    private readonly watchers: Watchers,
    private readonly link: PeerLink,
    private readonly batchMax: number,
  ) {}

  /** An event fanned out here: a full batch goes at once. */
  add(p: Pending): void {
    this.pending.push(p);
    if (this.pending.length >= this.batchMax) this.flush();
  }

  /** Summaries another instance fanned out (with their flows): they go with the next batch. */
  fromPeer(
    account: string | null,
    d: { events: MonitorEventSummary[]; flows?: (RecordedFlow | null)[] },
  ): void {
    d.events.forEach((summary, i) =>
      this.pending.push({ account, summary, flow: d.flows?.[i] ?? undefined }),
    );
  }

  /** Sends each watcher the summaries it may see; skips (and notes) the ones too far behind. */
  flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.publish(batch);
    const watchers = this.watchers;
    if (watchers.size === 0) return;
    // One text per kind of watcher: its account (or every one) and whether it wants the flow.
    const texts = new Map<string, string | null>();
    for (const w of watchers) {
      if (watchers.tooFar(w)) {
        watchers.missed(w, batch);
        continue;
      }
      if (w.behind) watchers.caughtUp(w);
      const key = `${w.flow ? 'flow' : ''}|${w.scope ?? '*'}`;
      let text = texts.get(key);
      if (text === undefined) {
        const mine = w.scope === null ? batch : batch.filter((p) => sees(w, p.account));
        text = mine.length ? frameText('events', { events: withFlow(mine, w.scope, !!w.flow) }) : null;
        texts.set(key, text);
      }
      if (text) sendTo(w, text);
    }
  }

  /** Publishes this instance's summaries in the batch, and the frames queued, to the other instances. */
  private publish(batch: Pending[]): void {
    const { peers, instance } = this.link;
    if (!peers || !(batch.length || this.link.outbound.length)) return;
    const mine = batch.filter((p) => p.summary.instance === instance.id);
    const out: RelayedFrame[] = this.link.outbound;
    this.link.outbound = [];
    // Summaries travel grouped by account, so each instance can hand them out without parsing twice.
    const byAccount = new Map<string | null, Pending[]>();
    for (const p of mine) {
      let l = byAccount.get(p.account);
      if (!l) byAccount.set(p.account, (l = []));
      l.push(p);
    }
    for (const [account, l] of byAccount) {
      const events = l.map((p) => p.summary);
      // The flow travels as recorded (with each connection's account), beside its summary.
      const flows = l.some((p) => p.flow) ? l.map((p) => p.flow ?? null) : undefined;
      out.push({ account, type: 'events', data: flows ? { events, flows } : { events } });
    }
    if (out.length) peers.publish(out);
  }
}
