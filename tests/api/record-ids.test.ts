import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/main/store/migrate';
import { migrations } from '../../src/main/store/migrations';
import { tempDir, userClient } from '../helpers/server';
import { createCollection, createRecord, uniq, useServer } from './support';
import { join } from 'node:path';

// Record ids are unique per account: a custom id taken in another account tells the caller nothing.

const env = useServer();
const recs = (name: string) => `/api/v1/collections/${name}/records`;

describe('ids per account', () => {
  it('lets two accounts use the same custom id without learning of each other', async () => {
    const name = uniq('ids');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const a = await userClient(env.admin, `ids-a-${name}@test.local`, 'editor', 'ids-a');
    const b = await userClient(env.admin, `ids-b-${name}@test.local`, 'editor', 'ids-b');
    await createRecord(a, name, { id: 'home', title: 'A home' });
    // B's create with the same id succeeds: no 409 reveals that A holds 'home'.
    const rb = await b.post(recs(name), { id: 'home', title: 'B home' });
    expect(rb.status).toBe(201);
    // Within an account an id is still taken.
    const again = await b.post(recs(name), { id: 'home', title: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: 'A record with this id already exists.',
      details: { id: 'taken' },
    });
    expect((await a.get(`${recs(name)}/home`)).body.title).toBe('A home');
    expect((await b.get(`${recs(name)}/home`)).body.title).toBe('B home');
    // Writes stay in the caller's account.
    expect((await b.patch(`${recs(name)}/home`, { title: 'B2' })).status).toBe(200);
    expect((await a.get(`${recs(name)}/home`)).body.title).toBe('A home');
    expect((await b.del(`${recs(name)}/home`)).status).toBe(204);
    expect((await a.get(`${recs(name)}/home`)).status).toBe(200);
    await createRecord(b, name, { id: 'home', title: 'B3' });

    // The superuser names the account when several hold the id.
    const amb = await env.admin.get(`${recs(name)}/home`);
    expect(amb.status).toBe(409);
    expect(amb.body.error.details).toEqual({ accounts: ['ids-a', 'ids-b'] });
    expect((await env.admin.get(`${recs(name)}/home?account=ids-b`)).body.title).toBe('B3');
    expect((await env.admin.patch(`${recs(name)}/home?account=ids-a`, { title: 'A2' })).status).toBe(200);
    expect((await a.get(`${recs(name)}/home`)).body.title).toBe('A2');
    // The batch endpoint follows the same key.
    const batch = await a.post(`${recs(name)}/batch?dry_run=1`, {
      records: [{ id: 'home' }, { id: 'fresh' }],
    });
    expect(batch.body).toEqual({ valid: 1, errors: [{ index: 0, errors: { id: 'taken' } }] });
  });

  it("counts each collection's records the caller may list in GET /collections", async () => {
    const name = uniq('cnt');
    await createCollection(env.admin, {
      name,
      fields: [{ name: 'title', type: 'text' }],
      rules: { list: { title: 'mine' }, view: 'auth', create: 'auth', update: 'auth', delete: 'auth' },
    });
    const editor = await userClient(env.admin, `cnt-${name}@test.local`, 'editor', 'cnt-t');
    await env.admin.post(`${recs(name)}/batch`, {
      records: [{ title: 'mine' }, { title: 'x' }, { title: 'y' }],
    });
    await editor.post(`${recs(name)}/batch`, { records: [{ title: 'mine' }, { title: 'mine' }] });
    const find = (r: { body: { items: { name: string; count: number | null }[] } }) =>
      r.body.items.find((c) => c.name === name)!.count;
    expect(find(await env.admin.get('/api/v1/collections'))).toBe(5);
    expect(find(await editor.get('/api/v1/collections'))).toBe(0 + 2);
    const secret = uniq('cnt');
    await createCollection(env.admin, { name: secret, fields: [{ name: 'x', type: 'text' }] });
    const list = await editor.get('/api/v1/collections');
    expect(list.body.items.find((c: { name: string }) => c.name === secret).count).toBeNull();
  });
});

describe('migration 0030', () => {
  it('rebuilds record tables keyed by (id, account), keeping rows, rowids and indexes', () => {
    const db = new Database(join(tempDir('sb-mig-'), 'db.sqlite'));
    migrate(
      db,
      migrations.filter((m) => m.version <= 20),
    );
    db.exec(
      `INSERT INTO collections (name, fields, rules, created_at, updated_at) VALUES ('posts', '[]', '{}', 'x', 'x')`,
    );
    db.exec(
      `CREATE TABLE r_posts (id TEXT PRIMARY KEY, account TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, title TEXT, n REAL)`,
    );
    db.exec(`CREATE INDEX i_posts_account_created ON r_posts (account, created_at)`);
    db.exec(`CREATE UNIQUE INDEX u_posts_title ON r_posts (account, title)`);
    db.exec(
      `INSERT INTO r_posts (rowid, id, account, created_at, updated_at, title, n) VALUES (5, 'b', 'default', 't1', 't1', 'B', 1), (9, 'a', 'other', 't2', 't2', 'A', 2)`,
    );
    expect(
      migrate(
        db,
        migrations.filter((m) => m.version <= 30),
      ),
    ).toBe(30);
    expect(db.prepare('SELECT rowid, * FROM r_posts ORDER BY rowid').all()).toEqual([
      { rowid: 5, id: 'b', account: 'default', created_at: 't1', updated_at: 't1', title: 'B', n: 1 },
      { rowid: 9, id: 'a', account: 'other', created_at: 't2', updated_at: 't2', title: 'A', n: 2 },
    ]);
    db.exec(
      `INSERT INTO r_posts (id, account, created_at, updated_at, title) VALUES ('b', 'other', 't', 't', 'C')`,
    );
    expect(() =>
      db.exec(`INSERT INTO r_posts (id, account, created_at, updated_at) VALUES ('b', 'other', 't', 't')`),
    ).toThrow(/UNIQUE constraint failed: r_posts.id, r_posts.account/);
    expect(() =>
      db.exec(
        `INSERT INTO r_posts (id, account, created_at, updated_at, title) VALUES ('z', 'other', 't', 't', 'C')`,
      ),
    ).toThrow(/u_posts_title|r_posts.account, r_posts.title/);
    const idx = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'r_posts' AND sql IS NOT NULL ORDER BY name",
      )
      .pluck()
      .all();
    expect(idx).toEqual(['i_posts_account_created', 'u_posts_title']);
    db.close();
  });
});
