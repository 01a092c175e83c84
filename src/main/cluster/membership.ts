import type { Hub, PresenceRelay } from '../realtime/hub';
import { ClusterPresence } from './cluster-presence';
import { connInfo } from './presence-data';
import { Registry } from './registry';

/** This instance's place in a cluster: listed in the registry, its connections in the shared presence. */
export interface ClusterMembership {
  readonly registry: Registry;
  readonly presence: ClusterPresence;
  stop(): Promise<void>;
}

/**
 * Registers this instance and joins cluster-wide presence: from here on `user.joined` and
 * `user.left` mean the first and last connection anywhere, and come from the cluster.
 */
export async function joinCluster(opts: {
  url: string;
  role: 'primary' | 'edge';
  address: string;
  hub: Hub;
  log: (line: string) => void;
}): Promise<ClusterMembership> {
  const { hub } = opts;
  const onLog = (e: { message: string }) => opts.log(`cluster: ${e.message}`);
  const registry = new Registry({
    url: opts.url,
    // note: a stable id per address, so a restarted instance clears its previous life's connections at once.
    id: `${opts.role}@${new URL(opts.address).host}`,
    role: opts.role,
    address: opts.address,
    load: () => ({ connections: hub.connections.size, events_per_s: hub.rates.current.events_per_s }),
    onLog,
  });
  await registry.start();
  const presence = new ClusterPresence({ registry, onEvent: (ev) => hub.fanout(ev), onLog });
  try {
    await presence.start();
  } catch (e) {
    await registry.stop();
    throw e;
  }
  const relay: PresenceRelay = {
    connectionJoined: (conn) => {
      const info = connInfo(conn);
      if (info) presence.connectionJoined(info);
    },
    connectionLeft: (id) => presence.connectionLeft(id),
    stateChanged: (change) => presence.stateChanged(change),
  };
  hub.setPresenceRelay(relay);
  return {
    registry,
    presence,
    async stop() {
      hub.clearPresenceRelay(relay);
      await presence.stop();
      await registry.stop();
    },
  };
}
