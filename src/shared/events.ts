/**
 * The event every mutation emits, before any dialect encodes it (DESIGN.md "Events").
 * Presence events (user.joined, user.left, and the native extension user.state) are
 * ephemeral: they are not in the outbox and carry no seq.
 */

export const EVENT_TYPES = [
  'record.created',
  'record.updated',
  'record.deleted',
  'collection.created',
  'collection.updated',
  'collection.deleted',
  'user.joined',
  'user.left',
  'user.state',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** One committed change, as the outbox stores it and the hub fans it out. */
export interface HubEvent {
  seq: number;
  type: EventType;
  collection?: string;
  record_id?: string;
  data?: Record<string, unknown>;
  previous?: Record<string, unknown>;
  account: string;
  actor?: string;
  timestamp: string;
  trace_id?: string;
}
