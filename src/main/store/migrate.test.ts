import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, type Migration } from './migrate';
import { migrations } from './migrations';

const step = (version: number, sql: string): Migration => ({
  version,
  name: `${version}`,
  up: (db) => db.exec(sql),
});

describe('migrate', () => {
  it('runs every pending step and records the version', () => {
    const db = new Database(':memory:');
    expect(migrate(db, [step(10, 'CREATE TABLE a (x)'), step(20, 'CREATE TABLE b (y)')])).toBe(20);
    expect(db.pragma('user_version', { simple: true })).toBe(20);
    // Running again is a no-op.
    expect(migrate(db, [step(10, 'CREATE TABLE a (x)'), step(20, 'CREATE TABLE b (y)')])).toBe(20);
  });

  it('runs only the steps after the current version', () => {
    const db = new Database(':memory:');
    migrate(db, [step(10, 'CREATE TABLE a (x)')]);
    migrate(db, [step(10, 'CREATE TABLE a (x)'), step(20, 'CREATE TABLE b (y)')]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a','b')").get()).toEqual({
      n: 2,
    });
  });

  it('rolls back every pending step when one fails', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [step(10, 'CREATE TABLE a (x)'), step(20, 'NOT SQL')])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(0);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'a'").get()).toEqual({ n: 0 });
  });

  it('refuses a database newer than the code', () => {
    const db = new Database(':memory:');
    db.pragma('user_version = 99');
    expect(() => migrate(db, [step(10, 'CREATE TABLE a (x)')])).toThrow(
      'the database is at schema version 99, newer than this Switchboard (10); upgrade Switchboard',
    );
  });

  it('refuses steps out of order', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [step(20, 'SELECT 1'), step(10, 'SELECT 1')])).toThrow(
      'migrations out of order: 20 then 10',
    );
  });

  it('builds the real schema from scratch', () => {
    const db = new Database(':memory:');
    migrate(db, migrations);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'api_keys',
        'collections',
        'events',
        'schema_changes',
        'sessions',
        'settings',
        'users',
      ]),
    );
  });
});
