import type { HubEvent } from '../../shared/events';
import type { NewEvent } from './events';

/** Appends an event to the outbox, in the transaction of the change it describes. */
export type Emit = (e: NewEvent) => HubEvent;

/** A change to the store: `emit` appends an event to the outbox in the same transaction. */
export type Mutation<T> = (emit: Emit) => T;

/** How the store's modules run their writes (the Store is one). */
export interface Writer {
  /** In the next group commit; resolves once it is durable and its events are out. */
  mutate<T>(fn: Mutation<T>): Promise<T>;
  /** Now and alone, for schema changes (in-memory definitions are re-read after). */
  mutateSchema<T>(fn: Mutation<T>): T;
}
