import type { WebSocket } from 'ws';
import type { Transport } from './types';

// note: after a close frame the peer gets 1 s to answer before the socket is cut.
const CLOSE_GRACE_MS = 1000;

/** A Transport over a `ws` WebSocket. `heartbeatFrame` is the dialect's ping message, if it has one. */
export class WsTransport implements Transport {
  readonly passive = false;

  constructor(
    private readonly ws: WebSocket,
    readonly dialect: string,
    readonly remote: string,
    private readonly heartbeatFrame: () => string | null,
  ) {}

  send(frame: string | Buffer): void {
    // note: a Buffer goes out as a text frame without being copied or re-encoded per socket.
    this.ws.send(frame, { binary: false });
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
    if (frame) this.ws.send(frame);
    // A protocol ping too: browsers answer it even when the page ignores JSON pings.
    this.ws.ping();
  }
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
