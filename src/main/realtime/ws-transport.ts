import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Transport } from './types';

// note: after a close frame the peer gets 1 s to answer before the socket is cut.
const CLOSE_GRACE_MS = 1000;

/**
 * A Transport over a `ws` WebSocket, upgraded from `req`. `heartbeatFrame` is the dialect's
 * ping message, if it has one.
 */
export class WsTransport implements Transport {
  readonly passive = false;
  readonly remote: string;
  /** The TCP socket under the WebSocket (ws writes to `req.socket`), corked while the hub batches. */
  private readonly socket: Socket;

  constructor(
    private readonly ws: WebSocket,
    readonly dialect: string,
    req: IncomingMessage,
    private readonly heartbeatFrame: () => string | null,
  ) {
    this.remote = remoteOf(req);
    this.socket = req.socket;
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    this.socket.uncork();
  }

  send(frame: string | Buffer): void {
    if (typeof frame === 'string') {
      this.ws.send(frame);
      return;
    }
    // A shared event frame: framed once for every socket and written straight to the TCP socket
    // (one chunk, no per-socket header). Safe beside ws's own writes: without compression ws
    // writes each frame whole and synchronously, so frames never interleave.
    if (this.ws.readyState !== 1) return;
    this.socket.write(textFrame(frame));
  }

  /** Sends bytes made for this socket alone (no framing cache: ws writes header and payload as they are). */
  protected sendOwn(bytes: Buffer): void {
    this.ws.send(bytes, { binary: false });
  }

  bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState >= 2) return;
    this.ws.close(code, fitReason(reason));
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  heartbeat(): void {
    if (this.ws.readyState !== 1) return;
    const frame = this.heartbeatFrame();
    // One write for both frames.
    this.socket.cork();
    try {
      if (frame) this.ws.send(frame);
      // A protocol ping too: browsers answer it even when the page ignores JSON pings.
      this.ws.ping();
    } finally {
      this.socket.uncork();
    }
  }
}

// note: a WeakMap, so a frame's bytes live exactly as long as the hub's per-event frame cache holds its payload.
const framed = new WeakMap<Buffer, Buffer>();

/**
 * An unmasked, final, uncompressed WebSocket text frame around `payload` (RFC 6455 §5.2), as a
 * server sends it; computed once per payload and shared.
 */
export function textFrame(payload: Buffer): Buffer {
  let out = framed.get(payload);
  if (out) return out;
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  out = Buffer.allocUnsafe(head + n);
  out[0] = 0x81; // FIN + opcode 1 (text)
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  payload.copy(out, head);
  framed.set(payload, out);
  return out;
}

/** The client address, honouring nothing but the socket (no proxy headers are trusted). */
export function remoteOf(req: { socket: { remoteAddress?: string; remotePort?: number } }): string {
  return `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`;
}

// note: a WebSocket close reason is at most 123 bytes (RFC 6455 §5.5); longer ones are cut.
const MAX_REASON_BYTES = 123;

/** Cuts a close reason to what a close frame can carry, on a character boundary. */
export function fitReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_REASON_BYTES) return reason;
  let out = reason;
  while (Buffer.byteLength(out) > MAX_REASON_BYTES - 3) out = out.slice(0, -1);
  return `${out}...`;
}
