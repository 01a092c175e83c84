import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createServer } from './server';

const USAGE = 'usage: switchboard --data-dir DIR [--port 8000] [--host 127.0.0.1] [--static DIR]';

/** The headless CLI: the same server as the desktop app, without Electron. */
async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: process.env.SWITCHBOARD_PORT ?? '8000' },
        host: { type: 'string', default: process.env.SWITCHBOARD_HOST ?? '127.0.0.1' },
        'data-dir': { type: 'string', default: process.env.SWITCHBOARD_DATA_DIR ?? './data' },
        static: { type: 'string' },
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
  const here = fileURLToPath(new URL('.', import.meta.url));
  const server = createServer({
    dataDir: resolve(args['data-dir']!),
    port,
    host: args.host!,
    staticDir: resolve(args.static ?? resolve(here, '../renderer')),
  });
  try {
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
