import type { Subscription, Connection } from './types';

/** Where the hub reports connections joining and leaving a cluster's presence. */
export interface PresenceRelay {
  connectionJoined(conn: Connection): void;
  connectionLeft(connectionId: string): void;
  stateChanged(change: { connectionId: string; state: Record<string, unknown> }): void;
}

/** Every realtime limit and timer; all are settings (tests use short ones). */
export interface HubOptions {
  pingEveryMs: number;
  deadAfterMs: number;
  sweepEveryMs: number;
  maxSubscriptions: number;
  maxConnections: number;
  maxConnectionsPerUser: number;
  /** A connection with more than this many bytes queued is a slow consumer and is closed. */
  maxBufferedBytes: number;
}

export const DEFAULT_HUB_OPTIONS: HubOptions = {
  pingEveryMs: 30_000,
  deadAfterMs: 90_000,
  sweepEveryMs: 60_000,
  maxSubscriptions: 100,
  // note: 10,000 idle connections fit in well under 300 MB; 20,000 leaves headroom.
  maxConnections: 20_000,
  maxConnectionsPerUser: 50,
  // note: 4 MiB is thousands of events; a client that far behind should resume from its seq.
  maxBufferedBytes: 4 * 1024 * 1024,
};

/** Close codes the hub uses (dialects may map them). */
export const CLOSE = {
  tokenExpired: { code: 4001, reason: 'token expired' },
  revoked: { code: 4001, reason: 'token revoked' },
  slowConsumer: { code: 1013, reason: 'slow consumer' },
  tooManyForUser: { code: 1013, reason: 'too many connections for this user' },
  heartbeat: { code: 4000, reason: 'heartbeat timeout' },
  shutdown: { code: 1001, reason: 'server shutting down' },
} as const;

/** The result of a subscribe: ok, or an error the dialect reports in its own words. */
export type SubscribeResult =
  | { ok: true; sub: Subscription; lastSeq: number }
  | {
      ok: false;
      code: 'too_many_subscriptions' | 'forbidden' | 'not_found' | 'resume_gap';
      message: string;
      details?: Record<string, unknown>;
    };
