import type { Db } from './db';
import type { Changes } from './changes';
import { newId, nowIso } from './ids';

/** A login: one refresh-token family. Each refresh rotates `current_jti`; reuse of an old one revokes it. */
export interface Session {
  id: string;
  user_id: string;
  current_jti: string;
  expires_at: string;
  revoked_at: string | null;
}

/** Refresh-token families, so a stolen and reused refresh token ends the whole login. */
export class Sessions {
  private readonly getStmt;

  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
  ) {
    this.getStmt = db.prepare(
      'SELECT id, user_id, current_jti, expires_at, revoked_at FROM sessions WHERE id = ?',
    );
  }

  get(id: string): Session | undefined {
    return this.getStmt.get(id) as Session | undefined;
  }

  create(userId: string, ttlMs: number): Session {
    const s: Session = {
      id: newId(20),
      user_id: userId,
      current_jti: newId(20),
      expires_at: new Date(Date.now() + ttlMs).toISOString(),
      revoked_at: null,
    };
    this.db
      .prepare(
        'INSERT INTO sessions (id, user_id, current_jti, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(s.id, s.user_id, s.current_jti, nowIso(), s.expires_at);
    return s;
  }

  /** Moves the family to a new refresh token id, only if `jti` is still the current one. */
  rotate(id: string, jti: string, ttlMs: number): string | undefined {
    const next = newId(20);
    const r = this.db
      .prepare(
        'UPDATE sessions SET current_jti = ?, expires_at = ? WHERE id = ? AND current_jti = ? AND revoked_at IS NULL',
      )
      .run(next, new Date(Date.now() + ttlMs).toISOString(), id, jti);
    return r.changes === 1 ? next : undefined;
  }

  /** Ends one login: its refresh and access tokens stop working, and its live connections close. */
  revoke(id: string): void {
    this.db
      .prepare('UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(nowIso(), id);
    this.changes.emit({ kind: 'session.revoked', id });
  }

  /** Ends every login of a user (new password, another account). */
  revokeUser(userId: string): void {
    this.db
      .prepare('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL')
      .run(nowIso(), userId);
    this.changes.emit({ kind: 'user.revoked', id: userId, at: Date.now() });
  }

  /** Drops families that expired a day ago or more. */
  prune(): void {
    this.db
      .prepare('DELETE FROM sessions WHERE expires_at < ?')
      .run(new Date(Date.now() - 86_400_000).toISOString());
  }
}
