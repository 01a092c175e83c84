import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createServer, type SwitchboardServer } from './server';
import { createEdgeServer } from './server/edge';

const USAGE = `usage: switchboard [--port 8000] [--host 127.0.0.1] [--data-dir ./data] [--redis URL] [ACCESS…]
       switchboard --edge --redis URL --primary http://HOST:PORT [--port P] [--host H] [ACCESS…]
ACCESS (each repeatable, or a comma list in the environment variable):
  --allowed-origin URL    an app served elsewhere that may write and open realtime connections
                          from a browser (SWITCHBOARD_ALLOWED_ORIGINS)
  --allowed-host NAME     a name the server answers to besides its own, e.g. a proxy's
                          (SWITCHBOARD_ALLOWED_HOSTS)
  --trusted-proxy ADDR    a proxy (address, CIDR or 'loopback') whose X-Forwarded-For is believed
                          (SWITCHBOARD_TRUSTED_PROXIES)
  --max-anonymous-per-address N   anonymous realtime connections per client address (200)`;

/** A comma-separated environment list. */
const envList = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The headless CLI: the same server as the desktop app, without Electron; or a cluster edge. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: process.env.SWITCHBOARD_PORT ?? '8000' },
        host: { type: 'string', default: process.env.SWITCHBOARD_HOST ?? '127.0.0.1' },
        'data-dir': { type: 'string', default: process.env.SWITCHBOARD_DATA_DIR ?? './data' },
        static: { type: 'string' },
        redis: { type: 'string', default: process.env.SWITCHBOARD_REDIS_URL },
        edge: { type: 'boolean', default: false },
        primary: { type: 'string', default: process.env.SWITCHBOARD_PRIMARY_URL },
        'allowed-origin': { type: 'string', multiple: true },
        'allowed-host': { type: 'string', multiple: true },
        'trusted-proxy': { type: 'string', multiple: true },
        'max-anonymous-per-address': {
          type: 'string',
          default: process.env.SWITCHBOARD_MAX_ANONYMOUS_PER_ADDRESS,
        },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    fail(`${(e as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(args.port);
  if (!/^\d+$/.test(args.port!) || port > 65535) fail(`invalid --port '${args.port}': use 0-65535`);
  // Flags replace the environment's list rather than add to it.
  const access = {
    allowedOrigins: args['allowed-origin'] ?? envList(process.env.SWITCHBOARD_ALLOWED_ORIGINS),
    allowedHosts: args['allowed-host'] ?? envList(process.env.SWITCHBOARD_ALLOWED_HOSTS),
    trustedProxies: args['trusted-proxy'] ?? envList(process.env.SWITCHBOARD_TRUSTED_PROXIES),
  };
  const maxAnon = args['max-anonymous-per-address'];
  // The range (from 1) is resolveConfig's to check, with every other limit.
  if (maxAnon !== undefined && !/^\d+$/.test(maxAnon))
    fail(`invalid --max-anonymous-per-address '${maxAnon}': use a whole number from 1`);
  const realtime = maxAnon === undefined ? undefined : { maxAnonymousPerAddress: Number(maxAnon) };
  let server: SwitchboardServer;
  try {
    if (args.edge) {
      if (!args.primary) fail('an edge needs --primary http://HOST:PORT (the instance that holds the data)');
      if (!args.redis) fail('an edge needs --redis URL (the stream the primary relays to)');
      server = createEdgeServer({
        redisUrl: args.redis,
        primaryUrl: args.primary,
        port,
        host: args.host!,
        realtime,
        ...access,
      });
    } else {
      const here = fileURLToPath(new URL('.', import.meta.url));
      server = createServer({
        dataDir: resolve(args['data-dir']!),
        port,
        host: args.host!,
        staticDir: resolve(args.static ?? resolve(here, '../renderer')),
        redisUrl: args.redis || undefined,
        realtime,
        ...access,
      });
    }
    await server.start();
  } catch (e) {
    fail((e as Error).message);
  }
  console.log(`listening on ${server.url}`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.stop().then(
      () => process.exit(0),
      (e) => fail(`shutdown failed: ${(e as Error).message}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

function fail(message: string): never {
  console.error(`switchboard: ${message}`);
  process.exit(1);
}

void main();
