import type { CredentialChange } from '../store/changes';
import type { Principal } from '../auth/principal';
import type { Connection } from './types';

// note: connections pinged per turn of the event loop; events in between are not held up.
const HEARTBEAT_SLICE = 250;

/**
 * Pings every connection, a slice at a time: with thousands of connections one loop would
 * hold up the events of that moment for as long as it takes to write them all.
 */
export function pingAll(connections: Iterable<Connection>): void {
  const all = [...connections];
  const slice = (from: number) => {
    const end = Math.min(all.length, from + HEARTBEAT_SLICE);
    for (let i = from; i < end; i++) if (!all[i]!.closed) all[i]!.transport.heartbeat();
    if (end < all.length) setImmediate(() => slice(end));
  };
  slice(0);
}

/** Connections silent since before `cutoff` (a passive transport, SSE, is left to TCP). */
export function silentSince(connections: Iterable<Connection>, cutoff: number): Connection[] {
  return [...connections].filter((c) => !c.transport.passive && c.lastSeen < cutoff);
}

/** Which callers a credential change cuts off (undefined: none). */
export function revokedBy(change: CredentialChange): ((p: Principal) => boolean) | undefined {
  switch (change.kind) {
    case 'key.deleted':
      return (p) => p.kind === 'key' && p.id === change.id;
    case 'session.revoked':
      return (p) => p.sessionId === change.id;
    case 'user.revoked':
      return (p) => p.kind === 'user' && p.id === change.id;
    default:
      return undefined;
  }
}
