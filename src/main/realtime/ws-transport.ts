import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import * as wsLib from 'ws';
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

// note: ws exports its frame writer (static, for broadcasts like ours), but @types/ws does not declare it.
const { Sender } = wsLib as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};
/** A server's text frame: final, unmasked, uncompressed. */
const TEXT = { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false };

// note: a WeakMap, so a frame's bytes live exactly as long as the hub's per-event frame cache holds its payload.
const framed = new WeakMap<Buffer, Buffer>();

/**
 * The WebSocket text frame around `payload`, as `ws` frames it (`Sender.frame`), in one buffer
 * so each socket gets one write; computed once per payload and shared.
 */
export function textFrame(payload: Buffer): Buffer {
  let out = framed.get(payload);
  if (!out) framed.set(payload, (out = Buffer.concat(Sender.frame(payload, TEXT))));
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
