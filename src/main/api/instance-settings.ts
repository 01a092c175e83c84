import { DEFAULT_REALTIME_OPTIONS, type RealtimeOptions } from '../realtime';
import type { Store } from '../store';

/** The part of the server's resolved config the settings page shows; retention is changed in place. */
export interface InstanceConfig {
  bodyLimit: number;
  accessTtlS: number;
  retainEvents: number;
  retainMs: number;
  realtime?: Partial<RealtimeOptions>;
}

/** One setting as `GET /api/v1/settings` shows it. */
export interface SettingValue {
  value: number;
  /** `live`: a PATCH takes effect at once; `next_start`: set by a start-up flag. */
  applies: 'live' | 'next_start';
}

/** Limits, heartbeat and retention with their values. */
export interface InstanceView {
  limits: Record<string, SettingValue>;
  heartbeat: Record<string, SettingValue>;
  retention: { max_events: SettingValue; max_age_ms: SettingValue };
}

/** What the settings routes need of the instance beyond scale-out. */
export interface InstanceSettings {
  view(): InstanceView;
  /** Validated values; saved, applied to the retention loop at once, and the log trimmed now. */
  setRetention(r: { maxEvents?: number; maxAgeMs?: number }): void;
}

// note: below 100 events a reconnecting client almost always finds a gap; above 100 million the log outgrows the data.
export const RETAIN_EVENTS_RANGE = [100, 100_000_000] as const;
// note: one minute is the retention loop's period; ten years is "forever" for a venue's event log.
export const RETAIN_MS_RANGE = [60_000, 3650 * 86_400_000] as const;

const HEARTBEAT = new Set(['pingEveryMs', 'deadAfterMs', 'sweepEveryMs']);
const snake = (k: string): string => k.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
const fixed = (value: number): SettingValue => ({ value, applies: 'next_start' });

/**
 * The instance's settings over `config` (the server's resolved config object, shared by
 * reference: the retention loop reads `retainEvents`/`retainMs` on every run, so changing
 * them here applies live). Saved retention overrides the start-up values; create this
 * before the first trim at start so a longer saved retention is not cut short.
 */
export function instanceSettings(config: InstanceConfig, store: Store): InstanceSettings {
  const saved = (key: 'retain_events' | 'retain_ms'): number | undefined => {
    const v = Number(store.settings.get(key) ?? NaN);
    return Number.isInteger(v) ? v : undefined;
  };
  config.retainEvents = saved('retain_events') ?? config.retainEvents;
  config.retainMs = saved('retain_ms') ?? config.retainMs;
  return {
    view() {
      const rt: Record<string, unknown> = { ...DEFAULT_REALTIME_OPTIONS, ...config.realtime };
      const limits: Record<string, SettingValue> = {
        body_bytes: fixed(config.bodyLimit),
        access_token_ttl_s: fixed(config.accessTtlS),
      };
      const heartbeat: Record<string, SettingValue> = {};
      for (const [k, v] of Object.entries(rt)) {
        if (typeof v !== 'number') continue;
        (HEARTBEAT.has(k) ? heartbeat : limits)[snake(k)] = fixed(v);
      }
      return {
        limits,
        heartbeat,
        retention: {
          max_events: { value: config.retainEvents, applies: 'live' },
          max_age_ms: { value: config.retainMs, applies: 'live' },
        },
      };
    },
    setRetention({ maxEvents, maxAgeMs }) {
      if (maxEvents !== undefined) {
        store.settings.set('retain_events', String(maxEvents));
        config.retainEvents = maxEvents;
      }
      if (maxAgeMs !== undefined) {
        store.settings.set('retain_ms', String(maxAgeMs));
        config.retainMs = maxAgeMs;
      }
      store.trim({ maxEvents: config.retainEvents, maxAgeMs: config.retainMs });
    },
  };
}
