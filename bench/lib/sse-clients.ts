import type { Socket } from 'node:net';
import { openRaw } from './raw-socket';
import type { Tally } from './ws-clients';

/**
 * Lightweight Server-Sent Events subscribers, the SSE twin of bench/lib/ws-clients.ts: a bare
 * `net.Socket`, a hand-written `GET` (HTTP/1.1, as EventSource sends it), and a byte-level
 * reader of the chunked body that counts event frames without decoding them.
 *
 * An event is a frame whose first line is `id: …` (both the native and the SnackBase SSE
 * streams put `id: SEQ` first on every event; heartbeats are `: heartbeat` or
 * `event: heartbeat` without an id). Sampled clients also collect the frame's `data:` line
 * and hand it to {@link SseClient.sample}.
 */

const NL = 0x0a;
const CR = 0x0d;
const LETTER_I = 0x69;
const LETTER_D = 0x64;

export class SseClient {
  /** Event frames this client received. */
  events = 0;
  /** Set on a few clients: called with each event's `data:` value and its arrival time. */
  sample?: (payload: Buffer, at: number) => void;
  /** Why it closed, once it has. */
  closed?: string;

  // Chunked-body state: reading a size line, chunk data, or the CRLF after the data.
  private chunkState: 'size' | 'data' | 'crlf' = 'size';
  private chunkSize = 0;
  private chunkLeft = 0;
  // SSE state: position in the current line, whether this frame is an event, the line's first byte.
  private lineStart = true;
  private lineFirst = -1;
  private lineLen = 0;
  private frameIsEvent = false;
  private frameHasLines = false;
  private data: Buffer[] = [];

  private constructor(
    private readonly socket: Socket,
    private readonly tally: Tally,
  ) {}

  /** Opens `url` (http://host:port/path?query) as an event stream; resolves after the 200 headers. */
  static open(url: string, tally: Tally, timeoutMs: number): Promise<SseClient> {
    return openRaw(
      url,
      {
        headers: 'Accept: text/event-stream\r\nCache-Control: no-cache\r\n',
        what: 'response',
        timeoutMs,
        check: (head, after) =>
          !/^HTTP\/1\.1 200 /.test(head)
            ? `${head.split('\r\n')[0]} ${after}`
            : /^transfer-encoding:\s*chunked\s*$/im.test(head)
              ? undefined
              : 'expected a chunked event stream',
      },
      (socket) => {
        const client = new SseClient(socket, tally);
        return { client, onData: (d) => client.onData(d), onClose: () => client.onClose('none') };
      },
    );
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.closed ??= 'terminated by the bench';
    this.socket.destroy();
  }

  /** Undoes the chunked transfer coding and hands the body bytes to {@link body}. */
  private onData(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.chunkState === 'size') {
        const b = chunk[i++]!;
        if (b === NL) {
          if (this.chunkSize === 0) {
            // The last chunk: the server ended the stream.
            this.onClose('end of stream');
            this.socket.end();
            return;
          }
          this.chunkLeft = this.chunkSize;
          this.chunkSize = 0;
          this.chunkState = 'data';
        } else if (b !== CR) {
          const d = b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x57;
          if (d < 0 || d > 15) {
            this.onClose(`protocol bad chunk size byte ${b}`);
            this.socket.destroy();
            return;
          }
          this.chunkSize = this.chunkSize * 16 + d;
        }
      } else if (this.chunkState === 'data') {
        const take = Math.min(this.chunkLeft, n - i);
        this.body(chunk, i, i + take);
        i += take;
        this.chunkLeft -= take;
        if (this.chunkLeft === 0) this.chunkState = 'crlf';
      } else {
        // The CRLF after a chunk's data.
        if (chunk[i++] === NL) this.chunkState = 'size';
      }
    }
  }

  /** The SSE line scanner over body bytes [from, to) of `buf`. */
  private body(buf: Buffer, from: number, to: number): void {
    let i = from;
    while (i < to) {
      if (this.lineStart) {
        const b = buf[i]!;
        if (b === NL) {
          // A blank line: the end of a frame.
          i++;
          if (this.frameHasLines) this.endFrame();
          continue;
        }
        this.lineStart = false;
        this.lineFirst = b;
        this.lineLen = 0;
        if (!this.frameHasLines) {
          this.frameHasLines = true;
          this.frameIsEvent = b === LETTER_I;
        }
      }
      const nl = buf.indexOf(NL, i);
      const end = nl < 0 || nl >= to ? to : nl;
      if (this.sample && this.frameIsEvent && this.lineFirst === LETTER_D) {
        // `data: ` is 6 bytes; keep what follows it.
        const skip = Math.max(0, 6 - this.lineLen);
        if (i + skip < end) this.data.push(Buffer.from(buf.subarray(i + skip, end)));
      }
      this.lineLen += end - i;
      i = end;
      if (end < to) {
        i++;
        this.lineStart = true;
      }
    }
  }

  private endFrame(): void {
    if (this.frameIsEvent) {
      const at = performance.now();
      this.events++;
      this.tally.events++;
      this.tally.lastArrival = at;
      if (this.sample) this.sample(this.data.length === 1 ? this.data[0]! : Buffer.concat(this.data), at);
    }
    this.data = [];
    this.frameHasLines = false;
    this.frameIsEvent = false;
  }

  private onClose(why: string): void {
    if (this.closed) return;
    this.closed = why;
    const code = why.split(' ')[0]!;
    this.tally.closes.set(code, (this.tally.closes.get(code) ?? 0) + 1);
  }
}
