import type { EventType, HubEvent } from '../../shared/events';
import type { FilterNode } from '../../shared/filter';
import type { Principal } from '../auth/principal';

/**
 * Whether an update moved a record into, within or out of a filtered subscription. `hide` is a
 * `leave` because the subscriber may no longer see the record at all (its view rule or account
 * now excludes it): encoders must show it as it was, never as it is now.
 */
export type Match = 'enter' | 'stay' | 'leave' | 'hide';

/** An event as the hub delivers it: outbox events have a seq, presence events do not. */
export type LiveEvent = Omit<HubEvent, 'seq'> & { seq?: number };

/** The wire side of one connection: a dialect's thin adapter over a WebSocket or an SSE response. */
export interface Transport {
  readonly dialect: string;
  readonly remote: string;
  /** A passive transport (SSE) never sends to us; the sweep leaves it to TCP to detect death. */
  readonly passive: boolean;
  /**
   * Sends one encoded frame: text, or its UTF-8 bytes prepared once for many connections. A
   * frame with a `group` (see {@link Grouped}) may be held and sent joined with the rest of its
   * group; a transport that does not join frames ignores it.
   */
  send(frame: string | Buffer, group?: FrameGroup): void;
  /**
   * Holds sends back until `uncork`, so the frames of one turn leave in one write (one
   * syscall per connection, not per frame). Optional: a transport without them writes at once.
   */
  cork?(): void;
  uncork?(): void;
  /** Bytes queued and not yet written to the socket. */
  bufferedAmount(): number;
  /** Closes with a code and reason the client can read (SSE ends the response). */
  close(code: number, reason: string): void;
  /** The dialect's heartbeat frame. */
  heartbeat(): void;
}

/**
 * Frames a transport sends together as one message: FastSchema's write, named by its operation
 * (the message's `event`) and told apart by its key (the request's trace_id).
 */
export interface FrameGroup {
  readonly op: string;
  readonly key: string;
}

/**
 * An encoded frame that joins a group: its text, and the group it joins. The frame is its own
 * group, so it costs one small object per encoding.
 */
export interface Grouped extends FrameGroup {
  readonly text: string;
}

/**
 * Turns an event into this subscription's frame: its text, or (a dialect whose transport joins
 * frames) the text with its group; null sends nothing.
 */
export type Encoder = (ev: LiveEvent, match: Match | undefined) => string | Grouped | null;

/** What a dialect asks the hub to subscribe. */
export interface SubscriptionSpec {
  /** Identity within the connection: subscribing again with the same key replaces. */
  key: string;
  /** A collection name, or '*' for every collection plus schema and presence events. */
  collection: string;
  filter?: FilterNode;
  events?: ReadonlySet<EventType>;
  recordId?: string;
  /** Deliver `leave` when an update takes a record out of the filter (native live queries). */
  leaves: boolean;
  /** Replay events after this seq before going live. */
  since?: number;
  /** Frames are cached per event under this shape, so equal subscriptions share one encoding. */
  shape: string;
  encode: Encoder;
  /** Presence events (user.joined/left) reach this subscription. */
  presence: boolean;
  /**
   * After a `since` replay has caught up: every event up to `lastSeq` that this subscription
   * should see has been sent (the native dialect tells the client, so its cursor can move).
   */
  onReplayed?: (lastSeq: number) => void;
}

/** A live subscription inside the hub. */
export interface Subscription extends SubscriptionSpec {
  conn: Connection;
  /** Replay in progress: live events wait here, in order. */
  pending?: LiveEvent[];
  lastSeq: number;
}

/** One client connection, whatever its dialect. */
export interface Connection {
  readonly id: string;
  readonly transport: Transport;
  principal: Principal | null;
  readonly subs: Map<string, Subscription>;
  readonly connectedAt: number;
  lastSeen: number;
  presenceState?: Record<string, unknown>;
  expiryTimer?: NodeJS.Timeout;
  closed: boolean;
  /**
   * A credential came with the connection (e.g. `?token=`) and is still being checked: who it
   * belongs to, and so its account, is not known yet.
   */
  authPending: boolean;
  messagesIn: number;
  messagesOut: number;
  /** Payload bytes received and sent (the hub's counters, per connection). */
  bytesIn: number;
  bytesOut: number;
  /**
   * Set only while an admin inspects the connection (monitor frames): sees every frame in
   * (as `ws` hands it over) and out (as the hub hands it to the transport).
   */
  tap?: (direction: 'in' | 'out', frame: unknown) => void;
}

/** Where a resume reads the past: the outbox here, the stream on an edge. */
export interface EventHistory {
  since(seq: number, limit: number): HubEvent[] | Promise<HubEvent[]>;
  hasGapAfter(seq: number): boolean | Promise<boolean>;
  oldestSeq(): number | Promise<number>;
  lastSeq(): number | Promise<number>;
}
