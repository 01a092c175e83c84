import type { DisplayConfig } from '../../shared/displays';
import type { Changes } from './changes';
import type { Db } from './db';
import { newId, nowIso } from './ids';

/** A display as stored: the REST layer adds `url` and `watching`. */
export interface StoredDisplay {
  id: string;
  account: string;
  collection: string;
  name: string;
  config: DisplayConfig;
  key_id: string | null;
  key: string | null;
  version: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

type Row = Omit<StoredDisplay, 'config'> & { config: string };

const rowToDisplay = (r: Row): StoredDisplay => ({ ...r, config: JSON.parse(r.config) as DisplayConfig });

/**
 * Display pages (kiosks) of each account. Every change bumps `version` and tells `onChange`
 * listeners (the display pages waiting for their config); a deleted API key revokes its display.
 */
export class Displays {
  private readonly stmts;
  private readonly listeners = new Set<(id: string) => void>();

  constructor(db: Db, changes: Changes) {
    this.stmts = {
      get: db.prepare('SELECT * FROM displays WHERE id = ?'),
      all: db.prepare('SELECT * FROM displays ORDER BY created_at, id'),
      byAccount: db.prepare('SELECT * FROM displays WHERE account = ? ORDER BY created_at, id'),
      insert: db.prepare(
        `INSERT INTO displays (id, account, collection, name, config, key_id, key, created_by, created_at, updated_at)
         VALUES (@id, @account, @collection, @name, @config, @key_id, @key, @created_by, @now, @now)`,
      ),
      update: db.prepare(
        `UPDATE displays SET name = @name, config = @config, key_id = @key_id, key = @key,
           version = version + 1, updated_at = @now WHERE id = @id`,
      ),
      delete: db.prepare('DELETE FROM displays WHERE id = ?'),
      byKey: db.prepare('SELECT id FROM displays WHERE key_id = ?').pluck(),
      revokeKey: db.prepare(
        'UPDATE displays SET key_id = NULL, key = NULL, version = version + 1, updated_at = ? WHERE key_id = ?',
      ),
    };
    changes.on((c) => {
      if (c.kind !== 'key.deleted') return;
      const ids = this.stmts.byKey.all(c.id) as string[];
      if (ids.length === 0) return;
      this.stmts.revokeKey.run(nowIso(), c.id);
      for (const id of ids) this.changed(id);
    });
  }

  get(id: string): StoredDisplay | undefined {
    const r = this.stmts.get.get(id) as Row | undefined;
    return r && rowToDisplay(r);
  }

  /** Every display of `account`, or of all accounts with null. */
  list(account: string | null): StoredDisplay[] {
    const rows = (account === null ? this.stmts.all.all() : this.stmts.byAccount.all(account)) as Row[];
    return rows.map(rowToDisplay);
  }

  create(d: {
    account: string;
    collection: string;
    name: string;
    config: DisplayConfig;
    keyId: string | null;
    key: string | null;
    createdBy?: string;
  }): StoredDisplay {
    const id = newId();
    this.stmts.insert.run({
      id,
      account: d.account,
      collection: d.collection,
      name: d.name,
      config: JSON.stringify(d.config),
      key_id: d.keyId,
      key: d.key,
      created_by: d.createdBy ?? null,
      now: nowIso(),
    });
    return this.get(id)!;
  }

  /** Saves name, config and key together; bumps the version and tells the waiting pages. */
  update(
    id: string,
    patch: { name?: string; config?: DisplayConfig; keyId?: string | null; key?: string | null },
  ): StoredDisplay | undefined {
    const cur = this.get(id);
    if (!cur) return undefined;
    this.stmts.update.run({
      id,
      name: patch.name ?? cur.name,
      config: JSON.stringify(patch.config ?? cur.config),
      key_id: patch.keyId === undefined ? cur.key_id : patch.keyId,
      key: patch.key === undefined ? cur.key : patch.key,
      now: nowIso(),
    });
    this.changed(id);
    return this.get(id);
  }

  delete(id: string): boolean {
    const gone = this.stmts.delete.run(id).changes === 1;
    if (gone) this.changed(id);
    return gone;
  }

  /** Calls `fn` with a display's id after each change of it; returns the function that stops it. */
  onChange(fn: (id: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(id: string): void {
    for (const fn of [...this.listeners]) {
      try {
        fn(id);
      } catch {
        // note: a waiting page's failure is its own.
      }
    }
  }
}
