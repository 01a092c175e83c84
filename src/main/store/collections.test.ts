import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store } from '.';

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sb-collections-'));
  store = new Store(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const indexes = () =>
  store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'r_shows' ORDER BY name")
    .pluck()
    .all();
const plan = (sql: string) =>
  (store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[])
    .map((r) => r.detail)
    .join('; ');

describe('field indexes', () => {
  it('indexes fields marked indexed and relations, per account, and keeps them right through schema changes', () => {
    store.mutateSchema(() => {
      store.collections.create({ name: 'venues', fields: [{ name: 'name', type: 'text' }] });
      store.collections.create({
        name: 'shows',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'starts', type: 'date', indexed: true },
          { name: 'venue', type: 'relation', collection: 'venues' },
          { name: 'code', type: 'text', unique: true, indexed: true },
        ],
      });
    });
    expect(indexes()).toEqual([
      'i_shows_account_created',
      'i_shows_created',
      'sqlite_autoindex_r_shows_1',
      'u_shows_code',
      'x_shows_starts',
      'x_shows_venue',
    ]);
    expect(
      plan("SELECT * FROM r_shows WHERE account = 'default' AND starts > '2026' ORDER BY starts"),
    ).toContain('USING INDEX x_shows_starts');

    // Rename one indexed field and drop the other: no error, and the index follows the name.
    store.mutateSchema(() =>
      store.collections.update('shows', {
        fields: [
          { name: 'title', type: 'text', indexed: true },
          { name: 'begins', type: 'date', indexed: true, previous_name: 'starts' },
          { name: 'code', type: 'text', unique: true },
        ],
      }),
    );
    expect(indexes()).toEqual([
      'i_shows_account_created',
      'i_shows_created',
      'sqlite_autoindex_r_shows_1',
      'u_shows_code',
      'x_shows_begins',
      'x_shows_title',
    ]);
  });
});
