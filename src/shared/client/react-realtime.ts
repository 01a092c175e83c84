/**
 * `useRealtime(baseUrl, token)`: FastCMS's React hook (fastcms-realtime.txt, "React Hook Example"), same
 * signature and semantics, so code written for FastCMS drops in. It opens its own native WebSocket on
 * mount and closes it on unmount; `subscribe(collection, filter)` sends only while connected;
 * `onEvent(collection, eventType, callback)` calls `callback(message.data)` for each matching event
 * and returns the function that removes it; pings are answered.
 *
 * Beyond the original, never changing what working code sees: a dropped connection reconnects with
 * backoff (`isConnected` goes false, then true again), the collections subscribed on it are subscribed
 * again with `since` (the native resume) so nothing is missed, and an event seen twice is delivered once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  type ClientEvent,
  type WebSocketConstructor,
  type WebSocketLike,
} from './index';

/** What {@link useRealtime} returns (as FastCMS's hook). */
export interface RealtimeHook {
  isConnected: boolean;
  subscribe: (collection: string, filter?: Record<string, unknown> | null) => void;
  onEvent: (collection: string, eventType: string, callback: (data: ClientEvent) => void) => () => void;
}

const OPEN = 1;

/** FastCMS's `useRealtime(baseUrl, token = null)`; see the module comment. */
export function useRealtime(baseUrl: string, token: string | null = null): RealtimeHook {
  const [isConnected, setIsConnected] = useState(false);
  const wsRef = useRef<WebSocketLike | null>(null);
  const listenersRef = useRef(new Map<string, ((data: ClientEvent) => void)[]>());
  // collection -> the filter JSON sent, for the resubscribe after a reconnect.
  const subsRef = useRef(new Map<string, string>());
  const lastSeqRef = useRef(0);

  useEffect(() => {
    const wsUrl = baseUrl.replace('http', 'ws');
    const url = token ? `${wsUrl}/api/v1/ws/realtime?token=${token}` : `${wsUrl}/api/v1/ws/realtime`;
    let stopped = false;
    let attempt = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const subs = subsRef.current;
    subs.clear();
    lastSeqRef.current = 0;

    const connect = (): void => {
      const WS = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (!WS) return;
      const ws = new WS(url);
      wsRef.current = ws;
      ws.onopen = () => {
        attempt = 0;
        for (const [collection, filter] of subs) {
          const frame: Record<string, unknown> = {
            action: 'subscribe',
            collection,
            filter: JSON.parse(filter),
          };
          if (lastSeqRef.current > 0) frame.since = lastSeqRef.current;
          ws.send(JSON.stringify(frame));
          markSent(ws, collection);
        }
        setIsConnected(true);
      };
      ws.onclose = () => {
        if (wsRef.current === ws) wsRef.current = null;
        setIsConnected(false);
        if (stopped) return;
        retry = setTimeout(connect, backoffDelay(attempt++, DEFAULT_BACKOFF));
      };
      ws.onmessage = (event: { data: unknown }) => {
        let message: { type?: string; data?: ClientEvent };
        try {
          message = JSON.parse(String(event.data)) as typeof message;
        } catch {
          return;
        }
        if (message.type === 'ping') {
          ws.send(JSON.stringify({ action: 'pong' }));
          return;
        }
        if (message.type === 'event' && message.data) {
          const seq = message.data.seq;
          if (typeof seq === 'number') {
            if (seq <= lastSeqRef.current) return;
            lastSeqRef.current = seq;
          }
          const key = `${message.data.collection}:${message.data.type}`;
          listenersRef.current.get(key)?.forEach((cb) => cb(message.data!));
        }
      };
    };
    connect();

    return () => {
      stopped = true;
      clearTimeout(retry);
      wsRef.current?.close();
      wsRef.current = null;
    };
  }, [baseUrl, token]);

  const subscribe = useCallback((collection: string, filter: Record<string, unknown> | null = null) => {
    const ws = wsRef.current;
    if (ws?.readyState !== OPEN) return;
    const key = JSON.stringify(filter);
    // note: already subscribed alike on this connection (e.g. resubscribed after a reconnect): sending
    // it again would restart the subscription and cut a resume short.
    if (subsRef.current.get(collection) === key && sentOn.get(ws)?.has(collection)) return;
    subsRef.current.set(collection, key);
    markSent(ws, collection);
    ws.send(JSON.stringify({ action: 'subscribe', collection, filter }));
  }, []);

  const onEvent = useCallback(
    (collection: string, eventType: string, callback: (data: ClientEvent) => void) => {
      const key = `${collection}:${eventType}`;
      if (!listenersRef.current.has(key)) listenersRef.current.set(key, []);
      listenersRef.current.get(key)!.push(callback);
      return () => {
        const listeners = listenersRef.current.get(key);
        const index = listeners?.indexOf(callback) ?? -1;
        if (index > -1) listeners!.splice(index, 1);
      };
    },
    [],
  );

  return { isConnected, subscribe, onEvent };
}

/** Which collections each socket has been sent a subscribe for. */
const sentOn = new WeakMap<WebSocketLike, Set<string>>();
function markSent(ws: WebSocketLike, collection: string): void {
  let set = sentOn.get(ws);
  if (!set) sentOn.set(ws, (set = new Set()));
  set.add(collection);
}
