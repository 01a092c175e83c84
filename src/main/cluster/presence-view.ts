import type { LiveEvent } from '../realtime/types';
import { liveEvent, type PresenceType, type StoredConn } from './presence-data';

/** A user this instance's subscribers believe present. */
interface Known {
  conn: StoredConn;
  /** Joined from this instance's own connections while Redis was away. */
  outage?: boolean;
  /** Absent after Redis lost its data: leaves at this time unless an instance re-registers it. */
  doubtUntil?: number;
}

/**
 * What one instance's subscribers were told: the users they believe present. Every event
 * passes through here, so they never hear user.joined twice without a user.left between (or
 * the reverse), whatever mix of stream entries, local-mode changes and reconnect snapshots
 * brings them.
 */
export class PresenceView {
  private readonly known = new Map<string, Known>();

  constructor(private readonly emit: (ev: LiveEvent) => void) {}

  get size(): number {
    return this.known.size;
  }

  clear(): void {
    this.known.clear();
  }

  /** A cluster event from the stream (`at`: when Redis recorded it). */
  remote(type: PresenceType, conn: StoredConn, at: number): void {
    if (type === 'user.joined') {
      if (this.known.has(conn.pk)) return;
      this.known.set(conn.pk, { conn });
    } else if (type === 'user.left' && !this.known.delete(conn.pk)) return;
    this.emit(liveEvent(type, conn, at));
  }

  /** Local mode: a connection here authenticated. */
  localJoined(conn: StoredConn): void {
    if (this.known.has(conn.pk)) return;
    this.known.set(conn.pk, { conn, outage: true });
    this.emit(liveEvent('user.joined', conn));
  }

  /**
   * Local mode: the user's last connection here closed. Only a user who joined here during
   * the outage leaves now; one known from before may be elsewhere, and the reconnect decides.
   */
  localLeft(conn: StoredConn): void {
    if (!this.known.get(conn.pk)?.outage) return;
    this.known.delete(conn.pk);
    this.emit(liveEvent('user.left', conn));
  }

  localState(conn: StoredConn): void {
    this.emit(liveEvent('user.state', conn));
  }

  /**
   * After a reconnect: the snapshot of every member's connections (taken together with the
   * stream position reading continues from) replaces what subscribers were told, and they
   * hear the difference. When Redis lost its data, a user missing from the snapshot may be
   * on an instance that has not re-registered yet: it leaves only after `graceMs`.
   */
  reconcile(conns: readonly StoredConn[], dataLost: boolean, graceMs: number): void {
    const present = new Map<string, StoredConn>();
    for (const c of conns) if (!present.has(c.pk)) present.set(c.pk, c);
    for (const [pk, k] of [...this.known]) {
      k.outage = false;
      if (present.has(pk)) k.doubtUntil = undefined;
      else if (dataLost) k.doubtUntil ??= Date.now() + graceMs;
      else if (this.known.delete(pk)) this.emit(liveEvent('user.left', k.conn));
    }
    for (const [pk, c] of present) {
      if (this.known.has(pk)) continue;
      this.known.set(pk, { conn: c });
      this.emit(liveEvent('user.joined', c));
    }
  }

  /** Users whose grace ran out: the caller checks whether they are present anywhere. */
  doubtsDue(now = Date.now()): string[] {
    const out: string[] = [];
    for (const [pk, k] of this.known) if (k.doubtUntil !== undefined && k.doubtUntil <= now) out.push(pk);
    return out;
  }

  /** Settles a doubt: a user present nowhere leaves. */
  settle(pk: string, present: boolean): void {
    const k = this.known.get(pk);
    if (k?.doubtUntil === undefined) return;
    k.doubtUntil = undefined;
    if (present) return;
    this.known.delete(pk);
    this.emit(liveEvent('user.left', k.conn));
  }
}
