/**
 * Drawing the Flow view on a canvas: three columns (writers, collections, connections) placed from a
 * FlowWindow, edges whose width grows with the traffic, coloured by outcome with the theme's own CSS
 * variables, and pulses that travel writer → collection → connections over ~1 s. Pulses are aggregated
 * per edge per 100 ms, so their number depends on the edges shown, never on the event rate.
 */
import { OTHERS, splitKey, type FlowDelta, type FlowNode, type FlowWindow } from './flow-model';

/** A node on the canvas, in CSS pixels. */
export interface Placed {
  key: string;
  label: string;
  x: number;
  y: number;
  /** Half the width of a collection's box (0 for dots). */
  half: number;
  count: number;
  /** For a connection: the index of its main outcome (the dot's colour). */
  tone: number;
}

export interface FlowLayout {
  width: number;
  height: number;
  writers: Map<string, Placed>;
  collections: Map<string, Placed>;
  connections: Map<string, Placed>;
  window: FlowWindow;
}

/** The theme's colours, read from its CSS variables (light and dark both). */
export interface FlowColors {
  text: string;
  muted: string;
  surface: string;
  border: string;
  writes: string;
  /** By outcome: delivered, filtered, denied, dropped. */
  outcomes: [string, string, string, string];
}

/** Dash patterns by outcome, so the edges read without colour too (the legend shows the same). */
export const OUTCOME_DASH: number[][] = [[], [5, 3], [1.5, 3], [8, 2, 1.5, 2]];

export function readColors(el: Element): FlowColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1b2128'),
    muted: v('--muted', '#5b6672'),
    surface: v('--surface', '#fff'),
    border: v('--border-strong', '#c3c9d1'),
    writes: v('--accent', '#2563c9'),
    outcomes: [v('--ok', '#17733f'), v('--muted', '#5b6672'), v('--wait', '#7a5d0f'), v('--bad', '#b42318')],
  };
}

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const ROW = 24;
const PAD = 28;

/** The canvas height that fits the longest column. */
export function heightFor(w: FlowWindow): number {
  const rows = Math.max(w.writers.length, w.collections.length, w.connections.length, 6);
  return Math.min(760, rows * ROW + 2 * PAD);
}

function fit(ctx: CanvasRenderingContext2D, text: string, max: number): string {
  if (ctx.measureText(text).width <= max) return text;
  let s = text;
  while (s.length > 1 && ctx.measureText(`${s}…`).width > max) s = s.slice(0, -1);
  return `${s}…`;
}

/** Places the window's nodes on a canvas of `width` × `height` CSS pixels. */
export function layout(
  ctx: CanvasRenderingContext2D,
  w: FlowWindow,
  width: number,
  height: number,
  label: { writer(n: FlowNode): string; collection(n: FlowNode): string; connection(n: FlowNode): string },
): FlowLayout {
  ctx.font = FONT;
  const tones = new Map<string, number[]>();
  for (const e of w.edges) {
    let t = tones.get(e.connection);
    if (!t) tones.set(e.connection, (t = [0, 0, 0, 0]));
    for (let o = 0; o < 4; o++) t[o] = t[o]! + e.counts[o]!;
  }
  const toneOf = (key: string) => {
    const t = tones.get(key);
    return t ? t.indexOf(Math.max(...t)) : 0;
  };
  const column = (
    nodes: FlowNode[],
    x: number,
    name: (n: FlowNode) => string,
    box: boolean,
    maxText: number,
  ) => {
    const out = new Map<string, Placed>();
    const step = Math.min(ROW * 1.6, (height - 2 * PAD) / Math.max(1, nodes.length));
    const top = height / 2 - (step * (nodes.length - 1)) / 2;
    nodes.forEach((n, i) => {
      const text = fit(ctx, name(n), maxText);
      const half = box ? ctx.measureText(text).width / 2 + 10 : 0;
      out.set(n.key, {
        key: n.key,
        label: text,
        x,
        y: top + i * step,
        half,
        count: n.count,
        tone: toneOf(n.key),
      });
    });
    return out;
  };
  return {
    width,
    height,
    window: w,
    writers: column(w.writers, Math.round(width * 0.2), label.writer, false, width * 0.2 - 16),
    collections: column(w.collections, Math.round(width * 0.46), label.collection, true, width * 0.16),
    connections: column(w.connections, Math.round(width * 0.7), label.connection, false, width * 0.3 - 16),
  };
}

/** A cubic from a to b that leaves and arrives horizontally. */
function curve(ax: number, ay: number, bx: number, by: number) {
  const mx = (ax + bx) / 2;
  return {
    draw(ctx: CanvasRenderingContext2D) {
      ctx.beginPath();
      ctx.moveTo(ax, ay);
      ctx.bezierCurveTo(mx, ay, mx, by, bx, by);
    },
    at(t: number): [number, number] {
      const u = 1 - t;
      const x = u * u * u * ax + 3 * u * u * t * mx + 3 * u * t * t * mx + t * t * t * bx;
      const y = u * u * u * ay + 3 * u * u * t * ay + 3 * u * t * t * by + t * t * t * by;
      return [x, y];
    },
  };
}

const widthOf = (n: number) => Math.min(6, 1 + Math.log2(1 + n) * 0.6);

/** One pulse: `n` events on one edge within 100 ms. */
interface Pulse {
  /** 'w' writer → collection; 0-3 collection → connection by outcome. */
  leg: 'w' | number;
  from: string;
  to: string;
  born: number;
  n: number;
}

// note: the writer leg takes the first 0.4 s, the fan-out leg the next 0.6 s.
const WRITE_MS = 400;
const FAN_MS = 600;
const SLOT_MS = 100;
// note: a safety cap; with pulses merged per edge per 100 ms it is reached only with hundreds of edges.
const MAX_PULSES = 3000;

/** The pulses in flight. */
export class Pulses {
  private list: Pulse[] = [];
  private slot = -1;
  private bySlot = new Map<string, Pulse>();

  get size(): number {
    return this.list.length;
  }

  /** Adds what arrived since the last frame (merged per edge into the current 100 ms slot). */
  add(d: FlowDelta, now: number): void {
    const slot = Math.floor(now / SLOT_MS);
    if (slot !== this.slot) {
      this.slot = slot;
      this.bySlot.clear();
    }
    const put = (leg: Pulse['leg'], k: string, n: number) => {
      const key = `${leg}|${k}`;
      const p = this.bySlot.get(key);
      if (p) p.n += n;
      else {
        const [from, to] = splitKey(k);
        const pulse = { leg, from, to, born: now, n };
        this.bySlot.set(key, pulse);
        this.list.push(pulse);
      }
    };
    for (const [k, n] of d.writes) put('w', k, n);
    for (const [k, c] of d.edges) for (let o = 0; o < 4; o++) if (c[o]) put(o, k, c[o]!);
    if (this.list.length > MAX_PULSES) this.list.splice(0, this.list.length - MAX_PULSES);
  }

  /** Forgets the pulses that have arrived. */
  age(now: number): void {
    let i = 0;
    while (i < this.list.length && now - this.list[i]!.born > WRITE_MS + FAN_MS) i++;
    if (i) this.list.splice(0, i);
  }

  clear(): void {
    this.list = [];
    this.bySlot.clear();
  }

  *[Symbol.iterator]() {
    yield* this.list;
  }
}

const find = (m: Map<string, Placed>, key: string) => m.get(key) ?? m.get(OTHERS);

/** Draws one frame: edges, then pulses, then nodes on top. */
export function draw(
  ctx: CanvasRenderingContext2D,
  l: FlowLayout,
  c: FlowColors,
  pulses: Pulses,
  now: number,
) {
  ctx.clearRect(0, 0, l.width, l.height);
  ctx.font = FONT;
  ctx.lineCap = 'round';
  // Edges.
  ctx.globalAlpha = 0.45;
  for (const e of l.window.writes) {
    const a = l.writers.get(e.writer);
    const b = l.collections.get(e.collection);
    if (!a || !b) continue;
    ctx.strokeStyle = c.writes;
    ctx.lineWidth = widthOf(e.count);
    ctx.setLineDash([]);
    curve(a.x + 5, a.y, b.x - b.half, b.y).draw(ctx);
    ctx.stroke();
  }
  for (const e of l.window.edges) {
    const a = l.collections.get(e.collection);
    const b = l.connections.get(e.connection);
    if (!a || !b) continue;
    const kinds = e.counts.filter((n) => n > 0).length;
    let lane = 0;
    for (let o = 0; o < 4; o++) {
      const n = e.counts[o]!;
      if (!n) continue;
      // Several outcomes on one edge run side by side.
      const off = (lane++ - (kinds - 1) / 2) * 3;
      ctx.strokeStyle = c.outcomes[o]!;
      ctx.lineWidth = widthOf(n);
      ctx.setLineDash(OUTCOME_DASH[o]!);
      curve(a.x + a.half, a.y + off, b.x - 5, b.y + off).draw(ctx);
      ctx.stroke();
    }
  }
  ctx.setLineDash([]);
  // Pulses.
  for (const p of pulses) {
    const age = now - p.born;
    let from: Placed | undefined;
    let to: Placed | undefined;
    let t: number;
    if (p.leg === 'w') {
      if (age > WRITE_MS) continue;
      from = find(l.writers, p.from);
      to = find(l.collections, p.to);
      t = age / WRITE_MS;
      ctx.fillStyle = c.writes;
    } else {
      if (age < WRITE_MS) continue;
      from = find(l.collections, p.from);
      to = find(l.connections, p.to);
      t = (age - WRITE_MS) / FAN_MS;
      ctx.fillStyle = c.outcomes[p.leg]!;
    }
    if (!from || !to || t > 1) continue;
    const [x, y] =
      p.leg === 'w'
        ? curve(from.x + 5, from.y, to.x - to.half, to.y).at(t)
        : curve(from.x + from.half, from.y, to.x - 5, to.y).at(t);
    ctx.globalAlpha = 0.9 - 0.5 * t;
    ctx.beginPath();
    ctx.arc(x, y, 2.5 + Math.min(3.5, Math.log2(p.n)), 0, Math.PI * 2);
    ctx.fill();
  }
  ctx.globalAlpha = 1;
  // Nodes.
  ctx.textBaseline = 'middle';
  for (const n of l.writers.values()) {
    dot(ctx, n.x, n.y, n.key === OTHERS ? c.muted : c.writes, c.surface);
    ctx.fillStyle = n.key === OTHERS ? c.muted : c.text;
    ctx.textAlign = 'right';
    ctx.fillText(n.label, n.x - 10, n.y);
  }
  for (const n of l.collections.values()) {
    ctx.fillStyle = c.surface;
    ctx.strokeStyle = n.key === OTHERS ? c.border : c.writes;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    ctx.roundRect(n.x - n.half, n.y - 11, n.half * 2, 22, 11);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = n.key === OTHERS ? c.muted : c.text;
    ctx.textAlign = 'center';
    ctx.fillText(n.label, n.x, n.y + 0.5);
  }
  for (const n of l.connections.values()) {
    // The dot takes the colour of the connection's main outcome.
    dot(ctx, n.x, n.y, n.key === OTHERS ? c.muted : c.outcomes[n.tone]!, c.surface);
    ctx.fillStyle = n.key === OTHERS ? c.muted : c.text;
    ctx.textAlign = 'left';
    ctx.fillText(n.label, n.x + 10, n.y);
  }
}

function dot(ctx: CanvasRenderingContext2D, x: number, y: number, fill: string, ring: string) {
  ctx.beginPath();
  ctx.arc(x, y, 5, 0, Math.PI * 2);
  ctx.fillStyle = fill;
  ctx.fill();
  ctx.lineWidth = 2;
  ctx.strokeStyle = ring;
  ctx.stroke();
}

/** The connection node under a point (CSS pixels), for a click. */
export function connectionAt(l: FlowLayout, x: number, y: number): string | undefined {
  for (const n of l.connections.values())
    if (n.key !== OTHERS && x >= n.x - 10 && Math.abs(y - n.y) <= 10) return n.key;
  return undefined;
}
