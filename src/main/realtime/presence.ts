import { accountScope, type Principal } from '../auth/principal';
import type { PresentUser } from '../../shared/admin';
import type { Connection, LiveEvent } from './types';

// The wire type lives in src/shared/admin.ts (the console imports the same one).
export type { PresentUser } from '../../shared/admin';

/** Presence identity: one user, or one API key. */
export const principalKey = (p: Principal): string => `${p.kind}:${p.id}`;

/**
 * Who is present: `user.joined` when a user's first connection authenticates, `user.left`
 * when the last one closes, `user.state` when a connection sets its presence state.
 */
export class Presence {
  private readonly byUser = new Map<string, Set<Connection>>();

  constructor(private readonly emit: (ev: LiveEvent) => void) {}

  connectionsOf(p: Principal): number {
    return this.byUser.get(principalKey(p))?.size ?? 0;
  }

  /** How many distinct users are present. */
  get size(): number {
    return this.byUser.size;
  }

  join(conn: Connection): void {
    const p = conn.principal!;
    const k = principalKey(p);
    let set = this.byUser.get(k);
    if (!set) this.byUser.set(k, (set = new Set()));
    set.add(conn);
    if (set.size === 1) this.emit(this.event('user.joined', p, conn));
  }

  leave(conn: Connection): void {
    const p = conn.principal!;
    const k = principalKey(p);
    const set = this.byUser.get(k);
    if (!set?.delete(conn)) return;
    if (set.size === 0) {
      this.byUser.delete(k);
      this.emit(this.event('user.left', p, conn));
    }
  }

  stateChanged(conn: Connection): void {
    if (conn.principal) this.emit(this.event('user.state', conn.principal, conn));
  }

  private event(type: 'user.joined' | 'user.left' | 'user.state', p: Principal, conn: Connection): LiveEvent {
    const data: Record<string, unknown> = {
      user_id: p.id,
      kind: p.kind,
      connection_id: conn.id,
      dialect: conn.transport.dialect,
    };
    if (p.email) data.email = p.email;
    if (conn.presenceState) data.state = conn.presenceState;
    return { type, account: p.account, actor: p.id, data, timestamp: new Date().toISOString() };
  }

  /**
   * Present users the caller may see: its own account (the superuser sees all). Anonymous
   * callers see nobody, as they receive no presence events either.
   */
  list(viewer: Principal | null): PresentUser[] {
    if (!viewer) return [];
    const scope = accountScope(viewer);
    const out: PresentUser[] = [];
    for (const set of this.byUser.values()) {
      const conns = [...set];
      const p = conns[0]!.principal!;
      if (scope !== null && p.account !== scope) continue;
      const state = conns.map((c) => c.presenceState).findLast((s) => s !== undefined);
      out.push({
        user_id: p.id,
        ...(p.email ? { email: p.email } : {}),
        kind: p.kind,
        account: p.account,
        connections: conns.length,
        dialects: [...new Set(conns.map((c) => c.transport.dialect))],
        since: new Date(Math.min(...conns.map((c) => c.connectedAt))).toISOString(),
        ...(state ? { state } : {}),
      });
    }
    return out;
  }
}
