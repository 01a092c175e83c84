/**
 * FastSchema's one message per write (DIALECTS.md §2). FastSchema sends one update/delete
 * message per write, listing every record; the hub delivers one event per record (same
 * trace_id, consecutive seqs). So a FastSchema encoder makes one record's JSON, and the
 * transport holds the records of a write and sends them as one message.
 *
 * Which write a record belongs to travels with the frame: the encoder returns the record with
 * its write (a `Grouped` frame: the operation and the key), the hub hands both to the
 * transport (a fan-out shares them across the sockets of one shape; a replay step and the
 * monitor's test send pass them the same way), and the transport joins the frames of one
 * write. A frame without a write (a whole message, the echo) goes out as it is.
 * wire.test.ts holds the messages to their bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CLOSE } from '../hub';
import { projectRecord } from '../spec';
import type { Encoder, FrameGroup } from '../types';
import { WsTransport } from '../ws-transport';
import { OPERATION_OF } from './operations';

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

/** The dialect's transports holding records of a write. */
export class Writes {
  readonly holding = new Set<FastschemaTransport>();

  /** Sends what every transport holds (the hub has fanned out a commit). */
  flushAll(): void {
    for (const t of this.holding) t.flush();
  }
}

/**
 * The encoder of one FastSchema subscription: create, and anything with `id` (`single`), is a
 * whole message with one record; update and delete are one record of a write, which the
 * transport joins with the write's other records.
 */
export function fastschemaEncoder(single: boolean, select: string[] | undefined): Encoder {
  return (ev) => {
    const op = OPERATION_OF[ev.type];
    if (!op) return null;
    const record = JSON.stringify(projectRecord(ev.data, select));
    if (op === 'create' || single) return `{"event":"${op}","data":${record}}`;
    // One write is one request: its events share a trace_id (an event without one is its own write).
    return { text: record, op, key: ev.trace_id ?? `#${ev.seq}` };
  };
}

/**
 * The FastSchema transport. The records of a write are held and go out as one message when
 * the write's records end: when a frame of another write or a whole message comes (so order
 * holds), when the hub has fanned out the commit (`on_batch_end`, {@link Writes.flushAll}),
 * or at the latest at the end of the current turn (records a resume or the monitor's replay
 * sends outside a commit).
 */
export class FastschemaTransport extends WsTransport {
  /** The write whose records are held. */
  private write: FrameGroup | undefined;
  private parts: Buffer[] = [];
  private partBytes = 0;
  private scheduled = false;

  constructor(
    ws: WebSocket,
    req: IncomingMessage,
    private readonly writes: Writes,
  ) {
    // FastSchema has no heartbeat message: the protocol ping (sent by WsTransport) keeps it alive.
    super(ws, 'fastschema', req, () => null);
  }

  override send(frame: string | Buffer, write?: FrameGroup): void {
    if (!write) {
      this.flush();
      super.send(frame);
      return;
    }
    if (write.op !== this.write?.op || write.key !== this.write.key) this.flush();
    this.write = write;
    // The record is the hub's shared buffer (no copy per socket); text is made bytes here.
    const bytes = typeof frame === 'string' ? Buffer.from(frame) : frame;
    this.parts.push(bytes);
    this.partBytes += bytes.length;
    this.writes.holding.add(this);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Sends the held records of one write as one message. */
  flush(): void {
    this.writes.holding.delete(this);
    if (this.parts.length === 0 || !this.write) return;
    const chunks: Buffer[] = [Buffer.from(`{"event":"${this.write.op}","data":[`)];
    this.parts.forEach((p, i) => (i ? chunks.push(COMMA, p) : chunks.push(p)));
    chunks.push(TAIL);
    this.drop();
    this.sendOwn(Buffer.concat(chunks));
  }

  private drop(): void {
    this.writes.holding.delete(this);
    this.parts = [];
    this.partBytes = 0;
    this.write = undefined;
  }

  override bufferedAmount(): number {
    return super.bufferedAmount() + this.partBytes;
  }

  override close(code: number, reason: string): void {
    // A slow consumer gets nothing more; otherwise what was committed before the close goes out.
    if (code === CLOSE.slowConsumer.code) this.drop();
    else this.flush();
    if (code === CLOSE.tokenExpired.code) super.close(1000, 'Unauthorized: token expired');
    else super.close(code, reason);
  }
}
