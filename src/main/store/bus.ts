import type { HubEvent } from '../../shared/events';

/** A consumer of committed events, in seq order. */
export type EventListener = (events: readonly HubEvent[]) => void;

/**
 * The narrow source the hub reads from: the in-process bus here, a stream reader on an
 * edge. Listeners are called after commit; one that throws never affects the write or
 * the other listeners.
 */
export interface EventSource {
  subscribe(listener: EventListener): () => void;
}

/** The in-process event bus (`pubsub_backend: "memory"`). */
export class EventBus implements EventSource {
  private listeners = new Set<EventListener>();

  constructor(private readonly onError: (e: unknown) => void = () => {}) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly HubEvent[]): void {
    if (events.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(events);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
