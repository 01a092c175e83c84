/** What the rest section writes and lists, and how long each phase may run (full and --quick). */
import type { FieldInput } from '../../../src/shared/collection-validation';
import type { Bounds } from '../../lib/timing';

export const COLLECTION = 'items';
export const FIELDS: FieldInput[] = [
  { name: 'title', type: 'text', required: true },
  { name: 'category', type: 'text' },
  { name: 'price', type: 'number' },
  { name: 'published', type: 'bool' },
  { name: 'body', type: 'text' },
];
export const RULES = { list: 'auth', view: 'auth', create: 'auth', update: 'auth', delete: 'auth' } as const;
export const CATEGORIES = 20;
export const PER_PAGE = 50;
export const DEEP_PAGE = 1000;
export const CATEGORY = 'cat-07';
export const PRICE_RANGE = { $gte: 250, $lt: 300 };
export const EDITOR = { email: 'bench-editor@bench.local', password: 'bench-editor-password-1' };
export const WARMUP_WRITES = 50;
export const BIG_CACHE_MIB = 256;

export interface Plan {
  fsync: Bounds;
  commits: Bounds;
  writes: Bounds;
  writeClients: number;
  seed: number;
  seedBatch: number;
  list: Bounds;
  sql: Bounds;
}

export const FULL: Plan = {
  fsync: { count: 2000, ms: 3000 },
  commits: { count: 5000, ms: 4000 },
  writes: { count: 5000, ms: 15_000 },
  writeClients: 16,
  seed: 100_000,
  seedBatch: 10_000,
  list: { count: 200, ms: 8000 },
  sql: { count: 20, ms: 1000 },
};

export const QUICK: Plan = {
  fsync: { count: 200, ms: 500 },
  commits: { count: 300, ms: 500 },
  writes: { count: 300, ms: 2000 },
  writeClients: 16,
  seed: 60_000,
  seedBatch: 10_000,
  list: { count: 20, ms: 1500 },
  sql: { count: 5, ms: 300 },
};
