/** The rest section's data set: deterministic records with their events, written through the store as the API writes them. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Collection } from '../../../src/shared/schema';
import { Store, type Emit } from '../../../src/main/store';
import { rng } from '../../../tests/helpers/rng';
import { CATEGORIES, CATEGORY, COLLECTION, FIELDS, PRICE_RANGE, RULES } from './plan';

const LOREM =
  'Doors open at seven; the late show starts at ten. Please keep the aisles clear and phones on silent. ' +
  'Merchandise is at the back of the hall, cash and card.';

/** Record `i` of the data set: ~330 bytes of JSON. */
export function recordValue(i: number, rand: () => number, prefix = 'item') {
  return {
    title: `${prefix}-${String(i).padStart(6, '0')}`,
    category: `cat-${String(i % CATEGORIES).padStart(2, '0')}`,
    price: Math.round(rand() * 100_000) / 100,
    published: i % 3 === 0,
    body: `${LOREM} #${i}`,
  };
}

/** The bench collection, with its event, as the POST route creates it (without HTTP). */
export function createCollection(store: Store): Collection {
  return store.collections.create(
    { name: COLLECTION, fields: FIELDS, rules: { ...RULES } },
    { account: 'default' },
  );
}

/** A record and its event, as the POST route writes them (the store's own insert, without HTTP). */
export function insertWithEvent(
  store: Store,
  emit: Emit,
  c: Collection,
  value: Record<string, unknown>,
): void {
  store.records.insertIn(emit, c, value, { account: 'default' });
}

export function dirMiB(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) / 2 ** 20;
}

/** Writes `n` records with their events straight into a fresh data dir, as the API would. */
export function seed(dir: string, n: number, batch: number) {
  const store = new Store(dir);
  const rand = rng(42);
  let category = 0;
  let inRange = 0;
  let maxPrice = -Infinity;
  try {
    const c = createCollection(store);
    for (let start = 0; start < n; start += batch) {
      store.mutateNow((emit) => {
        for (let i = start; i < Math.min(n, start + batch); i++) {
          const v = recordValue(i, rand);
          if (v.category === CATEGORY) category++;
          if (v.price >= PRICE_RANGE.$gte && v.price < PRICE_RANGE.$lt) inRange++;
          maxPrice = Math.max(maxPrice, v.price);
          insertWithEvent(store, emit, c, v);
        }
      });
    }
  } finally {
    store.close();
  }
  return { category, inRange, maxPrice };
}
