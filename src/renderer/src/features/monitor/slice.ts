/**
 * The live monitor as the store sees it: the feed's state, counters that bump once per animation frame when
 * the big buffers (events, connections, ticks, presence log, frames — see live-data.ts) changed, the
 * presence list, the selected event's and connection's details, and whether the flow is on.
 */
import type { StateCreator } from 'zustand';
import type { HubEvent } from '../../../../shared/events';
import type { PresentUser } from '../../../../shared/admin';
import type { MonitorExplain, MonitorInstance } from '../../../../shared/monitor';
import { idle, type Resource } from '../../store/resource';
import type { AppState } from '../../store';

export interface MonitorState {
  feed: {
    status: 'idle' | 'connecting' | 'live' | 'reconnecting' | 'error';
    /** Why the feed is down, in words. */
    error: string | null;
    instance: string | null;
    instances: MonitorInstance[];
  };
  /** Bumps when the event list changed. */
  eventsVersion: number;
  paused: boolean;
  /** Events that arrived while paused. */
  newCount: number;
  /** Events being paged from the event log after a gap. */
  catchingUp: number;
  connectionsVersion: number;
  presence: PresentUser[];
  presenceLogVersion: number;
  ticksVersion: number;
  /** The open event's full record (payload, previous) from the event log. */
  event: Resource<HubEvent>;
  explain: Resource<MonitorExplain>;
  /** The connection whose frames stream in, and whether the server confirmed it. */
  inspect: { connection: string | null; status: 'idle' | 'starting' | 'on' | 'error'; error: string | null };
  framesVersion: number;
  /** The server confirmed that this console's summaries carry the flow (the Flow tab is open). */
  flowOn: boolean;
}

export interface MonitorSlice {
  monitor: MonitorState;
}

export const initialMonitor: MonitorState = {
  feed: { status: 'idle', error: null, instance: null, instances: [] },
  eventsVersion: 0,
  paused: false,
  newCount: 0,
  catchingUp: 0,
  connectionsVersion: 0,
  presence: [],
  presenceLogVersion: 0,
  ticksVersion: 0,
  event: idle(),
  explain: idle(),
  inspect: { connection: null, status: 'idle', error: null },
  framesVersion: 0,
  flowOn: false,
};

export const createMonitorSlice: StateCreator<AppState, [], [], MonitorSlice> = () => ({
  monitor: initialMonitor,
});
