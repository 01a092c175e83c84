import type { MonitorConnectionCounters } from '../../shared/monitor';
import type { Hub } from './hub';
import { accountOf, bufferedOf, countersOf } from './monitor-describe';
import type { PeerLink } from './monitor-peers';
import { frameText, sendTo, type Watchers } from './monitor-watchers';

/**
 * `connection.stats`: once a second, the counters of the connections whose counters moved,
 * to the watchers (and other instances) that may see them. Counters are not deltas a watcher
 * must not miss: one that is behind gets the next change.
 */
export class ConnectionStats {
  /** Each connection's counters as the last `connection.stats` had them (to send only what changed). */
  private readonly last = new Map<string, MonitorConnectionCounters>();

  constructor(
    private readonly hub: Hub,
    private readonly watchers: Watchers,
    private readonly link: PeerLink,
  ) {}

  /** A connection closed: its counters are no longer kept. */
  forget(id: string): void {
    this.last.delete(id);
  }

  /** Sends (and queues for the other instances) what changed since the last call. */
  publish(): void {
    if (this.watchers.size === 0 && !this.link.peers) return;
    const byAccount = this.changed();
    if (this.link.peers) {
      const instance = this.link.instance.id;
      for (const [account, connections] of byAccount)
        this.link.outbound.push({ account, type: 'connection.stats', data: { instance, connections } });
    }
    this.send(byAccount, this.link.instance.id);
  }

  /** Sends `connection.stats` to the watchers that may see them (one behind gets the next change). */
  send(byAccount: Map<string, MonitorConnectionCounters[]>, from: string): void {
    if (byAccount.size === 0 || this.watchers.size === 0) return;
    let all: string | undefined;
    const texts = new Map<string, string>();
    for (const w of this.watchers) {
      if (w.behind || this.watchers.tooFar(w)) continue;
      let text: string | undefined;
      if (w.scope === null) {
        text = all ??= frameText('connection.stats', {
          instance: from,
          connections: [...byAccount.values()].flat(),
        });
      } else {
        const mine = byAccount.get(w.scope);
        if (!mine) continue;
        text = texts.get(w.scope);
        if (text === undefined) {
          text = frameText('connection.stats', { instance: from, connections: mine });
          texts.set(w.scope, text);
        }
      }
      sendTo(w, text);
    }
  }

  /**
   * The counters that changed since the last call, by account (nothing is allocated for a
   * connection whose counters did not move). Every changed connection goes out, in one frame per
   * scope: it is once a second.
   */
  private changed(): Map<string, MonitorConnectionCounters[]> {
    const byAccount = new Map<string, MonitorConnectionCounters[]>();
    for (const c of this.hub.connections.values()) {
      // Not shown yet (its credential is being checked): `connection.opened` carries its counters.
      if (c.authPending || c.closed) continue;
      const prev = this.last.get(c.id);
      if (
        prev &&
        prev.messages_in === c.messagesIn &&
        prev.messages_out === c.messagesOut &&
        prev.bytes_in === c.bytesIn &&
        prev.bytes_out === c.bytesOut &&
        prev.last_seen === c.lastSeen &&
        prev.buffered === bufferedOf(c)
      )
        continue;
      const now = countersOf(c);
      this.last.set(c.id, now);
      const account = accountOf(c);
      let l = byAccount.get(account);
      if (!l) byAccount.set(account, (l = []));
      l.push(now);
    }
    return byAccount;
  }
}
