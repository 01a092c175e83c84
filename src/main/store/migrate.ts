import type { Db } from './db';
import { migrations } from './migrations';

/** A numbered schema step: a pure function of the database, run inside the runner's transaction. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Db) => void;
}

/**
 * Brings the database to the newest version: checks the steps are in order, refuses a
 * database written by newer code, and runs every pending step in one transaction.
 */
export function migrate(db: Db, steps: Migration[] = migrations): number {
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]!.version <= steps[i - 1]!.version) {
      throw new Error(`migrations out of order: ${steps[i - 1]!.name} then ${steps[i]!.name}`);
    }
  }
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = steps.at(-1)?.version ?? 0;
  if (current > newest) {
    throw new Error(
      `the database is at schema version ${current}, newer than this Switchboard (${newest}); upgrade Switchboard`,
    );
  }
  const pending = steps.filter((s) => s.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const step of pending) step.up(db);
    db.pragma(`user_version = ${newest}`);
  })();
  return newest;
}
