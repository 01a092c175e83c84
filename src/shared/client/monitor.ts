/**
 * SDK helpers for the live monitor (wire shapes in ../monitor.ts): the admin REST routes under
 * `/api/v1/monitor/…` and the feed's WebSocket URL. Environment-neutral, like the rest of the SDK.
 *
 * ```ts
 * const m = monitorApi({ url: () => base, token: () => sb.token });
 * const why = await m.explain(42, 'c_17');
 * const ws = new WebSocket(monitorFeedUrl(base, token));
 * ```
 */
import type {
  MonitorConnectionList,
  MonitorDisconnectResult,
  MonitorExplain,
  MonitorFrames,
  MonitorOutcomes,
  MonitorSendInput,
  MonitorSendResult,
} from '../monitor';
import type { MonitorHistory, MonitorReplayInput, MonitorReplayResult } from '../monitor-history';
import { apiContext, requestJson, type ApiOptions } from './rest';

/** The monitor's admin REST operations. */
export interface MonitorApi {
  /** Every connection now (cluster: every instance's). */
  connections(): Promise<MonitorConnectionList>;
  /** Recorded fan-out figures of seqs `since` < seq <= `until`. */
  outcomes(query: { since: number; until?: number; limit?: number }): Promise<MonitorOutcomes>;
  /** How event `seq` fans out to each connection (or one), naming the deciding clause. */
  explain(seq: number, connection?: string): Promise<MonitorExplain>;
  /** An inspected connection's kept frames. */
  frames(connection: string): Promise<MonitorFrames>;
  /** Closes a connection with `disconnected by an admin: <reason>`. */
  disconnect(connection: string, reason?: string): Promise<MonitorDisconnectResult>;
  /** Sends a test record to one connection or to every subscriber of a collection. */
  send(input: MonitorSendInput): Promise<MonitorSendResult>;
  /** What the event log holds now: the oldest and last seq and their times. */
  history(): Promise<MonitorHistory>;
  /** Sends past events `from_seq`..`to_seq` to one connection, as the live fan-out would (no seq). */
  replay(input: MonitorReplayInput): Promise<MonitorReplayResult>;
}

/** Where and as whom the helpers call. */
export type MonitorApiOptions = ApiOptions;

const seg = encodeURIComponent;

/** The monitor helpers on one server and token. */
export function monitorApi(options: MonitorApiOptions): MonitorApi {
  const ctx = apiContext(options);
  const get = <T>(path: string) => requestJson<T>(ctx, 'GET', path);
  return {
    connections: () => get('/api/v1/monitor/connections'),
    outcomes({ since, until, limit }) {
      const q = new URLSearchParams({ since: String(since) });
      if (until !== undefined) q.set('until', String(until));
      if (limit !== undefined) q.set('limit', String(limit));
      return get(`/api/v1/monitor/outcomes?${q}`);
    },
    explain: (seq, connection) =>
      get(`/api/v1/monitor/explain?seq=${seq}${connection ? `&connection=${seg(connection)}` : ''}`),
    frames: (id) => get(`/api/v1/monitor/connections/${seg(id)}/frames`),
    disconnect: (id, reason) =>
      requestJson(ctx, 'POST', `/api/v1/monitor/connections/${seg(id)}/disconnect`, { reason: reason ?? '' }),
    send: (input) => requestJson(ctx, 'POST', '/api/v1/monitor/send', input),
    history: () => get('/api/v1/monitor/history'),
    replay: (input) => requestJson(ctx, 'POST', '/api/v1/monitor/replay', input),
  };
}

/** The feed's WebSocket URL for a server base URL (`http` -> `ws`, `https` -> `wss`). */
export function monitorFeedUrl(baseUrl: string, token: string): string {
  const u = new URL('/api/v1/monitor', baseUrl);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.searchParams.set('token', token);
  return u.toString();
}
