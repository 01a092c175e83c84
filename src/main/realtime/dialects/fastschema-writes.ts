/**
 * FastSchema's one message per write (DIALECTS.md §2). FastSchema sends one update/delete
 * message per write, listing every record; the hub delivers one event per record (same
 * trace_id, consecutive seqs). So a FastSchema encoder makes one record's JSON, and the
 * transport holds the records of a write and sends them as one message.
 *
 * Which write a record belongs to travels beside the frame, not inside it: an encoder notes the
 * write of the event it encodes in {@link Writes.current}, and a transport reads it for each
 * event frame it is handed. That is exact because the hub encodes an event (once per frame
 * shape) and hands that event's frames to the transports in one synchronous step, one event
 * at a time (a fan-out, a replay step, the monitor's test send): the frame a transport is
 * handed is of the event encoded last. Text is never an event frame (the hub sends events as
 * bytes), so the echo goes out whole. wire.test.ts holds the messages to their bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { CLOSE } from '../hub';
import { projectRecord } from '../spec';
import type { Encoder } from '../types';
import { WsTransport } from '../ws-transport';
import { OPERATION_OF, type Operation } from './operations';

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

/** One write: its operation, and its key (the request's trace_id; an event without one is its own write). */
export interface Write {
  readonly op: Operation;
  readonly key: string;
}

/** Whether records of `op` join their write's message: update and delete, unless the subscription names one record. */
const joinsWrite = (op: Operation, single: boolean): boolean => op !== 'create' && !single;

/** What the dialect's encoders tell its transports, and the transports holding records. */
export class Writes {
  /** The write of the event encoded last: the one whose frames transports are handed now. */
  current: Write | undefined;
  readonly holding = new Set<FastschemaTransport>();

  /** Sends what every transport holds (the hub has fanned out a commit). */
  flushAll(): void {
    for (const t of this.holding) t.flush();
  }
}

/**
 * The encoder of one FastSchema subscription: create, and anything with `id` (`single`), is a
 * whole message with one record; update and delete are one record the transport joins per write.
 */
export function fastschemaEncoder(writes: Writes, single: boolean, select: string[] | undefined): Encoder {
  return (ev) => {
    const op = OPERATION_OF[ev.type];
    if (!op) return null;
    // One write is one request: its events share a trace_id.
    writes.current = { op, key: ev.trace_id ?? `#${ev.seq}` };
    const record = JSON.stringify(projectRecord(ev.data, select));
    return joinsWrite(op, single) ? record : `{"event":"${op}","data":${record}}`;
  };
}

/**
 * The FastSchema transport. The records of a write are held and go out as one message when
 * the write's records end: when a frame of another write or a whole message comes (so order
 * holds), when the hub has fanned out the commit (`on_batch_end`, {@link Writes.flushAll}),
 * or at the latest at the end of the current turn (records a resume replays outside a commit).
 */
export class FastschemaTransport extends WsTransport {
  /** The subscription names one record (`id`): every message is whole. Set with the subscription. */
  single = false;
  private write: Write | undefined;
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

  override send(frame: string | Buffer): void {
    const w = typeof frame === 'string' ? undefined : this.writes.current;
    if (!w || !joinsWrite(w.op, this.single)) {
      this.flush();
      super.send(frame);
      return;
    }
    if (w.op !== this.write?.op || w.key !== this.write.key) this.flush();
    this.write = w;
    // The record is the hub's shared buffer: no copy per socket.
    this.parts.push(frame as Buffer);
    this.partBytes += frame.length;
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
