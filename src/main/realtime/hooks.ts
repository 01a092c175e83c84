import type { Connection, Subscription } from './types';

/** In-process hooks, named as SnackBase names them; the monitor feed and logging use them. */
export interface RealtimeHooks {
  on_realtime_connect: (c: Connection) => void;
  on_realtime_authenticate: (c: Connection) => void;
  on_realtime_disconnect: (c: Connection, code: number, reason: string) => void;
  on_realtime_subscribe: (c: Connection, s: Subscription) => void;
  on_realtime_unsubscribe: (c: Connection, key: string) => void;
  on_realtime_message: (c: Connection, message: unknown) => void;
}

type Listeners = { [K in keyof RealtimeHooks]: Set<RealtimeHooks[K]> };

/** A typed registry of hook listeners; a listener that throws is reported, never propagated. */
export class Hooks {
  private readonly listeners: Listeners = {
    on_realtime_connect: new Set(),
    on_realtime_authenticate: new Set(),
    on_realtime_disconnect: new Set(),
    on_realtime_subscribe: new Set(),
    on_realtime_unsubscribe: new Set(),
    on_realtime_message: new Set(),
  };

  constructor(private readonly onError: (e: unknown) => void) {}

  on<K extends keyof RealtimeHooks>(name: K, fn: RealtimeHooks[K]): () => void {
    (this.listeners[name] as Set<RealtimeHooks[K]>).add(fn);
    return () => (this.listeners[name] as Set<RealtimeHooks[K]>).delete(fn);
  }

  /** True when someone listens, so callers can skip building arguments. */
  has(name: keyof RealtimeHooks): boolean {
    return this.listeners[name].size > 0;
  }

  emit<K extends keyof RealtimeHooks>(name: K, ...args: Parameters<RealtimeHooks[K]>): void {
    for (const fn of this.listeners[name] as Set<(...a: Parameters<RealtimeHooks[K]>) => void>) {
      try {
        fn(...args);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
