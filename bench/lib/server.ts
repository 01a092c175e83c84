import { startCli, type NodeProc } from '../../tests/helpers/child';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../../tests/helpers/credentials';
import { HttpClient } from './http';
import { sleep } from './timing';

export { ADMIN_EMAIL, ADMIN_PASSWORD };

// note: a first start on a data dir of 100,000 records takes a few seconds on a loaded box.
const START_TIMEOUT_MS = 30_000;
// note: a graceful stop checkpoints the WAL, which after the write phases takes a while.
const STOP_TIMEOUT_MS = 15_000;
// note: the per-request log line of src/main/server/index.ts.
const REQUEST_LINE = /^([A-Z]+ \/\S*) \d{3} ([\d.]+)ms trace=/;

/**
 * The headless server (out/main/headless.js, built from src/main/headless.ts) as a child
 * process, so its CPU is its own; started and stopped by PID (tests/helpers/child.ts).
 */
export interface ChildServer extends NodeProc {
  /**
   * The server's own time for each `route` request (`POST /api/v1/...`, no query) since the
   * last call, in ms, from its log lines
   * (`POST /api/... 201 1.4ms trace=...`: from the request handler's start to the response's finish).
   */
  takeRequestTimes(route: string): Promise<number[]>;
}

/**
 * Starts the built headless server on a free loopback port. `dataDir` null leaves `--data-dir`
 * out (a cluster edge); `extraArgs` are more CLI flags (`--redis URL`, `--edge --primary URL`).
 * Stopping sends SIGTERM (graceful: drains, checkpoints the WAL), then SIGKILL if it lingers.
 */
export async function startServer(dataDir: string | null, extraArgs: string[] = []): Promise<ChildServer> {
  let times: { route: string; ms: number }[] = [];
  const server = await startCli(
    [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      ...(dataDir === null ? [] : ['--data-dir', dataDir]),
      ...extraArgs,
    ],
    {
      // note: the built output, as `npm run serve` runs it (bench/index.ts builds it first if stale).
      entry: 'built',
      startMs: START_TIMEOUT_MS,
      stopMs: STOP_TIMEOUT_MS,
      onLine: (line) => {
        const m = REQUEST_LINE.exec(line);
        if (m) times.push({ route: m[1]!, ms: Number(m[2]) });
      },
    },
  );
  return Object.assign(server, {
    takeRequestTimes: async (route: string) => {
      // note: the last log lines may still be in the pipe when the last response arrived.
      await sleep(200);
      const t = times;
      times = [];
      return t.filter((x) => x.route === route).map((x) => x.ms);
    },
  });
}

/** A started server and its superuser, logged in. */
export interface AdminServer {
  server: ChildServer;
  admin: HttpClient;
}

/**
 * {@link startServer}, then logs the superuser in on `adminConns` keep-alive connections (the
 * preamble of every section that writes through the API). The spawn happens before the first
 * await, so a caller's NODE_OPTIONS change reaches only this child. Close `admin` and stop
 * `server` when done.
 */
export async function startWithAdmin(
  dataDir: string | null,
  extraArgs: string[] = [],
  adminConns = 1,
): Promise<AdminServer> {
  const server = await startServer(dataDir, extraArgs);
  const admin = new HttpClient(server.url, adminConns);
  try {
    await admin.login(ADMIN_EMAIL, ADMIN_PASSWORD);
  } catch (e) {
    admin.close();
    await server.stop();
    throw e;
  }
  return { server, admin };
}
