import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { openRaw } from './raw-socket';

/**
 * Lightweight WebSocket clients for fan-out benchmarks: thousands of them in the bench process
 * without the bench becoming the bottleneck.
 *
 * Each client is a bare `net.Socket` with a hand-written handshake and a streaming frame
 * reader that does not copy or decode payloads. Most clients only count event frames. A few
 * "sampled" ones also hand each event's payload to a callback, which parses it to measure
 * latency. Control frames are handled (a ping gets a pong, a close is recorded), so a server's
 * heartbeat keeps working.
 *
 * An event frame is told from other frames by one byte at a fixed offset ({@link Tally.eventAt},
 * {@link Tally.eventByte}): by default the first letter of its type, since every frame of the
 * native dialect starts with `{"type":"…` and only events have type `"event"`. Other dialects
 * set their own marker (bench/lib/dialect-clients.ts). Other text frames (connected,
 * subscribed, error, a JSON ping) are parsed and can be awaited with {@link WsClient.waitFor}.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Counters shared by every client of a pool (one object, so a phase reads one number). */
export class Tally {
  /**
   * A text frame is an event when its byte at `eventAt` is `eventByte`. The default, byte 9
   * = `e`: `{"type":"` is 9 bytes, so byte 9 is the type's first letter (`"event"`).
   */
  eventAt = 9;
  eventByte = 0x65;
  /** Event frames received by all clients. */
  events = 0;
  /** performance.now() of the last event frame received by any client. */
  lastArrival = 0;
  /** Connections closed after they were open, by close code ("none": the socket just ended). */
  readonly closes = new Map<string, number>();

  closeCount(): number {
    let n = 0;
    for (const v of this.closes.values()) n += v;
    return n;
  }
}

/** A text frame that is not an event, parsed. */
export type ControlMessage = { type?: unknown; data?: unknown; [k: string]: unknown };

type Waiter = { type: string; resolve: (m: ControlMessage) => void; reject: (e: Error) => void };

export class WsClient {
  /** Event frames this client received. */
  events = 0;
  /** Set on a few clients: called with each event frame's payload and its arrival time. */
  sample?: (payload: Buffer, at: number) => void;
  /** Why it closed, once it has. */
  closed?: string;
  private readonly seen = new Map<string, ControlMessage>();
  private waiters: Waiter[] = [];

  // Frame reader state.
  private readonly hdr = Buffer.alloc(10);
  private hdrLen = 0;
  private hdrNeed = 2;
  private inPayload = false;
  private remaining = 0;
  private opcode = 0;
  private fin = false;
  // The data message being read (it may span continuation frames).
  private msgOpcode = 0;
  private msgOffset = 0;
  private typeByte = -1;
  private keeping = true;
  private parts: Buffer[] = [];
  // A control frame's payload.
  private ctl: Buffer[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly tally: Tally,
  ) {}

  /** Opens a WebSocket to `url` (ws://host:port/path?query); resolves after the 101. */
  static open(url: string, tally: Tally, timeoutMs: number): Promise<WsClient> {
    const key = randomBytes(16).toString('base64');
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    const acceptLine = new RegExp(`^sec-websocket-accept:\\s*${accept.replace(/[+/]/g, '\\$&')}\\s*$`, 'im');
    return openRaw(
      url,
      {
        headers: `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n`,
        what: 'handshake',
        timeoutMs,
        check: (head, after) =>
          !/^HTTP\/1\.1 101 /.test(head)
            ? `${head.split('\r\n')[0]} ${after}`
            : acceptLine.test(head)
              ? undefined
              : 'bad Sec-WebSocket-Accept',
      },
      (socket) => {
        const client = new WsClient(socket, tally);
        return { client, onData: (d) => client.onData(d), onClose: () => client.onClose('none') };
      },
    );
  }

  /** Resolves with the first non-event message of `type` (already received or to come). */
  waitFor(type: string, timeoutMs: number): Promise<ControlMessage> {
    const got = this.seen.get(type);
    if (got) return Promise.resolve(got);
    if (this.closed) return Promise.reject(new Error(`closed before '${type}': ${this.closed}`));
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Sends a text message (masked, as a client must). */
  send(text: string): void {
    this.sendFrame(0x1, Buffer.from(text));
  }

  /** Drops the connection at once (no close handshake: the cheapest way to shed 10,000). */
  terminate(): void {
    // note: set first, so the socket's close is not counted in the tally as a server's close.
    this.closed ??= 'terminated by the bench';
    this.socket.destroy();
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    const len = payload.length;
    const h = len < 126 ? 2 : len < 65536 ? 4 : 10;
    const frame = Buffer.allocUnsafe(h + 4 + len);
    frame[0] = 0x80 | opcode;
    if (len < 126) frame[1] = 0x80 | len;
    else if (len < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(len, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(len), 2);
    }
    const mask = randomBytes(4);
    mask.copy(frame, h);
    for (let k = 0; k < len; k++) frame[h + 4 + k] = payload[k]! ^ mask[k & 3]!;
    this.socket.write(frame);
  }

  private onData(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (!this.inPayload) {
        this.hdr[this.hdrLen++] = chunk[i++]!;
        if (this.hdrLen === 2) {
          if (this.hdr[1]! & 0x80) {
            this.protocolError('masked frame from the server');
            return;
          }
          const len7 = this.hdr[1]! & 0x7f;
          this.hdrNeed = len7 === 126 ? 4 : len7 === 127 ? 10 : 2;
        }
        if (this.hdrLen < this.hdrNeed) continue;
        const len7 = this.hdr[1]! & 0x7f;
        this.remaining =
          len7 === 126 ? this.hdr.readUInt16BE(2) : len7 === 127 ? Number(this.hdr.readBigUInt64BE(2)) : len7;
        this.opcode = this.hdr[0]! & 0x0f;
        this.fin = (this.hdr[0]! & 0x80) !== 0;
        this.hdrLen = 0;
        this.hdrNeed = 2;
        this.inPayload = true;
        if (this.opcode === 0x1 || this.opcode === 0x2) {
          this.msgOpcode = this.opcode;
          this.msgOffset = 0;
          this.typeByte = -1;
          this.keeping = true;
          this.parts = [];
        }
        if (this.remaining === 0) this.endFrame();
        continue;
      }
      const take = Math.min(this.remaining, n - i);
      if (this.opcode >= 0x8) {
        this.ctl.push(Buffer.from(chunk.subarray(i, i + take)));
      } else {
        const at = this.tally.eventAt;
        if (this.typeByte < 0 && this.msgOffset <= at && this.msgOffset + take > at) {
          this.typeByte = chunk[i + at - this.msgOffset]!;
          if (this.typeByte === this.tally.eventByte && !this.sample) {
            // A counted event: nothing of it needs keeping.
            this.keeping = false;
            this.parts = [];
          }
        }
        if (this.keeping) this.parts.push(Buffer.from(chunk.subarray(i, i + take)));
        this.msgOffset += take;
      }
      i += take;
      this.remaining -= take;
      if (this.remaining === 0) this.endFrame();
    }
  }

  private endFrame(): void {
    this.inPayload = false;
    const op = this.opcode;
    if (op >= 0x8) {
      const payload = this.ctl.length === 1 ? this.ctl[0]! : Buffer.concat(this.ctl);
      this.ctl = [];
      if (op === 0x9) this.sendFrame(0xa, payload);
      else if (op === 0x8) {
        const code = payload.length >= 2 ? String(payload.readUInt16BE(0)) : 'no code';
        this.onClose(`${code} ${payload.subarray(2).toString()}`.trim());
        this.socket.end();
      }
      return;
    }
    if (!this.fin) return;
    if (this.typeByte === this.tally.eventByte) {
      const at = performance.now();
      this.events++;
      this.tally.events++;
      this.tally.lastArrival = at;
      if (this.sample) this.sample(this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts), at);
    } else if (this.msgOpcode === 0x1) {
      let m: ControlMessage;
      try {
        m = JSON.parse(Buffer.concat(this.parts).toString()) as ControlMessage;
      } catch {
        m = { type: 'unparseable' };
      }
      this.onControl(m);
    }
    this.parts = [];
  }

  private onControl(m: ControlMessage): void {
    const type = typeof m.type === 'string' ? m.type : 'untyped';
    if (!this.seen.has(type)) this.seen.set(type, m);
    if (type === 'error') {
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.reject(new Error(`error frame: ${JSON.stringify(m.data ?? m).slice(0, 200)}`));
      return;
    }
    const ready = this.waiters.filter((w) => w.type === type);
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => w.type !== type);
    for (const w of ready) w.resolve(m);
  }

  private onClose(why: string): void {
    if (this.closed) return;
    this.closed = why;
    const code = why.split(' ')[0]!;
    this.tally.closes.set(code, (this.tally.closes.get(code) ?? 0) + 1);
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.reject(new Error(`closed: ${why}`));
  }

  private protocolError(why: string): void {
    this.onClose(`protocol ${why}`);
    this.socket.destroy();
  }
}

/**
 * Opens `count` clients, at most `concurrency` handshakes at a time, each through `open(i)`
 * (which connects and waits for whatever "ready" means for that server). Bounded by count
 * and by `deadlineMs`; the first failure stops it and is thrown after the clients in flight
 * settle (the opened ones are returned through `into`, so the caller can close them).
 */
export async function openMany<T>(
  count: number,
  concurrency: number,
  deadlineMs: number,
  open: (i: number) => Promise<T>,
  into: T[],
): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  let next = 0;
  let error: Error | undefined;
  const worker = async () => {
    while (next < count && !error) {
      if (performance.now() > deadline) {
        error = new Error(`opened ${into.length} of ${count} connections in ${deadlineMs} ms`);
        return;
      }
      const i = next++;
      try {
        into.push(await open(i));
      } catch (e) {
        error ??= new Error(`connection ${i}: ${(e as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (error) throw error;
}
