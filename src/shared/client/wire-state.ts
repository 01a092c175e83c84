/** What one WebSocket connection has asked the server for and what the server has answered. */

/** Per-connection bookkeeping of the native subscriptions; cleared when the socket goes. */
export class WireState {
  /** The wire options last sent for each collection, as JSON. */
  readonly sent = new Map<string, string>();
  /** Subscriptions awaiting their `subscribed`, with the `since` they were sent with. */
  readonly pending = new Map<string, number | undefined>();
  /** Subscriptions the server confirmed. */
  readonly acked = new Set<string>();
  /**
   * Subscribes the server refused: still in `sent` (so the same options are not sent again and
   * refused again), but there is nothing to unsubscribe on the server.
   */
  readonly refused = new Set<string>();
  /**
   * Confirmed subscriptions made without `since`, i.e. live from their ack: any event the
   * connection carries moves their cursor. A resumed subscription's replay may interleave with
   * other subscriptions' live events, so only its own events move its cursor.
   */
  readonly fresh = new Set<string>();
  /**
   * Requests awaiting an answer, in the order sent. The server answers in order, so an error frame
   * without a collection belongs to the oldest request (`null` = presence).
   */
  private inflight: (string | null)[] = [];

  /** Notes a subscribe just sent for `collection` with these options and `since`. */
  subscribing(collection: string, key: string, since: number | undefined): void {
    this.forget(collection);
    this.sent.set(collection, key);
    this.pending.set(collection, since);
    this.inflight.push(collection);
  }

  /** Notes a presence update just sent. */
  presenceSent(): void {
    this.inflight.push(null);
  }

  /**
   * The server confirmed `collection`: returns the `since` it was sent with, or null when no
   * subscribe was waiting (a stale answer).
   */
  confirmed(collection: string): { since: number | undefined } | null {
    this.answered(collection);
    if (!this.pending.has(collection)) return null;
    const since = this.pending.get(collection);
    this.pending.delete(collection);
    this.acked.add(collection);
    if (since === undefined) this.fresh.add(collection);
    return { since };
  }

  /** Removes the oldest in-flight request for `collection` (null: presence); returns it. */
  answered(collection: string | null): string | null | undefined {
    const i = this.inflight.indexOf(collection);
    return i < 0 ? undefined : this.inflight.splice(i, 1)[0];
  }

  /** The collection an error frame is about: its own field, else the oldest request's. */
  errorSubject(collection: string | undefined): string | undefined {
    if (collection !== undefined) {
      this.answered(collection);
      return collection;
    }
    return this.inflight.shift() ?? undefined;
  }

  /** Forgets everything about one collection's subscription. */
  forget(collection: string): void {
    this.sent.delete(collection);
    this.pending.delete(collection);
    this.acked.delete(collection);
    this.fresh.delete(collection);
    this.refused.delete(collection);
  }

  /** Forgets everything (the socket is gone). */
  clear(): void {
    this.sent.clear();
    this.pending.clear();
    this.acked.clear();
    this.fresh.clear();
    this.refused.clear();
    this.inflight = [];
  }
}
