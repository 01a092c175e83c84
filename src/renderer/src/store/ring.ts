/**
 * A fixed-capacity ring buffer for every list that grows live (events, frames, log lines): pushing past
 * capacity drops the oldest item, so memory stays bounded however long the console runs. Immutable-friendly:
 * `push` mutates, `toArray` copies; keep a `version` in the store to make React notice changes.
 */
export class Ring<T> {
  private readonly items: (T | undefined)[];
  private start = 0;
  private count = 0;
  /** How many items were ever pushed (also counts the dropped ones). */
  total = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ring capacity must be >= 1, got ${capacity}`);
    this.items = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Appends items, dropping the oldest beyond capacity. */
  push(...values: T[]): void {
    for (const v of values) {
      const end = (this.start + this.count) % this.capacity;
      this.items[end] = v;
      if (this.count < this.capacity) this.count++;
      else this.start = (this.start + 1) % this.capacity;
      this.total++;
    }
  }

  /** The i-th item, oldest first (undefined out of range). */
  at(i: number): T | undefined {
    if (i < 0 || i >= this.count) return undefined;
    return this.items[(this.start + i) % this.capacity];
  }

  /** The items, oldest first. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.items[(this.start + i) % this.capacity] as T);
    return out;
  }

  /** How many pushed items were dropped for lack of room. */
  get dropped(): number {
    return this.total - this.count;
  }

  clear(): void {
    this.items.fill(undefined);
    this.start = 0;
    this.count = 0;
  }
}
