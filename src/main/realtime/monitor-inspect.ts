import { MONITOR_FRAME_TEXT_MAX, MONITOR_FRAMES_KEPT, type MonitorFrame } from '../../shared/monitor';
import type { Hub } from './hub';
import type { Connection } from './types';

/** Who is told about an inspected connection's new frames. */
export type FrameSink = (frame: MonitorFrame) => void;

interface Inspection {
  conn: Connection;
  frames: MonitorFrame[];
  sinks: Set<FrameSink>;
}

/** The bytes of a frame however it came: a string, a Buffer, an ArrayBuffer or ws's fragments. */
function bytesOf(frame: unknown): Buffer {
  if (typeof frame === 'string') return Buffer.from(frame);
  if (Buffer.isBuffer(frame)) return frame;
  if (Array.isArray(frame)) return Buffer.concat(frame as Buffer[]);
  if (frame instanceof ArrayBuffer) return Buffer.from(frame);
  return Buffer.from(String(frame));
}

/** One frame as the monitor shows it: size on the wire, text cut at 4 KiB. */
export function toMonitorFrame(connection: string, direction: 'in' | 'out', frame: unknown): MonitorFrame {
  const b = bytesOf(frame);
  // note: 4 bytes per character at most, so this many bytes always hold the characters kept.
  const head = b.length > MONITOR_FRAME_TEXT_MAX * 4 ? b.subarray(0, MONITOR_FRAME_TEXT_MAX * 4) : b;
  let text = head.toString('utf8');
  const truncated = text.length > MONITOR_FRAME_TEXT_MAX || head.length < b.length;
  if (text.length > MONITOR_FRAME_TEXT_MAX) text = text.slice(0, MONITOR_FRAME_TEXT_MAX);
  return { connection, direction, at: Date.now(), size: b.length, text, truncated };
}

/**
 * Frames of the connections an admin inspects: the last ~300 in and out, kept only while at
 * least one admin inspects (the connection's `tap` is set then, and removed with the last one).
 */
export class FrameInspector {
  private readonly inspections = new Map<string, Inspection>();

  constructor(private readonly hub: Hub) {}

  /** Starts (or joins) inspecting a local connection; undefined when it is not here. */
  inspect(id: string, sink: FrameSink): MonitorFrame[] | undefined {
    let i = this.inspections.get(id);
    if (!i) {
      const conn = this.hub.connections.get(id);
      if (!conn || conn.closed) return undefined;
      const created: Inspection = { conn, frames: [], sinks: new Set() };
      i = created;
      conn.tap = (direction, frame) => {
        const f = toMonitorFrame(id, direction, frame);
        created.frames.push(f);
        if (created.frames.length > MONITOR_FRAMES_KEPT) created.frames.shift();
        for (const s of created.sinks) s(f);
      };
      this.inspections.set(id, i);
    }
    i.sinks.add(sink);
    return [...i.frames];
  }

  /** Stops one sink's inspection of `id`; the frames are forgotten with the last sink. */
  uninspect(id: string, sink: FrameSink): void {
    const i = this.inspections.get(id);
    if (!i) return;
    i.sinks.delete(sink);
    if (i.sinks.size === 0) this.forget(id);
  }

  /** A closed connection: nothing more to keep. */
  forget(id: string): void {
    const i = this.inspections.get(id);
    if (!i) return;
    this.inspections.delete(id);
    i.conn.tap = undefined;
  }

  inspected(id: string): boolean {
    return this.inspections.has(id);
  }

  /** The kept frames of `id` (empty when nobody inspects it). */
  frames(id: string): MonitorFrame[] {
    return [...(this.inspections.get(id)?.frames ?? [])];
  }

  stop(): void {
    for (const id of [...this.inspections.keys()]) this.forget(id);
  }
}
