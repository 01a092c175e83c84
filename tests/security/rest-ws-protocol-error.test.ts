import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { cleanup, exited, spawnServer, tempDir, type ChildServer } from '../helpers/server';

// A WebSocket protocol error from a client (a frame over the size limit, invalid UTF-8, a bad
// opcode) makes `ws` emit 'error' on the server's socket; without a listener that is an uncaught
// exception and the whole server dies. No credential is needed: the upgrade is enough. Found by
// scripts/memory-fuzz.ts. The server runs as a child process so a crash fails this test, not the runner.

const PATHS = [
  '/api/v1/ws/realtime',
  '/api/realtime/content',
  '/api/v1/realtime/ws',
  '/ws',
  '/api/v1/monitor',
];
// note: over the default 64 KiB message limit (maxMessageBytes).
const OVERSIZE = Buffer.alloc(2 * 1024 * 1024, 0x61);

/** Opens `path` anonymously and sends one frame over the limit as soon as it is open. */
function oversize(url: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url.replace(/^http/, 'ws') + path);
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, 3_000);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.on('error', done);
    ws.on('close', done);
    ws.on('unexpected-response', (_q, res) => {
      res.resume();
      done();
    });
    ws.on('open', () => ws.send(OVERSIZE));
  });
}

describe('a WebSocket protocol error from an anonymous client', () => {
  let s: ChildServer;
  const dir = tempDir('sb-wserr-');
  beforeAll(async () => {
    s = await spawnServer(dir);
  });
  afterAll(async () => {
    if (s.proc.exitCode === null && s.proc.signalCode === null) {
      s.proc.kill('SIGTERM');
      await exited(s.proc);
    }
    cleanup(dir);
  });

  it.each(PATHS)('on %s leaves the server running', async (path) => {
    await oversize(s.url, path);
    // Give an uncaught exception the time to take the process down.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.proc.exitCode, s.output().slice(-2000)).toBeNull();
    const health = await fetch(`${s.url}/api/v1/health`).then(
      (r) => r.status,
      () => 0,
    );
    expect(health).toBe(200);
  });
});
