/**
 * A cluster as processes: a redis-server, a primary and edges, each the headless CLI in its
 * own child process on loopback, started and stopped by PID. Free of vitest and of server
 * imports, so the integration tests (through ./cluster) and the Playwright specs share it.
 */
import { startCli, type Entry, type NodeProc } from './child';
import { removeDir, tempDir } from './cleanup';
import { freePort, startRedis, type RedisOptions, type TestRedis } from './redis';

export { ROOT, runCli, type CliRun, type Entry, type NodeProc } from './child';

/** A primary: the CLI with a data dir and `--redis`. */
export interface Primary extends NodeProc {
  dataDir: string;
}

/** Starts a primary on `port` (0: any), on `dataDir` (a new temp dir when not given). */
async function startPrimary(o: {
  redisUrl: string;
  dataDir?: string;
  port?: number;
  entry?: Entry;
}): Promise<Primary> {
  const dataDir = o.dataDir ?? tempDir('sb-primary-');
  try {
    const p = await startCli(
      ['--port', String(o.port ?? 0), '--host', '127.0.0.1', '--data-dir', dataDir, '--redis', o.redisUrl],
      { entry: o.entry },
    );
    return Object.assign(p, { dataDir });
  } catch (e) {
    if (!o.dataDir) removeDir(dataDir);
    throw e;
  }
}

/** Starts an edge of the primary at `primaryUrl`. */
export function startEdge(o: {
  redisUrl: string;
  primaryUrl: string;
  port?: number;
  entry?: Entry;
}): Promise<NodeProc> {
  return startCli(
    [
      '--edge',
      '--port',
      String(o.port ?? 0),
      '--host',
      '127.0.0.1',
      '--redis',
      o.redisUrl,
      '--primary',
      o.primaryUrl,
    ],
    { entry: o.entry },
  );
}

/** A redis-server, a primary and edges, each its own process on loopback. */
export interface ClusterProcesses {
  redis: TestRedis;
  primary: Primary;
  edges: NodeProc[];
  /** SIGKILLs the primary and waits until it is gone. */
  killPrimary(): Promise<void>;
  /** Starts the primary again on the same port and data dir (SIGKILLing it first if it runs). */
  restartPrimary(): Promise<Primary>;
  /** Everything the cluster printed, for failure messages. */
  output(): string;
  /** Stops every process by PID (edges, primary, Redis) and removes the temp dirs. */
  stop(): Promise<void>;
}

/** How many edges (default 2), which CLI they run, and the Redis options. */
export type ClusterOptions = { edges?: number; entry?: Entry } & RedisOptions;

/**
 * Starts Redis, then a primary on a port picked here (so it can restart on it), then `edges`
 * edges; whatever started is stopped again if a later step fails.
 */
export async function startClusterProcesses(o: ClusterOptions = {}): Promise<ClusterProcesses> {
  const redis = await startRedis({ aof: o.aof });
  const dataDir = tempDir('sb-primary-');
  const entry = o.entry;
  const edges: NodeProc[] = [];
  let primary: Primary | undefined;
  const stop = async () => {
    await Promise.all(edges.map((e) => e.stop()));
    await primary?.stop();
    await redis.cleanup();
    removeDir(dataDir);
  };
  try {
    const port = await freePort();
    primary = await startPrimary({ redisUrl: redis.url, dataDir, port, entry });
    const primaryUrl = primary.url;
    edges.push(
      ...(await Promise.all(
        Array.from({ length: o.edges ?? 2 }, () => startEdge({ redisUrl: redis.url, primaryUrl, entry })),
      )),
    );
    const cluster: ClusterProcesses = {
      redis,
      get primary() {
        return primary!;
      },
      edges,
      async killPrimary() {
        primary!.kill('SIGKILL');
        await primary!.exited();
      },
      async restartPrimary() {
        await cluster.killPrimary();
        primary = await startPrimary({ redisUrl: redis.url, dataDir, port, entry });
        return primary;
      },
      output: () =>
        [
          `--- primary ${primary?.url}\n${primary?.output().slice(-3000)}`,
          ...edges.map((e, i) => `--- edge ${i} ${e.url}\n${e.output().slice(-3000)}`),
          `--- redis\n${redis.output().slice(-2000)}`,
        ].join('\n'),
      stop,
    };
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }
}
