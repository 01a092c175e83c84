import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createServer, type SwitchboardServer } from './server';
import { createEdgeServer } from './server/edge';

const USAGE = `usage: switchboard [--port 8000] [--host 127.0.0.1] [--data-dir ./data] [--redis URL]
       switchboard --edge --redis URL --primary http://HOST:PORT [--port P] [--host H]`;

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
  let server: SwitchboardServer;
  try {
    if (args.edge) {
      if (!args.primary) fail('an edge needs --primary http://HOST:PORT (the instance that holds the data)');
      if (!args.redis) fail('an edge needs --redis URL (the stream the primary relays to)');
      server = createEdgeServer({ redisUrl: args.redis, primaryUrl: args.primary, port, host: args.host! });
    } else {
      const here = fileURLToPath(new URL('.', import.meta.url));
      server = createServer({
        dataDir: resolve(args['data-dir']!),
        port,
        host: args.host!,
        staticDir: resolve(args.static ?? resolve(here, '../renderer')),
        redisUrl: args.redis || undefined,
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
