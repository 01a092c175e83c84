import type { RawData } from 'ws';
import { MONITOR_FLOW_MAX, type MonitorClientMessage } from '../../shared/monitor';
import type { FlowRecorder } from './flow';
import type { LocalMonitor } from './monitor-control';
import type { FrameInspector, FrameSink } from './monitor-inspect';
import type { PeerLink } from './monitor-peers';
import { frameText, sendTo, type Watcher, type Watchers } from './monitor-watchers';

/**
 * What a watcher asks the feed for on its socket: the flow (each event's per-connection
 * outcomes), and inspecting a connection's frames here or on another instance. It also lets
 * go of all that when the watcher leaves.
 */
export class WatcherRequests {
  constructor(
    private readonly watchers: Watchers,
    private readonly link: PeerLink,
    private readonly inspector: FrameInspector,
    private readonly local: LocalMonitor,
    private readonly flowRecorder: FlowRecorder,
  ) {}

  /** Answers one message from a watcher. */
  async handle(w: Watcher, raw: RawData): Promise<void> {
    let m: MonitorClientMessage;
    try {
      m = JSON.parse(raw.toString()) as MonitorClientMessage;
    } catch {
      return void w.ws.send(frameText('error', { code: 'bad_request', message: 'Send JSON messages.' }));
    }
    if (m?.type === 'flow') {
      if (m.on && !w.flow) {
        w.flow = this.flowRecorder.acquire();
        // The other instances start recording at the next batch, not the next second.
        this.link.queue({ account: null, type: 'flow.wanted', data: {} });
      } else if (!m.on) {
        w.flow?.();
        w.flow = undefined;
      }
      return void w.ws.send(frameText('flow', { on: !!w.flow, max: MONITOR_FLOW_MAX }));
    }
    if (m?.type === 'uninspect') {
      for (const [id, sink] of [...w.inspecting]) {
        if (m.connection !== undefined && m.connection !== id) continue;
        this.inspector.uninspect(id, sink);
        this.link.peers?.uninspect(id, sink);
        w.inspecting.delete(id);
      }
      return;
    }
    if (m?.type !== 'inspect' || typeof m.connection !== 'string') {
      return void w.ws.send(
        frameText('error', {
          code: 'bad_request',
          message: "Send {type:'inspect', connection}, {type:'uninspect'} or {type:'flow', on}.",
        }),
      );
    }
    const id = m.connection;
    if (w.inspecting.has(id)) return;
    const sink: FrameSink = (f) => {
      if (!w.behind && !this.watchers.tooFar(w)) sendTo(w, frameText('frame', f));
    };
    const here = this.local.find(id, w.scope) ? this.inspector.inspect(id, sink) : undefined;
    const found = here
      ? { instance: this.link.instance.id, frames: here }
      : await this.link.peers?.inspect(id, w.scope, sink);
    if (!found) {
      return void w.ws.send(frameText('error', { code: 'not_found', message: `No connection '${id}'.` }));
    }
    w.inspecting.set(id, sink);
    w.ws.send(frameText('inspecting', { connection: id, ...found }));
  }

  /** A watcher left: stops the recording and the inspections it asked for. */
  release(w: Watcher): void {
    w.flow?.();
    for (const [id, sink] of w.inspecting) {
      this.inspector.uninspect(id, sink);
      this.link.peers?.uninspect(id, sink);
    }
  }
}
