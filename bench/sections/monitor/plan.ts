/** The monitor section's bounds and its variants. */
import type { BlockPlan } from '../../lib/fanout';

export interface Plan extends BlockPlan {
  subs: number;
}

export const FULL: Plan = {
  subs: 100,
  sampled: 20,
  rate: 100,
  fixedMs: 3000,
  maxCount: 3000,
  maxMs: 3000,
  writers: 8,
  rounds: 4,
  warmup: 400,
  drainMs: 15_000,
  stallMs: 3000,
  settleMs: 300,
};

export const QUICK: Plan = {
  subs: 20,
  sampled: 5,
  rate: 50,
  fixedMs: 800,
  maxCount: 200,
  maxMs: 800,
  writers: 4,
  rounds: 2,
  warmup: 20,
  drainMs: 5000,
  stallMs: 2000,
  settleMs: 100,
};

/** No watcher, one reading watcher, one paused watcher (see the section's comment). */
export type Variant = 'none' | 'watcher' | 'paused';
export const VARIANTS: Variant[] = ['none', 'watcher', 'paused'];
export const LABEL: Record<Variant, string> = {
  none: 'no watcher',
  watcher: '1 watcher',
  paused: '1 paused watcher',
};
