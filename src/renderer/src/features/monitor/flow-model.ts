/**
 * The Flow view's numbers: the last 10 s of event summaries that carry a `flow` (see the feed's `flow`
 * message), summed into one-second buckets — writer → collection counts and collection → connection
 * counts by outcome — so the picture and its table cost the same at 20 or 2,000 events a second. What
 * arrived since the last animation frame is kept apart too (`drain`), for the pulses.
 */
import {
  MONITOR_FLOW_OUTCOMES,
  type MonitorEventSummary,
  type MonitorFlowOutcome,
} from '../../../../shared/monitor';

export const FLOW_WINDOW_MS = 10_000;
const BUCKET_MS = 1000;
// note: ~30 connections stay readable in a column; the rest fold into one "N others" node.
export const FLOW_TOP_CONNECTIONS = 30;
export const FLOW_TOP_WRITERS = 12;
export const FLOW_TOP_COLLECTIONS = 16;
/** The key of a column's "N others" node. */
export const OTHERS = '\u0000others';

/** Counts by outcome, in MONITOR_FLOW_OUTCOMES order. */
export type OutcomeCounts = [number, number, number, number];

/** One writer's or collection's events, or one connection's edges, in the window. */
export interface FlowNode {
  key: string;
  count: number;
  /** For the "N others" node: how many it stands for. */
  others?: number;
}

/** The window as the picture and the table show it. */
export interface FlowWindow {
  events: number;
  /** Events whose flow the server capped (its lists are the first 200 subscriptions only). */
  capped: number;
  writers: FlowNode[];
  collections: FlowNode[];
  connections: FlowNode[];
  /** writer → collection: events. */
  writes: { writer: string; collection: string; count: number }[];
  /** collection → connection (or OTHERS): counts by outcome. */
  edges: { collection: string; connection: string; counts: OutcomeCounts }[];
}

interface Bucket {
  start: number;
  events: number;
  capped: number;
  writes: Map<string, number>;
  edges: Map<string, OutcomeCounts>;
}

/** What arrived since the last `drain` (for the pulses). */
export interface FlowDelta {
  writes: Map<string, number>;
  edges: Map<string, OutcomeCounts>;
}

const SEP = '\u0000';
/** The writer key of a write without an actor. */
export const ANONYMOUS = '\u0001anonymous';
/** A writer's key: the actor id (a user's or a key's), or ANONYMOUS. */
export const writerKey = (e: MonitorEventSummary): string => e.actor ?? ANONYMOUS;
export const pairKey = (a: string, b: string) => `${a}${SEP}${b}`;
export const splitKey = (k: string): [string, string] => {
  const i = k.indexOf(SEP, 1);
  return [k.slice(0, i), k.slice(i + 1)];
};

const emptyDelta = (): FlowDelta => ({ writes: new Map(), edges: new Map() });

function bump(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

function bumpOutcome(map: Map<string, OutcomeCounts>, key: string, o: number, n = 1): void {
  let c = map.get(key);
  if (!c) map.set(key, (c = [0, 0, 0, 0]));
  c[o] = c[o]! + n;
}

/** The top `max` by count (ties: by key), and one OTHERS node for the rest. */
function top(counts: Map<string, number>, max: number): FlowNode[] {
  const all = [...counts].map(([key, count]) => ({ key, count }));
  all.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
  if (all.length <= max) return all;
  const rest = all.slice(max);
  return [
    ...all.slice(0, max),
    { key: OTHERS, count: rest.reduce((s, n) => s + n.count, 0), others: rest.length },
  ];
}

/** The live window of flows (one per console; the Flow tab reads it, the feed fills it). */
export class FlowModel {
  private buckets: Bucket[] = [];
  private fresh = emptyDelta();
  /** Bumps on every ingest, so a reader knows when to recompute. */
  version = 0;

  /** Adds the summaries that carry a flow, at `now` (ms, the caller's clock). */
  ingest(events: readonly MonitorEventSummary[], now: number): void {
    let b: Bucket | undefined;
    for (const e of events) {
      const flow = e.flow;
      if (!flow) continue;
      b ??= this.bucket(now);
      b.events++;
      if (flow.capped) b.capped++;
      const collection = e.collection ?? '(schema)';
      const w = pairKey(writerKey(e), collection);
      bump(b.writes, w);
      bump(this.fresh.writes, w);
      for (let o = 0; o < MONITOR_FLOW_OUTCOMES.length; o++) {
        for (const id of flow[MONITOR_FLOW_OUTCOMES[o]!]) {
          const k = pairKey(collection, id);
          bumpOutcome(b.edges, k, o);
          bumpOutcome(this.fresh.edges, k, o);
        }
      }
    }
    if (b) this.version++;
  }

  private bucket(now: number): Bucket {
    const start = now - (now % BUCKET_MS);
    const last = this.buckets.at(-1);
    if (last && last.start === start) return last;
    const b: Bucket = { start, events: 0, capped: 0, writes: new Map(), edges: new Map() };
    this.buckets.push(b);
    // note: one more bucket than the window, since the oldest one is partly out of it.
    while (this.buckets.length > FLOW_WINDOW_MS / BUCKET_MS + 1) this.buckets.shift();
    return b;
  }

  /** What arrived since the last call. */
  drain(): FlowDelta {
    const d = this.fresh;
    this.fresh = emptyDelta();
    return d;
  }

  /** The last 10 s at `now`, with the busiest writers, collections and connections named. */
  window(now: number): FlowWindow {
    const from = now - FLOW_WINDOW_MS;
    let events = 0;
    let capped = 0;
    const writes = new Map<string, number>();
    const edges = new Map<string, OutcomeCounts>();
    for (const b of this.buckets) {
      if (b.start + BUCKET_MS <= from) continue;
      events += b.events;
      capped += b.capped;
      for (const [k, n] of b.writes) bump(writes, k, n);
      for (const [k, c] of b.edges) for (let o = 0; o < 4; o++) if (c[o]) bumpOutcome(edges, k, o, c[o]);
    }
    const byWriter = new Map<string, number>();
    const byCollection = new Map<string, number>();
    for (const [k, n] of writes) {
      const [w, c] = splitKey(k);
      bump(byWriter, w, n);
      bump(byCollection, c, n);
    }
    const byConnection = new Map<string, number>();
    for (const [k, c] of edges) {
      const [coll, conn] = splitKey(k);
      if (!byCollection.has(coll)) byCollection.set(coll, 0);
      bump(byConnection, conn, c[0] + c[1] + c[2] + c[3]);
    }
    const writers = top(byWriter, FLOW_TOP_WRITERS);
    const collections = top(byCollection, FLOW_TOP_COLLECTIONS);
    const connections = top(byConnection, FLOW_TOP_CONNECTIONS);
    const named = (nodes: FlowNode[]) => new Set(nodes.filter((n) => n.key !== OTHERS).map((n) => n.key));
    const shownWriters = named(writers);
    const shownCollections = named(collections);
    const shownConnections = named(connections);
    // Whatever is not named goes to its column's "others" node.
    const foldedWrites = new Map<string, number>();
    for (const [k, n] of writes) {
      const [w, c] = splitKey(k);
      bump(foldedWrites, pairKey(shownWriters.has(w) ? w : OTHERS, shownCollections.has(c) ? c : OTHERS), n);
    }
    const foldedEdges = new Map<string, OutcomeCounts>();
    for (const [k, c] of edges) {
      const [coll, conn] = splitKey(k);
      const key = pairKey(
        shownCollections.has(coll) ? coll : OTHERS,
        shownConnections.has(conn) ? conn : OTHERS,
      );
      for (let o = 0; o < 4; o++) if (c[o]) bumpOutcome(foldedEdges, key, o, c[o]);
    }
    return {
      events,
      capped,
      writers,
      collections,
      connections,
      writes: [...foldedWrites].map(([k, count]) => {
        const [writer, collection] = splitKey(k);
        return { writer, collection, count };
      }),
      edges: [...foldedEdges].map(([k, counts]) => {
        const [collection, connection] = splitKey(k);
        return { collection, connection, counts };
      }),
    };
  }

  clear(): void {
    this.buckets = [];
    this.fresh = emptyDelta();
    this.version++;
  }
}

/** The outcome names, in the order of OutcomeCounts. */
export const OUTCOMES: readonly MonitorFlowOutcome[] = MONITOR_FLOW_OUTCOMES;

/** The console's one flow window. */
export const flow = new FlowModel();
