/**
 * How the cheap subscribers (ws-clients.ts, sse-clients.ts) open a connection: a bare
 * `net.Socket` whose reads land in one shared buffer and go straight to a handler (no 'data'
 * events, no Buffer per read: the cheapest way to read thousands of sockets in one process),
 * a hand-written HTTP/1.1 `GET`, and the response head read and checked before the socket is
 * handed to the client's reader.
 */
import { connect, type Socket } from 'node:net';

const HEAD_LIMIT = 16 * 1024;
// note: shared by every client; a read is consumed synchronously, and whatever must outlive it is copied.
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** What {@link openRaw} sends and expects. */
export interface RawRequest {
  /** Header lines after `Host`, each ending in CRLF. */
  headers: string;
  /** What errors call this step (`handshake`, `response`). */
  what: string;
  timeoutMs: number;
  /** Why the response head (text up to the blank line) is not the expected one; `after` is the first bytes past it. */
  check(head: string, after: Buffer): string | undefined;
}

/** The client a socket is handed to once its head has passed: its reader and what to do when the socket closes. */
export interface RawReader<C> {
  client: C;
  onData(chunk: Buffer): void;
  onClose(): void;
}

/** Connects to `url`, sends the GET, and resolves with the client `attach` makes once the response head passes. */
export function openRaw<C>(
  url: string,
  req: RawRequest,
  attach: (socket: Socket) => RawReader<C>,
): Promise<C> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let handler = (_chunk: Buffer) => {};
    const socket = connect({
      host: u.hostname,
      port: Number(u.port),
      onread: {
        buffer: READ_BUFFER,
        callback: (n) => {
          handler(READ_BUFFER.subarray(0, n));
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    let head: Buffer = Buffer.alloc(0);
    let done = false;
    const fail = (why: string | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      reject(typeof why === 'string' ? new Error(`${u.pathname}: ${why}`) : why);
    };
    const timer = setTimeout(() => fail(`no ${req.what} in ${req.timeoutMs} ms`), req.timeoutMs);
    socket.on('error', (e) => fail(e));
    socket.on('close', () => fail(`closed during the ${req.what}`));
    socket.on('connect', () => {
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\n${req.headers}\r\n`);
    });
    handler = (chunk: Buffer) => {
      // note: concat copies out of the shared read buffer.
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEAD_LIMIT) fail(`${req.what} head too long`);
        return;
      }
      const bad = req.check(head.subarray(0, end).toString('latin1'), head.subarray(end + 4, end + 204));
      if (bad) {
        fail(bad);
        return;
      }
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('close');
      socket.removeAllListeners('error');
      const reader = attach(socket);
      handler = (d) => reader.onData(d);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => reader.onClose());
      resolve(reader.client);
      const rest = head.subarray(end + 4);
      if (rest.length) reader.onData(rest);
    };
  });
}
