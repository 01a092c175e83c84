/**
 * The app's subscriptions, grouped by collection (the native dialect allows one subscription per
 * collection per connection), with each group's resume cursor and each handler's dedupe mark.
 */
import type { FilterResolver } from './filters';
import { matchEvent, PRESENCE } from './matcher';
import type { ClientErrorInfo, ClientEvent, EventHandler, SubscribeFrame, SubscribeOptions } from './types';

/** One `subscribe()` call. */
export interface Handler {
  readonly collection: string;
  readonly options: SubscribeOptions;
  readonly fn: EventHandler;
  /** The highest seq delivered for this handler: nothing at or below it is delivered again. */
  lastSeq: number;
  /** Resolves once the server confirmed the subscription (or polling has its cursor); rejects if refused. */
  readonly ready: Promise<void>;
  /** Settles `ready`; cleared once used. */
  settle?: { resolve: () => void; reject: (e: Error) => void };
}

/** A subscription the server refused (`forbidden`, `not_found`, `invalid_filter`, …). */
export class SubscriptionError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly collection: string,
  ) {
    super(message);
    this.name = 'SubscriptionError';
  }
}

/** All handlers of one collection: one wire subscription. */
interface Group {
  readonly collection: string;
  readonly handlers: Set<Handler>;
  /** Every event of this group up to this seq has been seen: resubscribe with `since` = cursor. */
  cursor?: number;
}

/** What goes on the wire for a group (without `since`). */
export type WireOptions = Omit<SubscribeFrame, 'action' | 'since'>;

const same = (values: unknown[]): boolean =>
  values.every((v) => JSON.stringify(v) === JSON.stringify(values[0]));

/** The app's subscriptions, and the one place events are routed, deduplicated and delivered. */
export class SubscriptionBook {
  readonly groups = new Map<string, Group>();
  private wire = new Map<Group, WireOptions>();

  constructor(
    private readonly resolver: FilterResolver,
    private readonly report: (e: ClientErrorInfo) => void,
  ) {}

  /** Adds a handler; it will see events with a seq above its group's current cursor. */
  add(collection: string, options: SubscribeOptions, fn: EventHandler): Handler {
    let group = this.groups.get(collection);
    if (!group) {
      // note: a group that joins while '*' carries everything starts where '*' is.
      group = { collection, handlers: new Set(), cursor: this.groups.get('*')?.cursor };
      this.groups.set(collection, group);
    }
    let settle: Handler['settle'];
    const ready = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // note: an app that never awaits `ready` must not see an unhandled rejection.
    ready.catch(() => {});
    const handler: Handler = {
      collection,
      options: { ...options },
      fn,
      lastSeq: group.cursor ?? 0,
      ready,
      settle,
    };
    group.handlers.add(handler);
    this.wire.clear();
    return handler;
  }

  /** Removes a handler and, with its last handler, its group. */
  remove(handler: Handler): void {
    const group = this.groups.get(handler.collection);
    if (!group?.handlers.delete(handler)) return;
    this.wire.clear();
    if (group.handlers.size === 0) this.groups.delete(handler.collection);
  }

  /**
   * Whether `*` and other groups coexist. Then `*` alone goes on the wire, unrestricted, and every
   * group matches its events here: one stream, one cursor, no copies.
   */
  overlapping(): boolean {
    return this.groups.has('*') && this.groups.size > 1;
  }

  /**
   * The wire subscription for a group, or null when `*` carries it: the handlers' common filter and
   * select (else none, applied here), the union of their `events` (none if any wants all), their
   * common `id`.
   */
  wireOptions(group: Group): WireOptions | null {
    if (this.overlapping()) return group.collection === '*' ? { collection: '*' } : null;
    const cached = this.wire.get(group);
    if (cached) return cached;
    const hs = [...group.handlers].map((h) => h.options);
    const out: WireOptions = { collection: group.collection };
    // note: the server takes a filter only for a single collection; '*' filters are applied here.
    const single = group.collection !== '*' && group.collection !== PRESENCE;
    if (single && hs[0]?.filter && same(hs.map((o) => o.filter))) out.filter = hs[0].filter;
    // note: a filter applied here needs the fields a wire `select` would trim away.
    const filterHere = !out.filter && hs.some((o) => o.filter);
    if (!filterHere && hs[0]?.select && same(hs.map((o) => o.select))) out.select = hs[0].select;
    if (hs.every((o) => o.events)) out.events = [...new Set(hs.flatMap((o) => o.events!))].sort();
    if (hs[0]?.id !== undefined && hs.every((o) => o.id === hs[0]!.id)) out.id = hs[0].id;
    this.wire.set(group, out);
    return out;
  }

  /** Whether a group's filters are evaluated here (always when polling). */
  private filtersLocally(group: Group, polling: boolean): boolean {
    return polling || this.wireOptions(group)?.filter === undefined;
  }

  /** The lowest cursor of the groups that have one (where polling resumes a WebSocket session). */
  minCursor(): number | undefined {
    let min: number | undefined;
    for (const g of this.groups.values()) {
      if (g.cursor !== undefined) min = min === undefined ? g.cursor : Math.min(min, g.cursor);
    }
    return min;
  }

  /** Resolves `ready` of the group's handlers (all groups when omitted). */
  markReady(collection?: string): void {
    const groups = collection === undefined ? [...this.groups.values()] : [this.groups.get(collection)];
    for (const h of groups.flatMap((g) => (g ? [...g.handlers] : []))) {
      h.settle?.resolve();
      h.settle = undefined;
    }
  }

  /** Rejects `ready` of the group's handlers that are still waiting. */
  markFailed(collection: string, code: string, message: string): void {
    for (const h of this.groups.get(collection)?.handlers ?? []) {
      h.settle?.reject(new SubscriptionError(code, message, collection));
      h.settle = undefined;
    }
  }

  /** Moves the cursor of the named groups (all when omitted) up to `seq`. */
  advance(seq: number, collections?: Iterable<string>): void {
    const names = collections ?? this.groups.keys();
    for (const name of names) {
      const g = this.groups.get(name);
      if (g && (g.cursor === undefined || g.cursor < seq)) g.cursor = seq;
    }
  }

  /**
   * Delivers an event to every handler it concerns, at most once per seq per handler. `polling`:
   * the event comes unfiltered from the REST log, so every filter is applied here.
   */
  dispatch(event: ClientEvent, polling: boolean): void {
    for (const group of [...this.groups.values()]) {
      // note: an event without `match` did not pass a server-side filter (e.g. one in flight from
      // before the wire subscription changed), so a filtered handler checks it here.
      const filterHere = this.filtersLocally(group, polling) || event.match === undefined;
      for (const h of [...group.handlers]) {
        if (event.seq !== undefined) {
          if (event.seq <= h.lastSeq) continue;
        }
        let node;
        if (filterHere && h.options.filter && event.collection && event.type.startsWith('record.')) {
          node = this.resolver.node(event.collection, h.options.filter);
          if (!node) continue;
        }
        const out = matchEvent(event, h, node ?? undefined, this.resolver.context);
        if (!out) continue;
        if (event.seq !== undefined) h.lastSeq = event.seq;
        try {
          h.fn(out);
        } catch (e) {
          this.report({
            code: 'handler_error',
            message: (e as Error)?.message ?? String(e),
            collection: h.collection,
          });
        }
      }
    }
  }
}
