import type { Db } from './db';
import type { Changes } from './changes';
import { newId, nowIso } from './ids';

import type { Role, User } from '../../shared/admin';

// The wire types live in src/shared/admin.ts (the console imports the same ones).
export { ROLES, type Role, type User } from '../../shared/admin';

type Row = Omit<User, 'superuser'> & { superuser: number; password_hash: string };

const rowToUser = (r: Row): User => ({
  id: r.id,
  email: r.email,
  role: r.role,
  account: r.account,
  superuser: r.superuser === 1,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** Users and their password hashes. */
export class Users {
  private readonly byId;

  constructor(
    private readonly db: Db,
    private readonly changes: Changes,
  ) {
    this.byId = db.prepare('SELECT * FROM users WHERE id = ?');
  }

  get(id: string): User | undefined {
    const r = this.byId.get(id) as Row | undefined;
    return r && rowToUser(r);
  }

  /** The user and hash for a login; email matching ignores case. */
  byEmail(email: string): { user: User; hash: string } | undefined {
    const r = this.db.prepare('SELECT * FROM users WHERE email = ?').get(email) as Row | undefined;
    return r && { user: rowToUser(r), hash: r.password_hash };
  }

  /** Users of one account, or of all accounts when `account` is null (superuser). */
  list(account: string | null): User[] {
    const rows = (
      account === null
        ? this.db.prepare('SELECT * FROM users ORDER BY created_at, email').all()
        : this.db.prepare('SELECT * FROM users WHERE account = ? ORDER BY created_at, email').all(account)
    ) as Row[];
    return rows.map(rowToUser);
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  create(u: { email: string; hash: string; role: Role; account: string; superuser?: boolean }): User {
    const now = nowIso();
    const id = newId();
    this.db
      .prepare(
        'INSERT INTO users (id, email, password_hash, role, account, superuser, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, u.email, u.hash, u.role, u.account, u.superuser ? 1 : 0, now, now);
    return this.get(id)!;
  }

  update(id: string, patch: { email?: string; hash?: string; role?: Role; account?: string }): User {
    const cur = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row;
    this.db
      .prepare(
        'UPDATE users SET email = ?, password_hash = ?, role = ?, account = ?, updated_at = ? WHERE id = ?',
      )
      .run(
        patch.email ?? cur.email,
        patch.hash ?? cur.password_hash,
        patch.role ?? cur.role,
        patch.account ?? cur.account,
        nowIso(),
        id,
      );
    const updated = this.get(id)!;
    // Tokens carry role and account: an edge must stop trusting the old ones.
    if (updated.role !== cur.role || updated.account !== cur.account) {
      this.changes.emit({ kind: 'user.revoked', id, at: Date.now() });
    }
    return updated;
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
    this.changes.emit({ kind: 'user.revoked', id, at: Date.now() });
  }
}
